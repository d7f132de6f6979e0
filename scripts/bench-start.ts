/**
 * `npm run bench:start`: how fast the release starts and how much memory it holds at idle, next
 * to a bare Fastify process measured in the same run on the same machine (the ratio is what
 * carries over to another machine). Each process is a fresh `node` on the built output (no tsx):
 *
 *   bare Fastify        node + fastify + one /readyz route (the floor)
 *   web (PostgreSQL)    SERVER_ROLE=web, NODE_ENV=production, PostgreSQL and Redis of its own
 *   worker (PostgreSQL) SERVER_ROLE=worker (evidence jobs idle: the face engine is not loaded)
 *   embedded default    what `npm start` runs: PGlite, in-process hot state, role all, no demo data
 *
 * The server runs with the image's ENTRYPOINT flags (Dockerfile; --enable-source-maps).
 * Time = from spawn to the first 200 of /readyz; CPU = the process's CPU time (every thread) at
 * that moment, which a loaded machine inflates much less than the wall time; RSS = resident
 * memory 2 s after that. Goals for a web instance (issue 15): ready ≤ 3 s, RSS ≤ 250 MB. Medians
 * of ROUNDS runs; the load average is printed with them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort, startLocalPostgres, startLocalRedis } from '@camdigikey/testkit/local-services';
import { productionSecretsEnv } from '../apps/server/src/cli/secrets';
import { dockerStages } from '../tests/support/dockerfile';
import { buildAll } from './build.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const root = join(import.meta.dirname, '..');
const MAIN = join(root, 'apps/server/dist/main.mjs');
const CLI = join(root, 'apps/server/dist/cli.mjs');
/** The node flags of the image's ENTRYPOINT (["node", …flags, "apps/server/dist/main.mjs"]). */
const entrypoint = JSON.parse(
  dockerStages(readFileSync(join(root, 'Dockerfile'), 'utf8'))
    .at(-1)
    ?.steps.find((s) => s.op === 'ENTRYPOINT')?.args ?? '[]',
) as string[];
const NODE_FLAGS = entrypoint.slice(1, -1);

const BARE = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/readyz', async () => ({ status: 'ready' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
`;

/** CPU time of a process (user + system, every thread) in ms, from /proc (USER_HZ = 100). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Measured {
  readyMs: number;
  cpuMs: number;
  rssMb: number;
}

async function measure(args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  const port = await freeLoopbackPort();
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${stderr.slice(-2000)}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      if (performance.now() - started > 120_000)
        throw new Error(`not ready after 120 s: ${stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const readyMs = performance.now() - started;
    const cpu = cpuMs(child.pid as number);
    await new Promise((r) => setTimeout(r, 2000));
    return { readyMs, cpuMs: cpu, rssMb: rssMb(child.pid as number) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

await buildAll({ ifStale: true, quiet: true });
console.log('starting a PostgreSQL and a Redis of our own…');
const [pg, redis] = await Promise.all([startLocalPostgres(), startLocalRedis()]);
const dataDir = mkdtempSync(join(tmpdir(), 'cdk-bench-start-'));
try {
  const secrets = productionSecretsEnv();
  const production: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...secrets,
    NODE_ENV: 'production',
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    SMTP_URL: 'smtp://127.0.0.1:1',
    PUBLIC_URL: 'https://id.example.gov.kh',
    TRUST_PROXY: 'true',
  };
  // Migrate once, as a deployment does before it rolls instances out.
  const migrate = spawn(process.execPath, [CLI, 'migrate', 'up'], { env: production, stdio: 'ignore' });
  await new Promise((r) => migrate.once('exit', r));

  const cases: [string, string[], NodeJS.ProcessEnv][] = [
    ['bare Fastify', ['--input-type=module', '-e', BARE], { PATH: process.env.PATH }],
    ['web (PostgreSQL)', [...NODE_FLAGS, MAIN], { ...production, SERVER_ROLE: 'web' }],
    ['worker (PostgreSQL)', [...NODE_FLAGS, MAIN], { ...production, SERVER_ROLE: 'worker' }],
    [
      'embedded default',
      [...NODE_FLAGS, MAIN],
      {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        DEMO_DATA: 'false',
        DEV_SMTP_PORT: '0',
        NODE_ENV: 'development',
      },
    ],
  ];
  const results: ({ name: string } & Measured)[] = [];
  for (const [name, args, env] of cases) {
    const runs = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await measure(args, env));
    results.push({
      name,
      readyMs: median(runs.map((r) => r.readyMs)),
      cpuMs: median(runs.map((r) => r.cpuMs)),
      rssMb: median(runs.map((r) => r.rssMb)),
    });
    console.log(`  measured ${name}`);
  }
  const bare = results[0] as Measured;
  console.log(
    `\nstart-up (median of ${ROUNDS}; node ${process.version}, flags ${NODE_FLAGS.join(' ') || 'none'}; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${availableParallelism()} cores)`,
  );
  console.log('process               ready (s)  × bare   CPU (s)  × bare   RSS (MB)  × bare');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(20)}  ${(r.readyMs / 1000).toFixed(2).padStart(9)}  ${(r.readyMs / bare.readyMs).toFixed(1).padStart(6)}  ${(r.cpuMs / 1000).toFixed(2).padStart(7)}  ${(r.cpuMs / bare.cpuMs).toFixed(1).padStart(6)}  ${r.rssMb.toFixed(0).padStart(8)}  ${(r.rssMb / bare.rssMb).toFixed(1).padStart(6)}`,
    );
  }
  const web = results[1] as Measured;
  console.log(
    `\nweb instance: ready ${(web.readyMs / 1000).toFixed(2)} s (goal ≤ 3 s: ${web.readyMs <= 3000 ? 'met' : 'NOT met'}), RSS ${web.rssMb.toFixed(0)} MB (goal ≤ 250 MB: ${web.rssMb <= 250 ? 'met' : 'NOT met'})`,
  );
} finally {
  await Promise.all([pg.stop(), redis.stop()]);
  rmSync(dataDir, { recursive: true, force: true });
}
