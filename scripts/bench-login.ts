/**
 * `npm run bench:login`: full QR logins per second (issue 18). The server under test runs in a
 * process of its own (scripts/bench-server.ts: role web, production logging, PostgreSQL and Redis
 * when DATABASE_URL / REDIS_URL are set, PGlite otherwise); the browser simulation and the test
 * phones run here. Each figure is printed next to a baseline measured in the same run:
 *   - PIN path vs the Argon2id verify rate of the server's pool (goal ≥ 0.5×);
 *   - Face ID path vs a login-shaped database transaction rate (goal ≥ 0.2×);
 *   - the SERVER's CPU ms per login (process.cpuUsage of the server process; goal ≤ 20 ms on the
 *     Face ID path);
 *   - p50/p99 of each API call at half the maximum PIN rate, from at least BENCH_SAMPLES (300)
 *     logins (goal p99 < 100 ms).
 * A login = authorization request → login page → QR from the event stream → scan → number match
 * → approve → completion → token exchange with PKCE.
 * BENCH_CPU_PROFILE=<file>: a V8 CPU profile of the server during the Face ID phase
 * (summarise it with `npx tsx scripts/cpu-profile-top.ts <file>`).
 */
import { loginDriver } from './bench-logins';
import { figure, loadAverage, percentile, startBenchServer } from './bench-support';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 8) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const PROFILE = process.env.BENCH_CPU_PROFILE;
const timings = new Map<string, number[]>();
const fmt = (x: number) => x.toFixed(1).padStart(8);

async function main() {
  console.log(`CamDigiKey login bench — load average before: ${loadAverage()}`);
  const server = await startBenchServer();
  console.log(
    `server in its own process (pid ${server.pid}): database ${server.dbKind}, hot state ${server.hotKind}, pool ${server.pinThreads} threads, LOG_LEVEL ${server.logLevel}; ${CONCURRENCY} concurrent logins, ${DURATION_MS / 1000} s per phase, p99 from ≥ ${SAMPLES} logins\n`,
  );

  const { oneLogin, closedLoop } = await loginDriver(server, CONCURRENCY, timings);

  // Baselines, measured in the server process next to its own pools.
  const argonRate = await server.call<number>('argonRate', { n: 80 });
  const txRate = await server.call<number>('transactionRate', { n: 200 });

  // Statements and Redis commands per login, per route (counts, not timing: they do not depend on
  // the machine's load). BENCH_COUNT_SHOW=1 also lists the statements of one request per route.
  for (const method of ['face_id', 'pin'] as const) {
    const n = 3;
    await server.call('countStart');
    for (let i = 0; i < n; i++) await oneLogin(method, 0);
    const byRoute =
      await server.call<
        Record<string, { requests: number; sql: number; redis: number; statements: string[] }>
      >('countStop');
    let sql = 0;
    let redis = 0;
    let requests = 0;
    console.log(`store round trips per ${method} login (mean of ${n}):`);
    for (const [route, r] of Object.entries(byRoute)) {
      sql += r.sql;
      redis += r.redis;
      requests += r.requests;
      if (r.sql + r.redis === 0) continue;
      console.log(
        `  ${route.padEnd(52)} ${String(r.requests / n).padStart(4)} requests ${(r.sql / n).toFixed(1).padStart(5)} SQL ${(r.redis / n).toFixed(1).padStart(5)} Redis`,
      );
      if (process.env.BENCH_COUNT_SHOW) for (const st of r.statements) console.log(`      ${st}`);
    }
    console.log(
      `  ${'total'.padEnd(52)} ${String(requests / n).padStart(4)} requests ${(sql / n).toFixed(1).padStart(5)} SQL ${(redis / n).toFixed(1).padStart(5)} Redis\n`,
    );
  }

  timings.clear();
  /** Logins per second and the server's CPU ms per login over one closed-loop phase. */
  async function phase(method: 'pin' | 'face_id') {
    const before = await server.usage();
    const { rate, count } = await closedLoop(method, DURATION_MS, CONCURRENCY);
    const after = await server.usage();
    return { rate, cpuMsPerLogin: (after.cpuMs - before.cpuMs) / Math.max(count, 1), count };
  }
  const pin = await phase('pin');
  if (PROFILE) await server.call('profileStart');
  const face = await phase('face_id');
  if (PROFILE)
    console.log(`CPU profile of the Face ID phase: ${await server.call('profileStop', { file: PROFILE })}`);
  figure(
    'QR logins, PIN path',
    pin.rate,
    '/s',
    argonRate,
    'Argon2 verifies/s; goal ≥ 0.5×',
    pin.rate >= 0.5 * argonRate,
  );
  figure(
    'QR logins, Face ID path',
    face.rate,
    '/s',
    txRate,
    'login-shaped transactions/s; goal ≥ 0.2×',
    face.rate >= 0.2 * txRate,
  );
  figure(
    'server CPU per login, PIN path',
    pin.cpuMsPerLogin,
    'ms',
    undefined,
    `n=${pin.count}; Argon2 runs in the pool threads, counted`,
  );
  figure(
    'server CPU per login, Face ID path',
    face.cpuMsPerLogin,
    'ms',
    undefined,
    `n=${face.count}; goal ≤ 20 ms`,
    face.cpuMsPerLogin <= 20,
  );

  // p99 at half the maximum rate (open loop, PIN path).
  timings.clear();
  const half = pin.rate / 2;
  const started: Promise<void>[] = [];
  const end = Date.now() + DURATION_MS;
  let next = 0;
  while (Date.now() < end || started.length < SAMPLES) {
    started.push(oneLogin('pin', next++ % CONCURRENCY));
    await new Promise((r) => setTimeout(r, 1000 / half));
  }
  await Promise.all(started);
  console.log(
    `\np50 / p99 per call at half the maximum PIN rate (${half.toFixed(1)} logins/s); goal p99 < 100 ms`,
  );
  for (const [name, xs] of timings)
    console.log(
      `  ${name.padEnd(32)} ${fmt(percentile(xs, 0.5))} ms ${fmt(percentile(xs, 0.99))} ms   (n=${xs.length})`,
    );

  await server.stop();
  console.log(`\nload average after: ${loadAverage()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
