/**
 * The server under test of the benchmarks, in a process of its own (started by
 * scripts/bench-support.ts, never imported): the real app configured like production — role `web`
 * (no evidence jobs in the web process), the default LOG_LEVEL (info) through the asynchronous
 * pino destination, one JSON line per request, no pretty-printing — on PostgreSQL and Redis when
 * DATABASE_URL / REDIS_URL are set (in a database of its own, dropped at the end), PGlite and
 * database-backed hot state otherwise. Log lines go to the child's stdout (/dev/null unless
 * BENCH_SERVER_LOGS names a file).
 *
 * Every per-IP rate limit of the configuration is raised to the highest value its schema allows
 * (the bench is one client address measuring throughput, not the limits); the names raised are
 * reported to the parent, which prints them.
 *
 * The parent talks to it over IPC only for what a load generator cannot see from outside: the
 * server's own CPU time and memory (process.cpuUsage, process.memoryUsage), the OTPs it "sent",
 * activating the bench accounts, the baselines that must run next to the server's own pools
 * (Argon2 verifies, login-shaped transactions), saturating the PIN pool and the delay of its event
 * loop over a measured phase (perf_hooks monitorEventLoopDelay).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { changeAccountStatus } from '../apps/server/src/accounts/account-status';
import { appendAudit } from '../apps/server/src/audit/audit-log';
import { loadConfig } from '../apps/server/src/config/load';
import { VARIABLES } from '../apps/server/src/config/schema';
import { createDeps } from '../apps/server/src/deps';
import { seedSandbox } from '../apps/server/src/dev/sandbox';
import { startSmtpSink } from '../apps/server/src/dev/smtp-sink';
import { buildApp } from '../apps/server/src/http/app';
import { createLogger } from '../apps/server/src/logging';
import { notificationWorker } from '../apps/server/src/notify/notification-jobs';
import { workContext } from '../apps/server/src/observability/context';
import { Outbox } from '../apps/server/src/ports/outbox';
import { extractOtp } from '../packages/testkit/src/smtp-inbox';
import { adminQuery, databaseUrlFor } from '../packages/testkit/src/test-database';
import { freePort } from '../tests/support/server';

/**
 * Counts what the server sends to its stores while `counting` is on: every statement written to
 * PostgreSQL (BEGIN and COMMIT included: each is a socket write and a round trip) and every Redis
 * command, per HTTP request (by the request id of the work context) and so per route.
 */
const counting = { on: false, byRequest: new Map<string, { sql: string[]; redis: string[] }>() };
const outside = { sql: [] as string[], redis: [] as string[] };
function countInto(kind: 'sql' | 'redis', what: string) {
  if (!counting.on) return;
  const id = workContext.getStore()?.requestId;
  let entry = id ? counting.byRequest.get(id) : outside;
  if (!entry && id) {
    entry = { sql: [], redis: [] };
    counting.byRequest.set(id, entry);
  }
  entry?.[kind].push(what);
}
const pgQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  if (counting.on) {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    countInto('sql', text.replace(/\s+/g, ' ').slice(0, 60));
  }
  return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;
const redisSend = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<typeof redisSend>) {
  countInto('redis', String((args[0] as { name?: string })?.name ?? '?'));
  return redisSend.apply(this, args);
};

type Message = { id: number; op: string; args?: Record<string, unknown> };

/** Every per-IP limit raised to the highest value its schema accepts. */
function raisedLimits(): Record<string, string> {
  const raised: Record<string, string> = {};
  for (const [name, spec] of Object.entries(VARIABLES)) {
    if (!/PER_IP/.test(name)) continue;
    for (const value of ['1000000', '100000', '10000', '1000']) {
      if ((spec.schema as { safeParse(v: unknown): { success: boolean } }).safeParse(value).success) {
        raised[name] = value;
        break;
      }
    }
  }
  return raised;
}

