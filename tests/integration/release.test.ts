/**
 * The release as production runs it: `node apps/server/dist/main.mjs` (compiled, no tsx) with
 * NODE_ENV=production on a PostgreSQL and a Redis of the test's own, one process per role.
 *  - web: the public API and /readyz; /metrics only on the metrics port, behind its bearer, with
 *    per-route request metrics, the PIN pool, the database pool and ping, and neither the face
 *    engine nor the MRZ reader loaded; every log line written for a request names it;
 *  - worker: health only on its port (no public API), the database-derived metrics;
 *  - a busy port is one line and exit 1; SIGTERM ends each role with exit 0.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { productionSecretsEnv } from '@camdigikey/server/cli/secrets';
import {
  freeLoopbackPort,
  type LocalPostgres,
  type LocalRedis,
  startLocalPostgres,
  startLocalRedis,
} from '@camdigikey/testkit/local-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../scripts/build.mjs';

const root = join(import.meta.dirname, '../..');
const MAIN = join(root, 'apps/server/dist/main.mjs');
const CLI = join(root, 'apps/server/dist/cli.mjs');
const METRICS_TOKEN = 'metrics-token-for-the-release-test';

interface Running {
  child: ChildProcess;
  port: number;
  metricsPort: number;
  output: () => string;
}

let pg: LocalPostgres;
let redis: LocalRedis;
let env: NodeJS.ProcessEnv;
let web: Running;
let worker: Running;

async function start(role: 'web' | 'worker', port?: number): Promise<Running> {
  const p = port ?? (await freeLoopbackPort());
  const metricsPort = await freeLoopbackPort();
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
    cwd: root,
    env: { ...env, SERVER_ROLE: role, PORT: String(p), METRICS_PORT: String(metricsPort) },
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return { child, port: p, metricsPort, output: () => output };
}

async function ready(r: Running) {
  for (;;) {
    if (r.child.exitCode !== null) throw new Error(`exited ${r.child.exitCode}:\n${r.output()}`);
    const ok = await fetch(`http://127.0.0.1:${r.port}/readyz`)
      .then((res) => res.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

/** The value of a sample whose labels include `labels` (in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const metrics = (r: Running, token = METRICS_TOKEN) =>
  fetch(`http://127.0.0.1:${r.metricsPort}/metrics`, { headers: { authorization: `Bearer ${token}` } });

const auditDir = mkdtempSync(join(tmpdir(), 'cdk-release-audit-'));

beforeAll(async () => {
  await buildAll({ ifStale: true, quiet: true });
  [pg, redis] = await Promise.all([startLocalPostgres(), startLocalRedis()]);
  env = {
    PATH: process.env.PATH,
    ...productionSecretsEnv(),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    SMTP_URL: 'smtp://127.0.0.1:1',
    PUBLIC_URL: 'https://id.example.gov.kh',
    TRUST_PROXY: 'true',
    METRICS_TOKEN,
    LOG_LEVEL: 'info',
    // Audit checkpoints of this run's database, not in the repository's .data.
    AUDIT_CHECKPOINT_DIR: auditDir,
  };
  const migrated = spawnSync(process.execPath, [CLI, 'migrate', 'up'], { env, encoding: 'utf8' });
  expect(migrated.status, migrated.stderr).toBe(0);
  [web, worker] = await Promise.all([start('web'), start('worker')]);
  await Promise.all([ready(web), ready(worker)]);
}, 300_000);

afterAll(async () => {
  for (const r of [web, worker]) if (r && r.child.exitCode === null) r.child.kill('SIGKILL');
  await Promise.all([pg?.stop(), redis?.stop()]);
  rmSync(auditDir, { recursive: true, force: true });
}, 120_000);

describe('the release in production', () => {
  it('serves the web role on PostgreSQL and Redis from the compiled output', async () => {
    const readyz = (await (await fetch(`http://127.0.0.1:${web.port}/readyz`)).json()) as {
      checks: { database: { kind: string }; hotState: { kind: string } };
    };
    expect(readyz.checks).toMatchObject({ database: { kind: 'postgres' }, hotState: { kind: 'redis' } });
    expect(web.output()).toContain('identity server is running (role web)');
    const nonce = await fetch(`http://127.0.0.1:${web.port}/api/device/v1/nonce`, { method: 'POST' });
    expect(nonce.status).toBe(200);
  });

  it('keeps /metrics off the public port and behind its bearer', async () => {
    expect((await fetch(`http://127.0.0.1:${web.port}/metrics`)).status).toBe(404);
    expect((await metrics(web, 'wrong-token-of-the-same-size!!!!!')).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${web.metricsPort}/metrics`)).status).toBe(401);
    expect((await metrics(web)).status).toBe(200);
  });

  it('measures requests per route, the PIN pool, the database pool and round trips; no face engine or MRZ reader in a web process', async () => {
    await fetch(`http://127.0.0.1:${web.port}/api/device/v1/nonce`, { method: 'POST' });
    const text = await (await metrics(web)).text();
    const web_ = { role: 'web' };
    expect(
      sample(text, 'cdk_http_request_duration_seconds_count', {
        ...web_,
        method: 'POST',
        route: '/api/device/v1/nonce',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'cdk_pin_pool', { ...web_, measure: 'max_queue' })).toBeGreaterThan(0);
    expect(sample(text, 'cdk_db_pool_connections', { ...web_, state: 'max' })).toBe(10);
    expect(sample(text, 'cdk_dependency_ping_seconds', { ...web_, dependency: 'database' })).toBeGreaterThan(
      0,
    );
    expect(sample(text, 'cdk_dependency_ping_seconds', { ...web_, dependency: 'redis' })).toBeGreaterThan(0);
    expect(sample(text, 'cdk_engine_loaded', { ...web_, engine: 'face' })).toBe(0);
    expect(sample(text, 'cdk_engine_loaded', { ...web_, engine: 'mrz' })).toBe(0);
    expect(text).toContain('cdk_process_resident_memory_bytes');
    // The database-derived gauges belong to the worker role.
    expect(text).not.toContain('cdk_accounts');
  });

  it('names the request in every log line written for it', async () => {
    const answer = await fetch(`http://127.0.0.1:${web.port}/api/device/v1/registration`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"language":"km"}',
    });
    expect(answer.status).toBe(401);
    const id = answer.headers.get('x-request-id') as string;
    let lines: Record<string, unknown>[] = [];
    for (;;) {
      lines = web
        .output()
        .split('\n')
        .filter((l) => l.includes(id))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      if (lines.some((l) => l.msg === 'request completed')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line.requestId ?? line.reqId).toBe(id);
  });

  it('runs the worker role behind a health-only listener, with the database metrics', async () => {
    expect((await fetch(`http://127.0.0.1:${worker.port}/healthz`)).status).toBe(200);
    expect(
      (await fetch(`http://127.0.0.1:${worker.port}/api/device/v1/nonce`, { method: 'POST' })).status,
    ).toBe(404);
    expect(worker.output()).toContain('CamDigiKey worker is running (role worker)');
    const text = await (await metrics(worker)).text();
    expect(text).toContain('# TYPE cdk_accounts gauge');
    expect(sample(text, 'cdk_review_cases', { role: 'worker', sla: 'breached' })).toBe(0);
    expect(
      sample(text, 'cdk_certificate_expiry_seconds', { role: 'worker', certificate: 'platform_root_ca' }),
    ).toBeGreaterThan(365 * 86_400);
    expect(sample(text, 'cdk_engine_loaded', { role: 'worker', engine: 'face' })).toBe(0);
  });

  it('runs the face engine from the bundle in its worker thread (dist/face-worker.mjs, models in dist/models)', () => {
    // The pool of the compiled server (proofing/face.ts, in main.mjs or one of the chunks that
    // sit next to it in dist/) starts `./face-worker.mjs` from that same folder.
    const dist = dirname(MAIN);
    const starters = readdirSync(dist).filter(
      (f) =>
        f.endsWith('.mjs') &&
        readFileSync(join(dist, f), 'utf8').includes('new URL("./face-worker.mjs", import.meta.url)'),
    );
    expect(starters.length).toBeGreaterThan(0);
    const script = `
      import { Piscina } from 'piscina';
      const pool = new Piscina({ filename: ${JSON.stringify(join(root, 'apps/server/dist/face-worker.mjs'))}, workerData: { thresholds: {} } });
      const none = await pool.run({ op: 'detect', image: new Uint8Array(64) });
      const init = await pool.run({ op: 'init' });
      console.log(JSON.stringify({ none, model: init.provenance.model, models: init.provenance.models }));
      await pool.destroy();`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    });
    expect(run.status, run.stderr).toBe(0);
    const answer = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
    expect(answer.none).toMatchObject({ ok: false, error: 'image_decode' });
    expect(answer.model).toBe('fr_feature');
    expect(answer.models).toContain('fr_feature');
  }, 180_000);

  it('says in one line that a port is taken, and exits 1', async () => {
    const second = await start('web', web.port);
    expect(await exitOf(second.child)).toBe(1);
    const out = second.output().trim().split('\n');
    const last = out.at(-1) as string;
    expect(last).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${web.port} is already in use .* set PORT to a free port`),
    );
    expect(second.output()).not.toMatch(/^\s+at /m);
  }, 180_000);

  it('stops every role on SIGTERM with exit 0', async () => {
    web.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await exitOf(web.child)).toBe(0);
    expect(await exitOf(worker.child)).toBe(0);
  });
});
