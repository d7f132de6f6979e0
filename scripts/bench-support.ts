/**
 * What the benchmarks share: the server under test in a child process (scripts/bench-server.ts,
 * so the load generator's CPU is never counted as the server's), a bare Fastify process as the
 * floor, the machine's load, and one printed line per figure: value, baseline measured in the same
 * run, ratio and goal.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../tests/support/server';

const root = join(import.meta.dirname, '..');

export interface BenchServerInfo {
  url: string;
  pid: number;
  dbKind: string;
  hotKind: string;
  pinThreads: number;
  logLevel: string;
  adminToken: string;
  sandboxClientId: string;
  sandboxRedirectUri: string;
  raisedLimits: Record<string, string>;
}

export interface BenchServer extends BenchServerInfo {
  call<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  usage(): Promise<{ cpuMs: number; rss: number; heapUsed: number }>;
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  /** Write a V8 CPU profile of the server process into this folder (`node --cpu-prof`). */
  cpuProfDir?: string;
  exposeGc?: boolean;
  env?: Record<string, string>;
}

export async function startBenchServer(options: BenchServerOptions = {}): Promise<BenchServer> {
  const logs = process.env.BENCH_SERVER_LOGS;
  const child: ChildProcess = fork(join(root, 'scripts/bench-server.ts'), [], {
    cwd: root,
    execArgv: [
      '--import',
      'tsx',
      ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []),
      ...(options.exposeGc ? ['--expose-gc'] : []),
    ],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...options.env },
    stdio: ['ignore', logs ? openSync(logs, 'a') : 'ignore', 'inherit', 'ipc'],
  });
  let next = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const info = await new Promise<BenchServerInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before it was ready`)));
    child.on(
      'message',
      (message: { ready?: BenchServerInfo; id?: number; result?: unknown; error?: string }) => {
        if (message.ready) return resolve(message.ready);
        const w = waiting.get(message.id ?? -1);
        if (!w) return;
        waiting.delete(message.id!);
        if (message.error) w.reject(new Error(message.error));
        else w.resolve(message.result);
      },
    );
  });
  const call = <T>(op: string, args: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, args });
    });
  return {
    ...info,
    call,
    usage: () => call('usage'),
    async stop() {
      const exited = new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      await call('stop').catch(() => child.kill('SIGTERM'));
      await exited;
    },
  };
}

const BARE = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.send?.('ready');
`;

/** node + fastify + one /healthz route, in a process of its own: the floor. */
export async function startBareFastify(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE], {
    cwd: root,
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`bare Fastify exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The benches' confidential relying party (client_secret_basic), registered over the admin API. */
export const BENCH_REDIRECT_URI = 'http://127.0.0.1:9/cb';
export async function registerBenchClient(
  server: BenchServer,
): Promise<{ clientId: string; clientSecret: string }> {
  const response = await fetch(`${server.url}/api/admin/v1/relying-parties`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      organisation: 'Bench',
      appName: 'Bench RP',
      domain: 'bench.example.kh',
      redirectUris: [BENCH_REDIRECT_URI],
      allowedScopes: ['openid', 'profile'],
    }),
  });
  if (!response.ok)
    throw new Error(`registering the bench client: ${response.status} ${await response.text()}`);
  return (await response.json()) as { clientId: string; clientSecret: string };
}

export const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const fmt = (x: number, digits = 1) => x.toFixed(digits).padStart(9);

/** One figure: value, baseline from the same run, ratio, goal (and whether it is met). */
export function figure(
  name: string,
  value: number,
  unit: string,
  baseline: number | undefined,
  goal: string,
  met?: boolean,
): void {
  const base = baseline === undefined ? ''.padEnd(30) : `baseline ${fmt(baseline)} ${unit.padEnd(6)}`;
  const ratio =
    baseline === undefined ? ''.padEnd(13) : `ratio ${(value / baseline).toFixed(2).padStart(5)}×`;
  const verdict = met === undefined ? '' : met ? '  met' : '  NOT met';
  console.log(`${name.padEnd(46)} ${fmt(value)} ${unit.padEnd(6)} ${base} ${ratio}  (${goal})${verdict}`);
}

export const percentile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
