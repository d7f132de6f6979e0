/**
 * The Dockerfile's runtime stage done by hand, since no container engine runs here: into an empty
 * folder, exactly the files its `COPY --from=build` lines take from the release build, then its
 * `npm ci --omit=dev …` (production dependencies only), then its ENTRYPOINT with its ENV on a
 * PostgreSQL and a Redis of the test's own. The web role must answer /readyz, serve the console
 * and the app from the copied builds, have no build or test tool installed, and stop on SIGTERM
 * with exit 0. (issue 15, "Done when": `npm run build && npm ci --omit=dev && node …`.)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { copyOf, dockerStages } from '../support/dockerfile';

const root = join(import.meta.dirname, '../..');
const runtime = dockerStages(readFileSync(join(root, 'Dockerfile'), 'utf8')).at(-1)!;
const app = mkdtempSync(join(tmpdir(), 'cdk-release-install-'));

let pg: LocalPostgres;
let redis: LocalRedis;
let server: ChildProcess;
let port: number;
let output = '';
let install: { status: number | null; stderr: string };

/** The runtime stage's ENV lines as variables. */
const imageEnv = () =>
  Object.fromEntries(
    runtime.steps
      .filter((s) => s.op === 'ENV')
      .flatMap((s) => [...s.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]] as [string, string])),
  );

beforeAll(async () => {
  await buildAll({ ifStale: true, quiet: true });
  // COPY --from=build /src/<path> … <dest>: the build stage's /src is this checkout after the build.
  for (const step of runtime.steps.filter((s) => s.op === 'COPY')) {
    const copy = copyOf(step);
    expect(copy.from, step.args).toBe('build');
    for (const source of copy.sources) {
      const from = join(root, source.replace(/^\/src\//, ''));
      // Into a folder (`dest/`, or several sources), or as the named path (a folder's contents).
      const intoFolder = copy.dest.endsWith('/') || copy.sources.length > 1;
      const to = intoFolder ? join(app, copy.dest, source.split('/').at(-1) as string) : join(app, copy.dest);
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to, { recursive: true });
    }
  }
  // The stage's `npm ci` (not its `npm cache clean`: the cache is this machine's).
  const commands = runtime.steps
    .filter((s) => s.op === 'RUN')
    .flatMap((s) => s.args.split('&&').map((c) => c.trim()))
    .filter((c) => c.startsWith('npm ci'));
  expect(commands).toHaveLength(1);
  const ci = spawnSync('sh', ['-c', `${commands[0]} --prefer-offline`], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  install = { status: ci.status, stderr: ci.stderr };
  if (ci.status !== 0) return;

  [pg, redis] = await Promise.all([startLocalPostgres(), startLocalRedis()]);
  port = await freeLoopbackPort();
  const entry = JSON.parse(runtime.steps.find((s) => s.op === 'ENTRYPOINT')!.args) as string[];
  expect(entry[0]).toBe('node');
  server = spawn(process.execPath, entry.slice(1), {
    cwd: app,
    env: {
      PATH: process.env.PATH,
      ...imageEnv(),
      ...productionSecretsEnv(),
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(await freeLoopbackPort()),
      DATA_DIR: join(app, 'tmp'),
      SERVER_ROLE: 'web',
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      SMTP_URL: 'smtp://127.0.0.1:1',
      PUBLIC_URL: 'https://id.example.gov.kh',
      TRUST_PROXY: 'true',
    },
  });
  server.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  server.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
}, 900_000);

afterAll(async () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  await Promise.all([pg?.stop(), redis?.stop()]);
  rmSync(app, { recursive: true, force: true });
}, 120_000);

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

describe('the image runtime stage, by hand', () => {
  it('installs the production dependencies only', () => {
    expect(install.status, install.stderr.slice(-3000)).toBe(0);
    // tsx and esbuild compile TypeScript at run time: a release runs compiled JavaScript only.
    const tools = [
      'vite',
      'vitest',
      'typescript',
      '@biomejs/biome',
      'playwright-core',
      'pino-pretty',
      'tsx',
      'esbuild',
    ];
    for (const tool of tools) expect(existsSync(join(app, 'node_modules', tool)), tool).toBe(false);
    // Not hoisted either (a workspace's own node_modules).
    const nested = spawnSync(
      'find',
      [
        app,
        '-type',
        'd',
        '(',
        '-path',
        '*/node_modules/tsx',
        '-o',
        '-path',
        '*/node_modules/esbuild',
        '-o',
        '-path',
        '*/node_modules/@esbuild',
        ')',
      ],
      { encoding: 'utf8' },
    );
    expect(nested.stdout.trim()).toBe('');
    // The test tools' workspace is not a production dependency (the demo data lives in @camdigikey/demo).
    expect(existsSync(join(app, 'node_modules/@camdigikey/testkit')), '@camdigikey/testkit').toBe(false);
  });

  it('starts the web role from the copied release: ready, console and app served', async () => {
    for (;;) {
      if (server.exitCode !== null) throw new Error(`exited ${server.exitCode}:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const path of ['/console/', '/app/']) {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(r.status, path).toBe(200);
      expect(await r.text(), path).toMatch(/<html/i);
    }
    expect(output).not.toMatch(/Cannot find (module|package)/);
  }, 300_000);

  it('stops on SIGTERM with exit 0', async () => {
    server.kill('SIGTERM');
    expect(await exitOf(server)).toBe(0);
  }, 120_000);
});
