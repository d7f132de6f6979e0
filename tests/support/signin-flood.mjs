// A load generator in a process of its own (tests/integration/password-flood.test.ts): console
// sign-ins with unknown user names at a fixed rate (open loop), each from its own address
// (X-Forwarded-For; the server trusts the proxy), over kept-alive node:http connections. An
// attacker's client runs on another machine; here it runs in a session of its own (the test forks
// it detached: on Linux with autogroup scheduling it does not share the server's CPU share) and
// at a lower CPU priority, so that the test measures what the flood costs the server rather than
// what its client costs.
// Started with fork(); message { url, perSecond } starts it, 'stop' ends it and answers
// { statuses: { [status]: count } }. Plain JavaScript: it runs without a TypeScript loader.
import { Agent, request } from 'node:http';
import { setPriority } from 'node:os';

try {
  setPriority(10);
} catch {
  // not permitted here: the flood still runs, only at the normal priority
}

const statuses = {};
const pending = new Set();
let timer;
let n = 0;

function send(url, agent, i) {
  return new Promise((resolve) => {
    const body = JSON.stringify({ username: `intruder-${i}`, password: 'not the password', totp: '000000' });
    const req = request(
      new URL('/api/console/v1/session', url),
      {
        agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        },
      },
      (res) => {
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', () => {
      statuses.error = (statuses.error ?? 0) + 1;
      resolve();
    });
    req.end(body);
  });
}

process.on('message', async (message) => {
  if (message === 'stop') {
    clearInterval(timer);
    await Promise.all(pending);
    process.send?.({ statuses }, () => process.exit(0));
    return;
  }
  const { url, perSecond } = message;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const perTick = Math.max(1, Math.round(perSecond / 50));
  timer = setInterval(() => {
    for (let k = 0; k < perTick; k++) {
      const p = send(url, agent, ++n).finally(() => pending.delete(p));
      pending.add(p);
    }
  }, 20);
  process.send?.('started');
});