async function main() {
  const send = (message: unknown) => process.send?.(message);
  const outbox = new Outbox();
  const sink = await startSmtpSink(outbox, await freePort());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'cdk-bench-server-'));
  const baseUrl = process.env.DATABASE_URL;
  const benchDb = `cdk_bench_${randomUUID().slice(0, 8)}`;
  if (baseUrl) await adminQuery(baseUrl, `create database ${benchDb}`);
  const limits = raisedLimits();
  const config = loadConfig({
    ...process.env,
    ...limits,
    ...(baseUrl ? { DATABASE_URL: databaseUrlFor(baseUrl, benchDb) } : {}),
    NODE_ENV: 'test',
    SERVER_ROLE: process.env.SERVER_ROLE ?? 'web',
    DATA_DIR: dataDir,
    PORT: String(port),
    PUBLIC_URL: url,
    SMTP_URL: sink.url,
    DEMO_DATA: 'false',
    FLOWS_PER_IP_PER_HOUR: limits.FLOWS_PER_IP_PER_HOUR ?? '10000',
  });
  // Production's logger: the configured level (default info), asynchronous destination.
  const logger = createLogger(config.logLevel, { asynchronous: true });
  const deps = await createDeps(config, { outbox, logger });
  await seedSandbox(deps);
  const sandbox = await deps.db
    .selectFrom('relying_parties')
    .select(['client_id', 'redirect_uris'])
    .where('organisation', '=', 'CamDigiKey Sandbox')
    .executeTakeFirstOrThrow();
  const app = await buildApp(deps);
  // Runs after the app's own onResponse hooks: the request's statements are all counted by then,
  // except what a handler leaves running after it answered (the event stream's ticks).
  const routesOf = new Map<string, string>();
  app.fastify.addHook('onResponse', async (request) => {
    if (counting.on)
      routesOf.set(
        request.id,
        `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]?.replace(/^\/auth\/.+/, '/auth/:uid')}`,
      );
  });
  await app.fastify.listen({ host: '127.0.0.1', port });

  let profiler: Session | undefined;
  let loop: IntervalHistogram | undefined;
  let saturating: Promise<unknown> | undefined;
  let stopSaturating = false;
  const pinVerifier = await deps.pins.hash('482913');
  // A web instance only queues SMS and e-mail (a worker sends them): the bench sends the queued
  // ones when it reads a code, not on a timer, so that no job polling runs in the measured phases.
  const notifications = notificationWorker(deps, deps.sendMessage);

  const ops: Record<string, (args: Record<string, unknown>) => Promise<unknown>> = {
    async usage() {
      const cpu = process.cpuUsage();
      const memory = process.memoryUsage();
      return { cpuMs: (cpu.user + cpu.system) / 1000, rss: memory.rss, heapUsed: memory.heapUsed };
    },
    // How late the event loop ran over a measured phase: what every request waited on top of its work.
    async loopStart() {
      loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      return null;
    },
    async loopStop() {
      if (!loop) return null;
      loop.disable();
      const ms = (ns: number) => ns / 1e6;
      const delay = {
        p50: ms(loop.percentile(50)),
        p99: ms(loop.percentile(99)),
        max: ms(loop.max),
        mean: ms(loop.mean),
      };
      loop = undefined;
      return delay;
    },
    // A V8 CPU profile of just the measured phase (what `node --cpu-prof` writes for the whole run).
    async profileStart() {
      profiler = new Session();
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
      await profiler.post('Profiler.start');
      return null;
    },
    async profileStop({ file }) {
      if (!profiler) return null;
      const { profile } = await profiler.post('Profiler.stop');
      profiler.disconnect();
      profiler = undefined;
      writeFileSync(String(file), JSON.stringify(profile));
      return String(file);
    },
    async countStart() {
      counting.byRequest.clear();
      routesOf.clear();
      outside.sql.length = 0;
      outside.redis.length = 0;
      counting.on = true;
      return null;
    },
    /** Statements and Redis commands per route (summed over the requests) since countStart. */
    async countStop() {
      counting.on = false;
      const byRoute: Record<string, { requests: number; sql: number; redis: number; statements: string[] }> =
        {};
      for (const [id, entry] of counting.byRequest) {
        const route = routesOf.get(id) ?? '(still open)';
        byRoute[route] ??= { requests: 0, sql: 0, redis: 0, statements: [] };
        const r = byRoute[route];
        r.requests++;
        r.sql += entry.sql.length;
        r.redis += entry.redis.length;
        if (r.requests === 1) r.statements = [...entry.sql, ...entry.redis.map((c) => `redis ${c}`)];
      }
      byRoute['(outside requests)'] = {
        requests: 0,
        sql: outside.sql.length,
        redis: outside.redis.length,
        statements: [...outside.sql, ...outside.redis.map((c) => `redis ${c}`)].slice(0, 40),
      };
      return byRoute;
    },
    async gc() {
      (globalThis as { gc?: () => void }).gc?.();
      return null;
    },
    async otp({ to }) {
      await notifications.settle();
      const message = await outbox.latest(String(to), 5000);
      return extractOtp(message?.text ?? '') ?? '';
    },
    async activate({ accountId }) {
      await changeAccountStatus(deps, String(accountId), 'active', { actorType: 'system' });
      return null;
    },
    async argonRate({ n }) {
      const count = Number(n ?? 80);
      const start = performance.now();
      await Promise.all(Array.from({ length: count }, () => deps.pins.verify(pinVerifier, '482913')));
      return (count * 1000) / (performance.now() - start);
    },
    async transactionRate({ n }) {
      const count = Number(n ?? 200);
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        const id = randomUUID();
        await deps.db.transaction().execute(async (trx) => {
          const now = new Date();
          await trx
            .insertInto('login_requests')
            .values({
              id,
              interaction_uid: 'bench',
              client_id: 'bench',
              qr_secret_enc: 'x',
              browser_binding: 'x',
              state: 'pending',
              device_id: null,
              account_id: null,
              match_code: '42',
              match_choices: '["42"]',
              webauthn_challenge: null,
              method: null,
              reason: null,
              created_at: now,
              expires_at: now,
              claimed_at: null,
              decided_at: null,
            })
            .execute();
          await trx.updateTable('login_requests').set({ state: 'approved' }).where('id', '=', id).execute();
          await appendAudit(trx, { actorType: 'system', action: 'bench.login' }, now);
        });
      }
      return (count * 1000) / (performance.now() - start);
    },
    async saturate() {
      stopSaturating = false;
      const inFlight = deps.pins.threads * 8;
      saturating = Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (!stopSaturating) await deps.pins.verify(pinVerifier, '000000').catch(() => undefined);
        }),
      );
      return { inFlight };
    },
    async unsaturate() {
      stopSaturating = true;
      await saturating;
      return null;
    },
    async stop() {
      stopSaturating = true;
      await saturating;
      app.endStreams();
      await app.fastify.close();
      await notifications.stop();
      await deps.close();
      await sink.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (baseUrl) await adminQuery(baseUrl, `drop database if exists ${benchDb} with (force)`);
      return null;
    },
  };

  // The parent gone (a bench that crashed or was interrupted): clean up as `stop` does and exit,
  // instead of serving on as an orphan holding its port, database and threads.
  let stopping: Promise<unknown> | undefined;
  const stopOnce = ops.stop!;
  ops.stop = (args) => {
    stopping ??= stopOnce(args);
    return stopping;
  };
  process.once('disconnect', () => {
    void ops
      .stop?.({})
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
  process.on('message', (message: Message) => {
    const op = ops[message.op];
    if (!op) return send({ id: message.id, error: `unknown op ${message.op}` });
    op(message.args ?? {}).then(
      (result) => {
        send({ id: message.id, result });
        if (message.op === 'stop') setImmediate(() => process.exit(0));
      },
      (error: unknown) => send({ id: message.id, error: String((error as Error)?.stack ?? error) }),
    );
  });
  send({
    ready: {
      url,
      pid: process.pid,
      dbKind: deps.dbKind,
      hotKind: deps.hot.kind,
      pinThreads: deps.pins.threads,
      logLevel: config.logLevel,
      adminToken: config.secrets.adminToken,
      sandboxClientId: sandbox.client_id,
      sandboxRedirectUri: (typeof sandbox.redirect_uris === 'string'
        ? (JSON.parse(sandbox.redirect_uris) as string[])
        : (sandbox.redirect_uris as string[]))[0],
      raisedLimits: limits,
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
