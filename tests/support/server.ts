/**
 * Starts a real identity server for integration tests: listening on a loopback port, on a
 * database cloned from the migrated template (PostgreSQL or PGlite), on Redis when REDIS_URL is
 * set (with a key prefix of its own), sending e-mail over real SMTP to a test inbox, with a
 * manual clock so tests move time instead of sleeping.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Agent } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClientApiListener, startClientApiTls } from '@camdigikey/server/client-api/tls-listener';
import { loadConfig } from '@camdigikey/server/config/load';
import { createDeps, type Deps } from '@camdigikey/server/deps';
import { buildApp } from '@camdigikey/server/http/app';
import { loggerOptions } from '@camdigikey/server/logging';
import { ManualClock } from '@camdigikey/server/ports/clock';
import { findLogLeaks, sentSecrets } from '@camdigikey/testkit/log-scan';
import { extractOtp, startSmtpInbox } from '@camdigikey/testkit/smtp-inbox';
import { createTestDatabase, type TestDatabase } from '@camdigikey/testkit/test-database';
import { TestDevice } from '@camdigikey/testkit/test-device';
import type { KyselyPlugin } from 'kysely';
import pino from 'pino';

export async function freePort(): Promise<number> {
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

/** The fixed audit key of every test server (the audit chain is verified with it). */
export const TEST_AUDIT_KEYS = `test-audit-1:${Buffer.alloc(32, 7).toString('base64')}`;

export interface TestServer {
  url: string;
  provider: Awaited<ReturnType<typeof buildApp>>['provider'];
  app: Awaited<ReturnType<typeof buildApp>>;
  /** The client API's mutual-TLS listener, when CLIENT_API_TLS_PORT is set (e.g. '0'). */
  clientApiTls: ClientApiListener | undefined;
  deps: Deps;
  clock: ManualClock;
  inbox: Awaited<ReturnType<typeof startSmtpInbox>>;
  database: TestDatabase;
  device(): Promise<TestDevice>;
  /**
   * SMS and e-mail are jobs (notify/notification-jobs.ts): run those queued so far (by this
   * instance's worker and the one it shares a database with) before reading what was sent.
   */
  notified(): Promise<void>;
  /** The latest OTP sent by SMS to a number (read from the SMS outbox). */
  smsCode(phoneE164: string): Promise<string>;
  /** The latest OTP e-mailed to an address (read from the real SMTP inbox). */
  emailCode(address: string): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Trust for a local push service (tests/support/push-service.ts). */
  pushAgent?: Agent;
  env?: Record<string, string>;
  /** Share a database (and clock) with another instance, e.g. to test two instances. */
  shareWith?: TestServer;
  start?: string;
  /** Receive every log line (JSON) the server writes. */
  logSink?: (line: string) => void;
  /** The server's clock (default: a manual clock at `start`). */
  clock?: ManualClock;
  /**
   * The host name of the public URL (default 127.0.0.1). Browser journeys with WebAuthn use
   * `localhost`: a relying-party id cannot be an IP address.
   */
  publicHost?: 'localhost' | '127.0.0.1';
  /**
   * Run on the embedded default as `npm start` does: no database handed in but PGlite in
   * `dataDir/pglite` (opened and migrated by the server itself) and no Redis, whatever the run
   * uses. A test stops the server and starts another on the same folder with `restartOf` (same
   * secrets and clock): a restart. The folder is the test's to remove.
   */
  embedded?: { dataDir: string; restartOf?: TestServer };
  /**
   * Kysely plugins on the server's database (not with `embedded`), e.g. a statement counter
   * (tests/support/statement-counter.ts). Every statement the server runs goes through them,
   * the hot state's too when there is no Redis.
   */
  databasePlugins?: KyselyPlugin[];
  /**
   * Listen on this port (default: a free one). With `shareWith`, after closing the other
   * instance's listener (`app.fastify.close()`), a restart at the same address with another
   * configuration: devices keep working (their proofs name the URL).
   */
  port?: number;
}

/**
 * A clock that runs with the machine's time (plus whatever the test advances it by), for browser
 * journeys where the page's own clock signs device proofs and times recordings.
 */
export class WallClock extends ManualClock {
  private offset = 0;
  override now(): Date {
    return new Date(Date.now() + this.offset);
  }
  override advance(ms: number): void {
    this.offset += ms;
  }
  override set(to: Date | string): void {
    this.offset = new Date(to).getTime() - Date.now();
  }
}

