/**
 * Hashing never starves citizens (issue 18, item 3): officers' passwords are hashed in a pool of
 * their own at the lowest CPU priority, so a flood of console sign-ins with unknown user names
 * (each of which is hashed, so that the answer does not reveal who exists) cannot slow the
 * citizens' PIN checks; the password endpoints answer 429 with Retry-After per IP and per user
 * name; a full password queue answers 503 with Retry-After at once; and a sign-in whose client
 * has gone is not hashed.
 *
 * What a flood costs the citizens' PIN verify rate is a speed, measured by `npm run bench:flood`
 * (against a control in the same run); this file pins the properties that do not depend on speed.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { bilingual } from '@camdigikey/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: {
      TRUST_PROXY: 'true',
      PASSWORD_ATTEMPTS_PER_IP_PER_MINUTE: '5',
      PASSWORD_ATTEMPTS_PER_USERNAME_PER_MINUTE: '3',
    },
  });
}, 120_000);
afterAll(async () => server?.close(), 180_000);

const signIn = (username: string, ip: string, init: RequestInit = {}) =>
  fetch(`${server.url}/api/console/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ username, password: 'not the password', totp: '000000' }),
    ...init,
  });

/** Waits (without a fixed sleep) until `condition` holds, checking on every turn of the loop. */
async function until(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface ErrorAnswer {
  error: {
    code: string;
    messageId: string;
    message: { km: string; en: string };
    details?: Record<string, unknown>;
  };
}

describe('password endpoints', () => {
  it('answer 429 with Retry-After per IP and per user name, in Khmer and English', async () => {
    server.clock.advance(120_000); // two windows: a fresh sliding count
    const perIp: number[] = [];
    for (let i = 0; i < 6; i++) perIp.push((await signIn(`nobody-${i}`, '198.51.100.1')).status);
    expect(perIp).toEqual([401, 401, 401, 401, 401, 429]);
    const refused = await signIn('nobody-9', '198.51.100.1');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as ErrorAnswer;
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.message).toEqual(bilingual('error.rate_limited'));
    expect(body.error.message.km).not.toBe(body.error.message.en);

    // One user name tried from many addresses: the fourth attempt in the minute is refused.
    const perName: Response[] = [];
    for (let i = 0; i < 4; i++) perName.push(await signIn('dara', `198.51.100.${10 + i}`));
    expect(perName.map((r) => r.status)).toEqual([401, 401, 401, 429]);

    // Retry-After tells the truth: a second early is still refused, at the time it names it passes.
    const wait = Number(perName[3]?.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    server.clock.advance((wait - 1) * 1000);
    const early = await signIn('dara', '198.51.100.30');
    expect(early.status).toBe(429);
    server.clock.advance(Number(early.headers.get('retry-after')) * 1000);
    expect((await signIn('dara', '198.51.100.31')).status).toBe(401);
  });

  it("answer 503 with Retry-After at once when the password pool's queue is full", async () => {
    server.clock.advance(120_000);
    const { maxQueue, maxThreads } = server.deps.passwords.stats();
    // More sign-ins at once than threads + queue, each from its own address (no 429).
    const answers = await Promise.all(
      Array.from({ length: maxThreads + maxQueue + 6 }, (_, i) => signIn(`ghost-${i}`, `203.0.113.${i + 1}`)),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(maxThreads);
    const unavailable = answers.filter((r) => r.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const r of unavailable) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = (await r.json()) as ErrorAnswer;
      expect(body.error.code).toBe('service_unavailable');
      expect(body.error.message).toEqual(bilingual('error.service_unavailable'));
    }
    expect(server.deps.pins.stats().refused).toBe(0); // the citizens' pool saw none of it
  });

  it('does not hash for a client that has gone', async () => {
    server.clock.advance(120_000);
    const pool = server.deps.passwords;
    // One sign-in first: the first unknown user also makes the server's dummy verifier (a hash).
    expect((await signIn('warm-up', '192.0.2.250')).status).toBe(401);
    const before = pool.stats();
    const clients = Array.from({ length: before.maxQueue }, () => new AbortController());
    const requests = clients.map((c, i) =>
      signIn(`gone-${i}`, `192.0.2.${i + 1}`, { signal: c.signal }).catch(() => undefined),
    );
    // Wait until the pool is busy and requests are waiting in its queue, then the clients leave.
    await until(() => pool.stats().queued >= 2, 'queued sign-ins');
    const queued = pool.stats().queued;
    for (const c of clients) c.abort();
    await Promise.all(requests);
    await until(() => pool.stats().running === 0 && pool.stats().queued === 0, 'the pool to drain');
    const after = pool.stats();
    // Sign-ins still waiting in the queue when their clients left were dropped unhashed. (How
    // many exactly is a race: one that was queued when the test looked can start before the
    // server sees its client go, so the test counts what happened rather than predicting it.)
    const abandoned = after.abandoned - before.abandoned;
    const hashed = after.completed - before.completed;
    expect(queued).toBeGreaterThanOrEqual(2);
    expect(abandoned).toBeGreaterThanOrEqual(1);
    expect(hashed + abandoned).toBeLessThanOrEqual(clients.length);
    expect(hashed).toBeLessThan(clients.length);
  });
});

/** The rate at which one client cut PIN logins 16× before (issue 18). */
const FLOOD_PER_SECOND = 150;
/** PIN verifies done while the flood runs. */
const PIN_VERIFIES = 40;

describe('a flood of unknown-user console sign-ins', () => {
  // What the flood costs the citizens' PIN rate is measured by `npm run bench:flood` (a ratio
  // against a control in the same run); this test pins what does not depend on the machine's
  // speed: the flood is hashed, in the password pool only, and never refused by the PIN pool.
  it("is hashed in the password pool only: the citizens' PIN pool does exactly their own work", async () => {
    server.clock.advance(60_000);
    const pins = server.deps.pins;
    const passwords = server.deps.passwords;
    const verifier = await pins.hash('482913');
    const child = fork(fileURLToPath(new URL('../support/signin-flood.mjs', import.meta.url)), {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    const started = once(child, 'message');
    child.send({ url: server.url, perSecond: FLOOD_PER_SECOND });
    await started;
    const pinBefore = pins.stats();
    const passwordBefore = passwords.stats();
    let statuses: Record<string, number>;
    try {
      // Two at a time: the PIN pool stays busy while the flood's sign-ins arrive.
      let done = 0;
      await Promise.all(
        [0, 1].map(async () => {
          while (done < PIN_VERIFIES) {
            done++;
            expect(await pins.verify(verifier, '482913')).toBe(true);
            expect(await pins.verify(verifier, '482914')).toBe(false);
          }
        }),
      );
      // The flood has reached the password pool (waited for as a state, not a time).
      await until(
        () => passwords.stats().completed > passwordBefore.completed,
        'a hashed flood sign-in',
        60_000,
      );
    } finally {
      const answer = once(child, 'message');
      child.send('stop');
      [{ statuses }] = (await answer) as [{ statuses: Record<string, number> }];
      await once(child, 'exit');
    }
    const pinAfter = pins.stats();
    // Every verify the PIN pool did was one of ours (a right and a wrong PIN per round), none was refused or dropped.
    expect(pinAfter.completed - pinBefore.completed).toBe(2 * PIN_VERIFIES);
    expect(pinAfter.refused - pinBefore.refused).toBe(0);
    expect(pinAfter.abandoned - pinBefore.abandoned).toBe(0);
    // The flood was answered like any unknown user (401 after hashing) or refused when the
    // password queue was full (503), never anything else.
    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    expect((statuses['401'] ?? 0) + (statuses['503'] ?? 0)).toBe(total);
    expect(statuses['401'] ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
