/**
 * The composition root: builds every port and service from the configuration. Tests pass
 * overrides (a manual clock, a prepared database, a test SMTP server) and get the same wiring.
 */
import type { Agent } from 'node:https';
import { type Database, type DatabaseKind, migrateToLatest, openDatabase } from '@camdigikey/db';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { sealPlaintextRows } from './accounts/personal-data';
import { type AuditKey, useAuditChain } from './audit/audit-log';
import { AuditCheckpointer, type CheckpointStore, FileCheckpointStore } from './audit/checkpoints';
import type { Config } from './config/load';
import { Envelope } from './crypto/envelope';
import { BlindIndex } from './crypto/keyed-hash';
import { DeviceProofVerifier } from './device/proof';
import type { HotState } from './infra/hot-state';
import { openHotState } from './infra/open-hot-state';
import { createLogger } from './logging';
import { queuedDispatch, wakeNotificationWorkers } from './notify/notification-jobs';
import { Metrics } from './observability/metrics';
import { databaseTracing, Tracer } from './observability/tracing';
import { ClientCache } from './oidc/client-cache';
import { activeClientMetadata, findRelyingParty, type RelyingParty } from './oidc/relying-parties';
import { OtpService } from './otp/otp-service';
import { keyClearOtpTargets } from './otp/otp-targets';
import { LOW_PRIORITY_NICE, PIN_THREAD_NICE, PinHasher } from './pin/pin-hasher';
import { type CivilRegistry, HttpCivilRegistry } from './ports/civil-registry';
import { type Clock, systemClock } from './ports/clock';
import { type MailSender, SmtpMailSender } from './ports/mail';
import { type Dispatch, directDispatch, Notifier } from './ports/notifier';
import { Outbox } from './ports/outbox';
import { type PushSender, WebPushSender } from './ports/push';
import { HttpSmsGateway, OutboxSms, type SmsSender } from './ports/sms';
import { configureFaceEngine, releaseFaceEngine } from './proofing/face';
import { vapidKeys } from './push/push';

export interface Deps {
  config: Config;
  db: Kysely<Database>;
  dbKind: DatabaseKind;
  pingDb(): Promise<void>;
  hot: HotState;
  clock: Clock;
  logger: Logger;
  envelope: Envelope;
  blindIndex: BlindIndex;
  /** Citizens' PINs (login, signing and account approvals; registration). */
  pins: PinHasher;
  /** Officers' and administrators' passwords: a pool of its own at the lowest CPU priority. */
  passwords: PinHasher;
  otp: OtpService;
  /** Queues SMS and e-mail (notify/notification-jobs.ts); a worker sends them. */
  notifier: Notifier;
  /** Sends a message now: only the notification worker calls it. */
  sendMessage: Dispatch;
  proofs: DeviceProofVerifier;
  outbox: Outbox;
  /** Web Push to registered devices (VAPID keys from platform_keys). */
  push: PushSender;
  /** The civil registry (absent when not configured: registry evidence is then not computed). */
  registry: CivilRegistry | undefined;
  /** Prometheus metrics of this process (served on METRICS_PORT). */
  metrics: Metrics;
  /** Signed checkpoints of the audit chain's head, written outside the database. */
  auditCheckpoints: AuditCheckpointer;
  /**
   * The relying parties the OIDC provider looks up, kept for OIDC_CLIENT_CACHE_SECONDS; whatever
   * changes a relying party calls `forget` (oidc/client-cache.ts).
   */
  oidcClients: ClientCache;
  /**
   * The relying parties' registry rows (names, domain, logo shown on the login page and the phone),
   * kept as long as `oidcClients` and forgotten with it.
   */
  relyingParties: ClientCache<RelyingParty>;
  /** OpenTelemetry traces (exported only when OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  tracer?: Tracer;
  close(): Promise<void>;
}

export interface DepsOverrides {
  clock?: Clock;
  logger?: Logger;
  database?: {
    db: Kysely<Database>;
    kind: DatabaseKind;
    ping(): Promise<void>;
    close?(): Promise<void>;
    poolStats?(): { total: number; idle: number; waiting: number; max: number };
  };
  hot?: HotState;
  sms?: SmsSender;
  mail?: MailSender;
  outbox?: Outbox;
  registry?: CivilRegistry;
  /** Extra trust for push services (tests run a local one with its own certificate). */
  pushAgent?: Agent;
  /** Where audit checkpoints go (default: files in AUDIT_CHECKPOINT_DIR). */
  auditCheckpointStore?: CheckpointStore;
}

