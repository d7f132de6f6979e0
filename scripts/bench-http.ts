/**
 * `npm run bench:http`: independent HTTP checks with autocannon (issue 18). The server under test
 * runs in a process of its own (scripts/bench-server.ts: role web, default log level through the
 * asynchronous destination, PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set, PGlite
 * otherwise); autocannon runs here. Every figure is printed next to a baseline measured in the
 * same run, with its ratio and goal:
 *   - GET /healthz vs a bare Fastify process answering the same route (goal ≥ 0.6×);
 *   - POST /api/device/v1/nonce, GET /oidc/auth → 303 for the registered sandbox client and
 *     POST /oidc/token with an invalid code (the error path), each vs the server's own /healthz;
 *   - the server's event-loop delay (p99, max) under the /oidc/auth load vs idle;
 *   - JWKS p99 at a fixed rate, idle vs while PIN checks saturate the pool (goal ≤ 2×).
 * Per-IP rate limits are raised in the server's configuration (printed): this measures throughput.
 * BENCH_SECONDS (default 10) per run, BENCH_CONNECTIONS (default 10).
 */
import autocannon from 'autocannon';
import {
  BENCH_REDIRECT_URI,
  type BenchServer,
  figure,
  loadAverage,
  registerBenchClient,
  startBareFastify,
  startBenchServer,
} from './bench-support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const JWKS_RATE = Number(process.env.BENCH_JWKS_RATE ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

interface Run {
  /** The server process's CPU time (all threads) per answered request, in µs. */
  cpuUsPerRequest: number | undefined;
  rate: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
}

let server: BenchServer | undefined;

