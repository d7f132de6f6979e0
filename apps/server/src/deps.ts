/**
 * The composition root: builds every port and service from the configuration. Tests pass
 * overrides (a manual clock, a prepared database, a test SMTP server) and get the same wiring.
 */
import type { Agent } from 'node:https';
import { type Database, type DatabaseKind, migrateToLatest, openDatabase } from '@camdigikey/db';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config/load';
import { Envelope } from './crypto/envelope';
import { BlindIndex } from './crypto/keyed-hash';
import { DeviceProofVerifier } from './device/proof';
import type { HotState } from './infra/hot-state';
import { openHotState } from './infra/open-hot-state';
import { createLogger } from './logging';
import { OtpService } from './otp/otp-service';
import { PinHasher } from './pin/pin-hasher';
import { type CivilRegistry, HttpCivilRegistry } from './ports/civil-registry';
import { type Clock, systemClock } from './ports/clock';
import { type MailSender, SmtpMailSender } from './ports/mail';
import { Notifier } from './ports/notifier';
import { Outbox } from './ports/outbox';
import { type PushSender, WebPushSender } from './ports/push';
import { HttpSmsGateway, OutboxSms, type SmsSender } from './ports/sms';
import { configureFaceEngine } from './proofing/face';
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
  pins: PinHasher;
  otp: OtpService;
  notifier: Notifier;
  proofs: DeviceProofVerifier;
  outbox: Outbox;
  /** Web Push to registered devices (VAPID keys from platform_keys). */
  push: PushSender;
  /** The civil registry (absent when not configured: registry evidence is then not computed). */
  registry: CivilRegistry | undefined;
  close(): Promise<void>;
}

export interface DepsOverrides {
  clock?: Clock;
  logger?: Logger;
  database?: { db: Kysely<Database>; kind: DatabaseKind; ping(): Promise<void>; close?(): Promise<void> };
  hot?: HotState;
  sms?: SmsSender;
  mail?: MailSender;
  outbox?: Outbox;
  registry?: CivilRegistry;
  /** Extra trust for push services (tests run a local one with its own certificate). */
  pushAgent?: Agent;
}

export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<Deps> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const outbox = overrides.outbox ?? new Outbox();

  let database = overrides.database;
  let closeDb: (() => Promise<void>) | undefined = overrides.database?.close;
  if (!database) {
    const opened = await openDatabase({
      url: config.database.url,
      dataDir: config.database.url ? undefined : `${config.database.dataDir}/pglite`,
      poolSize: config.database.poolSize,
      onIdleError: (error) => logger.warn({ err: error }, 'idle database connection lost'),
    });
    await migrateToLatest(opened.db);
    database = opened;
    closeDb = opened.close;
  }
  const hot = overrides.hot ?? openHotState(config.redis.url, config.redis.keyPrefix);

  const sms =
    overrides.sms ??
    (config.sms.gatewayUrl
      ? new HttpSmsGateway(config.sms.gatewayUrl, config.sms.gatewayToken, config.sms.timeoutMs)
      : new OutboxSms(outbox));
  const smtpUrl = config.mail.smtpUrl;
  if (!overrides.mail && !smtpUrl)
    throw new Error('SMTP_URL is required (npm start runs a local SMTP sink in development)');
  const mail = overrides.mail ?? new SmtpMailSender(smtpUrl as string, config.mail.from);
  const notifier = new Notifier(sms, mail);

  const pins = new PinHasher({
    pepper: config.secrets.pinPepper,
    memoryKib: config.argon2.memoryKib,
    timeCost: config.argon2.timeCost,
    threads: config.argon2.threads,
  });
  const otp = new OtpService({
    db: database.db,
    hot,
    clock,
    key: config.secrets.otpKey,
    settings: config.otp,
    deliver: (d) => notifier.deliverOtp(d),
  });
  configureFaceEngine(config.face.thresholds);
  const proofs = new DeviceProofVerifier(hot, clock, {
    publicUrl: config.http.publicUrl,
    maxAgeSeconds: config.device.proofMaxAgeSeconds,
    nonceTtlSeconds: config.device.nonceTtlSeconds,
  });

  const deps: Deps = {
    config,
    db: database.db,
    dbKind: database.kind,
    pingDb: () => (database as { ping(): Promise<void> }).ping(),
    hot,
    clock,
    logger,
    envelope: new Envelope(config.secrets.keks),
    blindIndex: new BlindIndex(config.secrets.blindIndexKey),
    pins,
    otp,
    notifier,
    proofs,
    outbox,
    // Set just below: the sender reads the VAPID keys through deps (database, envelope).
    push: undefined as unknown as PushSender,
    registry:
      overrides.registry ??
      (config.registry.url
        ? new HttpCivilRegistry(config.registry.url, config.registry.token, config.registry.timeoutMs)
        : undefined),
    async close() {
      await pins.close();
      mail.close();
      if (!overrides.hot) await hot.close();
      if (closeDb) await closeDb();
    },
  };
  deps.push = new WebPushSender(() => vapidKeys(deps), overrides.pushAgent);
  return deps;
}
