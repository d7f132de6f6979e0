/**
 * PostgreSQL and Redis servers of our own, for tests and benchmarks that must stop, kill or wipe
 * them (the cluster test, the restore drill, the start-up benchmark): each in a fresh temporary
 * folder, on a free loopback port, never the machine's shared servers. PostgreSQL refuses to run
 * as root, so as root it runs as the `postgres` user (initdb through runuser, the server started
 * directly with that user's ids, so the server is this process's own child). Every process is ended by
 * `stop()`, by its pid.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** The newest PostgreSQL server binaries installed (Debian: /usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base)
    ? readdirSync(base)
        .filter((d) => existsSync(join(base, d, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors[0]) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
  return join(base, majors[0], 'bin');
}

/**
 * The environment of the servers started here, without libfaketime: a shifted-clock test run
 * (`faketime -f +400d`) fakes the time of the code under test, not of its PostgreSQL and Redis
 * (redis-server hangs at start-up under libfaketime).
 */
export function realTimeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  for (const name of Object.keys(env)) if (name.startsWith('FAKETIME')) delete env[name];
  return env;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const asPostgres = (cmd: string, args: string[]) =>
  asRoot ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args };

async function waitFor(check: () => Promise<boolean>, what: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) before it was ready`);
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LocalPostgres {
  url: string;
  port: number;
  dataDir: string;
  bin: string;
  /** Run a PostgreSQL client program (pg_dump, pg_restore, psql, …) of the same version. */
  run(program: string, args: string[]): string;
  /** Stops the server (fast shutdown) and keeps its data: `start()` runs it again, same port. */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT to the postmaster and every backend: a server that stops answering. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/** The pids of `pid`'s children (from /proc). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

export async function startLocalPostgres(options: { timeoutMs?: number } = {}): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'cdk-pg-'));
  chmodSync(dir, 0o777); // the postgres user writes its data and socket here
  const dataDir = join(dir, 'data');
  const port = await freeLoopbackPort();
  const init = asPostgres(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  execFileSync(init.cmd, init.args, { stdio: 'ignore', env: realTimeEnv() });
  const server = {
    cmd: join(bin, 'postgres'),
    args: [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
  };
  // As root, the server runs with the postgres user's ids, without a wrapper process in between
  // (runuser would stop itself when its child is stopped, and not pass signals on).
  const ids = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
      }
    : {};
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pg = (await import('pg')).default;
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(server.cmd, server.args, { stdio: 'ignore', env: realTimeEnv(), ...ids });
    await waitFor(
      async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.end();
        return true;
      },
      'PostgreSQL',
      child,
      options.timeoutMs ?? 60_000,
    );
  };
  await launch();
  /** The postmaster and every process it started (a backend may end meanwhile: skipped). */
  const signalAll = (signal: NodeJS.Signals) => {
    const pid = child.pid as number;
    for (const target of [pid, ...childrenOf(pid)]) {
      try {
        process.kill(target, signal);
      } catch (error) {
        if ((error as { code?: string }).code !== 'ESRCH') throw error;
      }
    }
  };
  const halt = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    signalAll('SIGCONT'); // a frozen server cannot shut down
    child.kill('SIGINT'); // fast shutdown
    await exited;
  };
  return {
    url,
    port,
    dataDir,
    bin,
    run(program, args) {
      // Client programs run as the caller (root may run them; only the server refuses root).
      return execFileSync(join(bin, program), args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    },
    halt,
    start: launch,
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LocalRedis {
  url: string;
  port: number;
  /** Stops the server: `start()` runs it again on the same port (empty: no persistence). */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that stops answering (its connections stay open). */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/** A throwaway Redis (no persistence). `extra` adds server options, e.g. ['--replicaof', …]. */
export async function startLocalRedis(extra: string[] = []): Promise<LocalRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-redis-'));
  const port = await freeLoopbackPort();
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        ...extra,
      ],
      { stdio: 'ignore', env: realTimeEnv() },
    );
    await waitFor(() => probeRedis(port, async (r) => (await r.ping()) === 'PONG'), 'Redis', child, 20_000);
  };
  await launch();
  const halt = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    halt,
    start: launch,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LocalSentinel {
  port: number;
  stop(): Promise<void>;
}

/**
 * One connection attempt to a Redis (or sentinel) that is starting: `check` runs once it is
 * connected. The attempt is refused until the server listens; connect() rejects with that error,
 * and the listener keeps ioredis from also printing it to stderr as an "Unhandled error event".
 */
async function probeRedis(
  port: number,
  check: (r: import('ioredis').Redis) => Promise<boolean>,
): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const r = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await check(r);
  } finally {
    r.disconnect();
  }
}

/** A Redis Sentinel watching the master at `masterPort` as `name` (quorum 1, quick failover). */
export async function startLocalSentinel(masterPort: number, name = 'mymaster'): Promise<LocalSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-sentinel-'));
  const port = await freeLoopbackPort();
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      '',
    ].join('\n'),
  );
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore', env: realTimeEnv() });
  await waitFor(
    () =>
      probeRedis(port, async (r) => {
        const master = (await r.call('SENTINEL', 'get-master-addr-by-name', name)) as string[] | null;
        return Array.isArray(master) && master[1] === String(masterPort);
      }),
    'Redis Sentinel',
    child,
    20_000,
  );
  return {
    port,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