async function run(options: autocannon.Options, seconds = SECONDS): Promise<Run> {
  const measured = server && String(options.url).startsWith(server.url) ? server : undefined;
  const before = await measured?.usage();
  const r = await autocannon({ connections: CONNECTIONS, ...options, duration: seconds });
  const after = await measured?.usage();
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(
    (r as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats ?? {},
  ))
    statuses[code] = stat.count;
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    cpuUsPerRequest: before && after ? ((after.cpuMs - before.cpuMs) * 1000) / Math.max(total, 1) : undefined,
    rate: total / seconds,
    p50: r.latency.p50,
    p99: r.latency.p99,
    statuses,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

const warm = (options: autocannon.Options) => run(options, Math.min(2, SECONDS));
const describe = (r: Run) =>
  `    ${r.cpuUsPerRequest === undefined ? '' : `server CPU ${r.cpuUsPerRequest.toFixed(0)} µs/request, `}p50 ${r.p50} ms, p99 ${r.p99} ms, statuses ${JSON.stringify(r.statuses)}${r.errors ? `, ${r.errors} errors` : ''}${r.timeouts ? `, ${r.timeouts} timeouts` : ''}`;

async function main() {
  console.log(`CamDigiKey HTTP bench (autocannon) — load average before: ${loadAverage()}`);
  server = await startBenchServer();
  const bare = await startBareFastify();
  try {
    console.log(
      `server in its own process (pid ${server.pid}): database ${server.dbKind}, hot state ${server.hotKind}, LOG_LEVEL ${server.logLevel} (asynchronous JSON lines), role web`,
    );
    console.log(
      `per-IP rate limits raised for the bench (it measures throughput from one address): ${Object.entries(
        server.raisedLimits,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
    console.log(`${SECONDS} s per run, ${CONNECTIONS} connections\n`);

    // /healthz vs bare Fastify, in alternating rounds (the machine's load moves between runs):
    // the median of the per-round ratios.
    await warm({ url: `${bare.url}/healthz` });
    await warm({ url: `${server.url}/healthz` });
    const rounds: { floor: Run; health: Run }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const floor = await run({ url: `${bare.url}/healthz` }, SECONDS / ROUNDS);
      const health = await run({ url: `${server.url}/healthz` }, SECONDS / ROUNDS);
      rounds.push({ floor, health });
    }
    const ratio = median(rounds.map((r) => r.health.rate / r.floor.rate));
    const byRatio = [...rounds].sort((a, b) => a.health.rate / a.floor.rate - b.health.rate / b.floor.rate);
    const { floor, health } = byRatio[Math.floor(byRatio.length / 2)]!;
    figure(
      `GET /healthz (median of ${ROUNDS} alternating rounds)`,
      health.rate,
      'req/s',
      floor.rate,
      'bare Fastify; goal ≥ 0.6×',
      ratio >= 0.6,
    );
    console.log(describe(health));
    console.log(`    bare Fastify: ${describe(floor).trim()}`);
    console.log(
      `    per-round ratios: ${rounds.map((r) => (r.health.rate / r.floor.rate).toFixed(2)).join(', ')}`,
    );

    // POST nonce.
    const nonce = await run({ url: `${server.url}/api/device/v1/nonce`, method: 'POST' });
    figure('POST /api/device/v1/nonce', nonce.rate, 'req/s', health.rate, 'vs own /healthz; no goal set');
    console.log(describe(nonce));

    // GET /oidc/auth → 303 for the sandbox client.
    const auth = new URL(`${server.url}/oidc/auth`);
    auth.search = new URLSearchParams({
      client_id: server.sandboxClientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: server.sandboxRedirectUri,
      state: 'bench-state',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    await warm({ url: auth.toString() });
    // The server's event loop idle, then under the /oidc/auth load (with PGlite the embedded
    // database's work runs on a thread of its own, not on this loop).
    await server.call('loopStart');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleLoop = await server.call<LoopDelay>('loopStop');
    await server.call('loopStart');
    const authorize = await run({ url: auth.toString() });
    const authLoop = await server.call<LoopDelay>('loopStop');
    const see = authorize.statuses['303'] ?? 0;
    figure(
      'GET /oidc/auth → 303 (sandbox client)',
      see / SECONDS,
      'req/s',
      health.rate,
      'vs own /healthz; no goal set',
    );
    console.log(describe(authorize));
    figure(
      `event-loop delay p99 under /oidc/auth load (${server.dbKind})`,
      authLoop.p99,
      'ms',
      idleLoop.p99,
      `idle, 10 ms timer; max ${authLoop.max.toFixed(0)} ms (idle ${idleLoop.max.toFixed(0)} ms), mean ${authLoop.mean.toFixed(1)} ms; no goal set`,
    );

    // POST /oidc/token with an invalid code (the error path), for a registered confidential client.
    const rp = await registerBenchClient(server);
    const token = await run({
      url: `${server.url}/oidc/token`,
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(rp.clientId)}:${encodeURIComponent(rp.clientSecret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'not-a-code-0123456789',
        redirect_uri: BENCH_REDIRECT_URI,
        code_verifier: 'a'.repeat(43),
      }).toString(),
    });
    figure(
      'POST /oidc/token, invalid code (error path)',
      token.rate,
      'req/s',
      health.rate,
      'vs own /healthz; no goal set',
    );
    console.log(describe(token));

    // JWKS p99 at a fixed rate: idle vs PIN pool saturated.
    const jwks = { url: `${server.url}/oidc/jwks`, connections: 4, overallRate: JWKS_RATE };
    await warm(jwks);
    const idle = await run(jwks);
    const saturated = await server.call<{ inFlight: number }>('saturate');
    const busy = await run(jwks);
    await server.call('unsaturate');
    figure(
      `JWKS p99 at ${JWKS_RATE}/s, PIN pool saturated`,
      busy.p99,
      'ms',
      idle.p99,
      `idle; goal ≤ 2×, ${saturated.inFlight} PIN checks in flight`,
      busy.p99 <= 2 * idle.p99,
    );
    console.log(`    idle: ${describe(idle).trim()}\n    saturated: ${describe(busy).trim()}`);
  } finally {
    await bare.stop();
    await server?.stop();
  }
  console.log(`\nload average after: ${loadAverage()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