/**
 * Where a test server's manual clock starts. By default a fixed Monday 09:00 in Phnom Penh (not a
 * holiday), so working-hour rules give the same answers on any date. A server with the mutual-TLS
 * listener starts at the machine's time instead: its TLS peers (OpenSSL in the SDK, Java) judge
 * the certificates the platform PKI issues from the clock by the machine's own time.
 */
function defaultStart(options: StartOptions): string {
  if (options.env?.CLIENT_API_TLS_PORT !== undefined) return new Date().toISOString();
  return '2026-11-30T02:00:00Z';
}

export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const embedded = options.embedded;
  // A restart keeps its address (device proofs name the URL they were signed for).
  const port =
    options.port ?? (embedded?.restartOf ? Number(new URL(embedded.restartOf.url).port) : await freePort());
  const inbox = options.shareWith?.inbox ?? (await startSmtpInbox());
  const database = embedded ? undefined : (options.shareWith?.database ?? (await createTestDatabase()));
  const clock =
    options.shareWith?.clock ??
    embedded?.restartOf?.clock ??
    options.clock ??
    new ManualClock(options.start ?? defaultStart(options));
  const prefix =
    options.shareWith?.deps.config.redis.keyPrefix ?? `cdk-test-${randomBytes(4).toString('hex')}:`;
  // Checkpoints go to a folder of the server's own (shared with the instances sharing its database;
  // in the data folder on the embedded default, where a restart finds them).
  const checkpointDir =
    options.shareWith?.deps.config.audit.checkpointDir ??
    (embedded ? join(embedded.dataDir, 'audit-checkpoints') : await mkdtemp(join(tmpdir(), 'cdk-audit-')));
  const secretsOf = options.shareWith ?? embedded?.restartOf;
  const sharedSecrets = secretsOf
    ? {
        PIN_PEPPER: Buffer.from(secretsOf.deps.config.secrets.pinPepper).toString('base64'),
        OTP_KEY: Buffer.from(secretsOf.deps.config.secrets.otpKey).toString('base64'),
        BLIND_INDEX_KEY: Buffer.from(secretsOf.deps.config.secrets.blindIndexKey).toString('base64'),
        DATA_KEKS: secretsOf.deps.config.secrets.keks
          .map((k) => `${k.id}:${Buffer.from(k.key).toString('base64')}`)
          .join(','),
        ADMIN_TOKEN: secretsOf.deps.config.secrets.adminToken,
        COOKIE_KEYS: secretsOf.deps.config.secrets.cookieKeys.join(','),
        PAIRWISE_SALT: Buffer.from(secretsOf.deps.config.secrets.pairwiseSalt).toString('base64'),
        REDIS_URL: secretsOf.deps.config.redis.url ?? '',
      }
    : {};
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://${options.publicHost ?? '127.0.0.1'}:${port}`,
    SMTP_URL: `smtp://127.0.0.1:${inbox.port}`,
    REDIS_URL: process.env.REDIS_URL ?? '',
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PIN_HASH_THREADS: '2',
    // The face engine is heavy: only the tests about evidence turn the worker on.
    EVIDENCE_WORKER: 'false',
    // Every test signs officers in from 127.0.0.1 on a clock that does not move by itself, so a
    // per-minute window would never end: generous here; the limits' own tests set theirs.
    PASSWORD_ATTEMPTS_PER_IP_PER_MINUTE: '1000',
    PASSWORD_ATTEMPTS_PER_USERNAME_PER_MINUTE: '1000',
    // The same for the per-IP budgets of flows and codes: every walk comes from 127.0.0.1, and a
    // sliding window does not forget them by the next hour (rate-limits.test.ts sets its own).
    FLOWS_PER_IP_PER_HOUR: '1000',
    // Authorization requests and device nonces come from 127.0.0.1 too, hundreds in one file on a
    // clock that does not move (the fuzz and conformance files hammer /oidc/auth): a high limit,
    // still a limit (ip-limits.test.ts sets small ones and checks them).
    OIDC_AUTH_PER_IP_PER_MINUTE: '20000',
    DEVICE_NONCES_PER_IP_PER_MINUTE: '20000',
    // The dependency deadlines (1–2 s in production) are for outages: a test process also renders
    // images and films on the same event loop, and on a loaded machine a pause past a second would
    // turn into a stray 503. outage.test.ts runs a server process with the production values.
    DATABASE_CONNECT_TIMEOUT_MS: '20000',
    DATABASE_QUERY_TIMEOUT_MS: '60000',
    REDIS_CONNECT_TIMEOUT_MS: '20000',
    REDIS_COMMAND_TIMEOUT_MS: '20000',
    OTP_MAX_SENDS_PER_IP_PER_HOUR: '1000',
    OTP_MAX_VERIFY_PER_IP_PER_HOUR: '1000',
    AUDIT_KEYS: TEST_AUDIT_KEYS,
    AUDIT_CHECKPOINT_DIR: checkpointDir,
    ...sharedSecrets,
    ...(embedded ? { DATA_DIR: embedded.dataDir, REDIS_URL: '' } : {}),
    ...options.env,
  });
  // The e2e journeys (CDK_SCAN_LOGS=1) keep every log line, with the production redaction, and
  // close() fails when one carries a secret (issue 19: a whole e2e run scanned).
  const scanLogs = process.env.CDK_SCAN_LOGS === '1' && !options.logSink;
  const logLines: string[] = [];
  const deps = await createDeps(config, {
    clock,
    logger: options.logSink
      ? pino({ ...loggerOptions('trace') }, { write: (line: string) => options.logSink?.(line) })
      : scanLogs
        ? pino({ ...loggerOptions('debug') }, { write: (line: string) => logLines.push(line) })
        : pino({ level: config.logLevel }),
    ...(database
      ? {
          database: {
            db: (options.databasePlugins ?? []).reduce((db, plugin) => db.withPlugin(plugin), database.db),
            kind: database.kind,
            ping: database.ping,
          },
        }
      : {}),
    ...(options.pushAgent ? { pushAgent: options.pushAgent } : {}),
    // Instances sharing a database share the SMS "gateway": either one's worker may send a code.
    ...(options.shareWith ? { outbox: options.shareWith.deps.outbox } : {}),
  });
  const app = await buildApp(deps);
  await app.fastify.listen({ host: '127.0.0.1', port });
  const url = `http://${options.publicHost ?? '127.0.0.1'}:${port}`;
  const clientApiTls = await startClientApiTls(app.fastify, deps);
  const notified = async () => {
    await options.shareWith?.notified();
    await app.notifications?.settle();
  };

  return {
    url,
    provider: app.provider,
    app,
    deps,
    clock,
    inbox,
    // On the embedded default the server's own database (it closes it itself).
    database: database ?? {
      db: deps.db,
      kind: deps.dbKind,
      url: undefined,
      ping: deps.pingDb,
      close: async () => undefined,
    },
    device: () => TestDevice.create(url, { now: () => clock.now() }),
    notified,
    async smsCode(phone) {
      await notified();
      const message = await deps.outbox.latest(phone, 5000);
      const code = message ? extractOtp(message.text) : undefined;
      if (!code) throw new Error(`no SMS code for ${phone}`);
      return code;
    },
    async emailCode(address) {
      await notified();
      const mail = await inbox.waitFor({ to: address }, 5000);
      const code = extractOtp(mail.text);
      if (!code) throw new Error(`no e-mail code for ${address}`);
      return code;
    },
    clientApiTls,
    async close() {
      app.endStreams();
      await clientApiTls?.close();
      await app.fastify.close();
      await deps.close();
      if (scanLogs) {
        const sent = sentSecrets([
          ...deps.outbox.list().map((m) => m.text),
          ...inbox.messages.map((m) => m.text),
        ]);
        const leaks = findLogLeaks(logLines, sent);
        if (leaks.length > 0) {
          const where = (line: number) => {
            try {
              return String((JSON.parse(logLines[line] ?? '{}') as { msg?: unknown }).msg);
            } catch {
              return '(not JSON)';
            }
          };
          throw new Error(
            `${leaks.length} secrets in ${logLines.length} log lines: ${leaks
              .slice(0, 10)
              .map((l) => `line ${l.line} ("${where(l.line)}"): ${l.what} ${l.sample}`)
              .join('; ')}`,
          );
        }
      }
      if (!options.shareWith) {
        await database?.close();
        await inbox.close();
        if (!embedded) await rm(checkpointDir, { recursive: true, force: true });
      }
    },
  };
}