export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<Deps> {
  const logger =
    overrides.logger ?? createLogger(config.logLevel, { asynchronous: config.env === 'production' });
  const clock = overrides.clock ?? systemClock;
  const outbox = overrides.outbox ?? new Outbox(clock);

  let database = overrides.database;
  let closeDb: (() => Promise<void>) | undefined = overrides.database?.close;
  if (!database) {
    const url = config.database.url;
    if (url) {
      // Migrations may run longer than any request's statement: a connection of their own,
      // without the query timeout, closed before the server pool opens.
      const migrating = await openDatabase({ url, poolSize: 1 });
      try {
        await migrateToLatest(migrating.db);
      } finally {
        await migrating.close();
      }
    }
    const opened = await openDatabase({
      url,
      dataDir: url ? undefined : `${config.database.dataDir}/pglite`,
      poolSize: config.database.poolSize,
      connectTimeoutMs: config.database.connectTimeoutMs,
      queryTimeoutMs: config.database.queryTimeoutMs,
      keepAliveDelayMs: config.database.keepAliveMs,
      onIdleError: (error) => logger.warn({ err: error }, 'idle database connection lost'),
    });
    if (!url) await migrateToLatest(opened.db);
    database = opened;
    closeDb = opened.close;
  }
  // With tracing on, every statement run for a request or a job is a span (observability/tracing.ts).
  const tracer = new Tracer({
    endpoint: config.tracing.endpoint,
    serviceName: config.tracing.serviceName,
    role: config.role.name,
    logger,
    clock,
  });
  const db = tracer.enabled ? database.db.withPlugin(databaseTracing(tracer)) : database.db;
  const hot =
    overrides.hot ??
    openHotState(
      {
        url: config.redis.url,
        sentinels: config.redis.sentinels,
        sentinelMaster: config.redis.sentinelMaster,
      },
      config.redis.keyPrefix,
      logger,
      {
        connectTimeoutMs: config.redis.connectTimeoutMs,
        commandTimeoutMs: config.redis.commandTimeoutMs,
        reconnectMaxDelayMs: config.redis.reconnectMaxDelayMs,
      },
      // Without Redis the security state (counters, nonces, claims) is kept in the database.
      db,
    );

  const sms =
    overrides.sms ??
    (config.sms.gatewayUrl
      ? new HttpSmsGateway(config.sms.gatewayUrl, config.sms.gatewayToken, config.sms.timeoutMs)
      : new OutboxSms(outbox));
  const smtpUrl = config.mail.smtpUrl;
  if (!overrides.mail && !smtpUrl)
    throw new Error('SMTP_URL is required (npm start runs a local SMTP sink in development)');
  const mail = overrides.mail ?? new SmtpMailSender(smtpUrl as string, config.mail.from);
  const sendMessage = directDispatch(sms, mail);
  const envelope = new Envelope(config.secrets.keks);
  const notifier = new Notifier(queuedDispatch({ db, envelope, clock, hot }));

  const pins = new PinHasher({
    pepper: config.secrets.pinPepper,
    memoryKib: config.argon2.memoryKib,
    timeCost: config.argon2.timeCost,
    threads: config.argon2.threads,
    maxQueue: config.argon2.maxQueue,
    nice: PIN_THREAD_NICE,
    name: 'pin',
  });
  // Same pepper and format as PINs (existing officer verifiers stay valid), separate threads.
  const passwords = new PinHasher({
    pepper: config.secrets.pinPepper,
    memoryKib: config.argon2.memoryKib,
    timeCost: config.argon2.timeCost,
    threads: config.argon2.passwordThreads,
    maxQueue: config.argon2.passwordMaxQueue,
    nice: LOW_PRIORITY_NICE,
    name: 'password',
  });
  const blindIndex = new BlindIndex(config.secrets.blindIndexKey);
  const otp = new OtpService({
    db: db,
    hot,
    clock,
    key: config.secrets.otpKey,
    blindIndex,
    settings: config.otp,
    // Queued in the send's own transaction; the workers are woken once it has committed.
    deliver: (d, trx) => notifier.deliverOtp(d, trx),
    delivered: () => wakeNotificationWorkers(hot),
  });
  // The thresholds are set now; the models (~230 MB) load on first use only (a selfie checked at
  // upload, an evidence job, an Open KYC call), in the face pool's worker thread (proofing/face.ts),
  // so a web process that never sees a face stays small and a face never holds the event loop.
  configureFaceEngine(config.face.thresholds, {
    threads: config.face.threads,
    maxQueue: config.face.maxQueue,
  });
  const proofs = new DeviceProofVerifier(hot, clock, {
    publicUrl: config.http.publicUrl,
    maxAgeSeconds: config.device.proofMaxAgeSeconds,
    nonceTtlSeconds: config.device.nonceTtlSeconds,
  });

  const auditCheckpoints = new AuditCheckpointer({
    db: db,
    key: config.audit.keys[0] as AuditKey,
    clock,
    store: overrides.auditCheckpointStore ?? new FileCheckpointStore(config.audit.checkpointDir),
    logger,
    everyEvents: config.audit.checkpointEveryEvents,
    everyMinutes: config.audit.checkpointEveryMinutes,
  });
  const releaseAuditChain = useAuditChain({
    keys: config.audit.keys,
    appended: () => auditCheckpoints.appended(),
  });
  auditCheckpoints.start();

  const deps: Deps = {
    config,
    db: db,
    dbKind: database.kind,
    pingDb: () => (database as { ping(): Promise<void> }).ping(),
    hot,
    clock,
    logger,
    envelope,
    blindIndex,
    pins,
    passwords,
    otp,
    notifier,
    sendMessage,
    proofs,
    outbox,
    // Set just below: the sender reads the VAPID keys through deps (database, envelope).
    push: undefined as unknown as PushSender,
    metrics: new Metrics({
      role: config.role.name,
      dbPool: database.poolStats ? () => database?.poolStats?.() : undefined,
      pinPool: () => pins.stats(),
      passwordPool: () => passwords.stats(),
      pingDb: () => (database as { ping(): Promise<void> }).ping(),
      pingHot: hot.kind === 'redis' ? () => hot.ping() : undefined,
    }),
    registry:
      overrides.registry ??
      (config.registry.url
        ? new HttpCivilRegistry(config.registry.url, config.registry.token, config.registry.timeoutMs)
        : undefined),
    auditCheckpoints,
    // Set just below: it reads the registry through deps (database, envelope).
    oidcClients: undefined as unknown as ClientCache,
    relyingParties: undefined as unknown as ClientCache<RelyingParty>,
    tracer,
    async close() {
      await auditCheckpoints.close();
      await tracer.close();
      releaseAuditChain();
      await Promise.all([pins.close(), passwords.close(), releaseFaceEngine()]);
      mail.close();
      if (!overrides.hot) await hot.close();
      if (closeDb) await closeDb();
    },
  };
  deps.push = new WebPushSender(() => vapidKeys(deps), overrides.pushAgent);
  deps.relyingParties = new ClientCache(
    (clientId) => findRelyingParty(deps.db, clientId),
    clock,
    config.oidc.clientCacheSeconds,
  );
  deps.oidcClients = new ClientCache(
    (clientId) => activeClientMetadata(deps.db, deps.envelope, clientId, config.http.publicUrl),
    clock,
    config.oidc.clientCacheSeconds,
    undefined,
    [deps.relyingParties],
  );
  // Migration 0022's keyed data step, before anything serves: rows still holding personal data
  // in clear are sealed (none after the first start; idempotent, batched, one transaction each).
  const sealed = await sealPlaintextRows(deps.db, deps);
  if (sealed > 0) logger.info({ accounts: sealed }, 'personal data of older accounts sealed');
  // Migration 0024's keyed data step: OTP rows still holding a phone number or e-mail address in
  // clear get its keyed index instead (none after the first start; idempotent, batched).
  const keyed = await keyClearOtpTargets(deps.db, blindIndex, clock.now());
  if (keyed > 0) logger.info({ rows: keyed }, 'clear targets of older one-time code rows keyed');
  return deps;
}
