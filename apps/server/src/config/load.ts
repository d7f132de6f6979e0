/**
 * Reads the environment once into a typed, validated, frozen Config (house-style rule 9).
 * A missing or malformed value throws a ConfigError naming every offending variable, and the
 * process stops before it listens. Development secrets are generated and persisted on demand.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWorkingDays, parseWorkingPeriods } from '@camdigikey/core/calendar/working-hours';
import { VARIABLES, type VariableName } from './schema';
import { SECRET_FACTORIES as DEV_SECRET_FACTORIES } from './secrets';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;
type Raw = { [K in VariableName]: unknown };

/** Development only: secrets generated on first start and kept in DATA_DIR/dev-secrets.json. */
function developmentSecrets(dataDir: string, ephemeral: boolean): Record<string, string> {
  const file = join(dataDir, 'dev-secrets.json');
  const stored: Record<string, string> =
    !ephemeral && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  let changed = false;
  for (const [name, make] of Object.entries(DEV_SECRET_FACTORIES)) {
    if (!stored[name]) {
      stored[name] = make();
      changed = true;
    }
  }
  if (changed && !ephemeral) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return stored;
}

function parseRaw(env: Env): { raw: Raw; problems: string[] } {
  const problems: string[] = [];
  const production = (env.NODE_ENV ?? 'development') === 'production';
  const dataDir = env.DATA_DIR || VARIABLES.DATA_DIR.default;
  const needDevSecrets = !production && Object.keys(DEV_SECRET_FACTORIES).some((name) => !env[name]);
  // Tests (NODE_ENV=test) get fresh secrets per process and write nothing to disk.
  const devSecrets = needDevSecrets ? developmentSecrets(dataDir, env.NODE_ENV === 'test') : {};
  const raw = {} as Record<string, unknown>;
  for (const [name, spec] of Object.entries(VARIABLES)) {
    let value = env[name];
    if (value === '') value = undefined;
    if (value === undefined && 'default' in spec) value = spec.default;
    if (value === undefined && !production && name in devSecrets) value = devSecrets[name];
    if (value === undefined) {
      const optional = 'optional' in spec || spec.schema.safeParse(undefined).success;
      if (!optional) problems.push(`${name} is required: ${spec.description}`);
      raw[name] = undefined;
      continue;
    }
    const parsed = spec.schema.safeParse(value);
    if (parsed.success) raw[name] = parsed.data;
    else {
      const reason = parsed.error.issues.map((i) => i.message).join('; ');
      const shown = 'secret' in spec && spec.secret ? '(secret hidden)' : JSON.stringify(value);
      problems.push(`${name} is malformed ${shown}: ${reason}`);
    }
  }
  return { raw: raw as Raw, problems };
}

const keyBytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

/** `id:base64key[,id:base64key…]` (DATA_KEKS, AUDIT_KEYS). */
export const parseKeyList = (list: string) =>
  list.split(',').map((entry) => {
    const [id, key] = entry.split(':') as [string, string];
    return { id, key: keyBytes(key) };
  });

/**
 * What `npm run audit:verify` needs (the audit keys, the database, the checkpoint folder), without
 * the rest of the server's secrets. Development reads the keys from DATA_DIR/dev-secrets.json.
 */
export function loadAuditSettings(env: Env = process.env) {
  const production = (env.NODE_ENV ?? 'development') === 'production';
  const dataDir = env.DATA_DIR || VARIABLES.DATA_DIR.default;
  let keys = env.AUDIT_KEYS || undefined;
  const devFile = join(dataDir, 'dev-secrets.json');
  if (!keys && !production && existsSync(devFile))
    keys = (JSON.parse(readFileSync(devFile, 'utf8')) as Record<string, string | undefined>).AUDIT_KEYS;
  if (!keys) throw new ConfigError([`AUDIT_KEYS is required: ${VARIABLES.AUDIT_KEYS.description}`]);
  if (!VARIABLES.AUDIT_KEYS.schema.safeParse(keys).success)
    throw new ConfigError(['AUDIT_KEYS is malformed (secret hidden): must be id:base64key[,id:base64key…]']);
  return {
    keys: parseKeyList(keys),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    checkpointDir: env.AUDIT_CHECKPOINT_DIR || join(dataDir, 'audit-checkpoints'),
  };
}

/**
 * What `npm run pii` needs (the data keys, the blind-index key, the database), without the rest of
 * the server's secrets. Development reads the keys from DATA_DIR/dev-secrets.json.
 */
export function loadPersonalDataSettings(env: Env = process.env) {
  const production = (env.NODE_ENV ?? 'development') === 'production';
  const dataDir = env.DATA_DIR || VARIABLES.DATA_DIR.default;
  const devFile = join(dataDir, 'dev-secrets.json');
  const dev: Record<string, string | undefined> =
    !production && existsSync(devFile) ? JSON.parse(readFileSync(devFile, 'utf8')) : {};
  const keks = env.DATA_KEKS || dev.DATA_KEKS;
  const blindIndexKey = env.BLIND_INDEX_KEY || dev.BLIND_INDEX_KEY;
  const problems: string[] = [];
  if (!keks) problems.push(`DATA_KEKS is required: ${VARIABLES.DATA_KEKS.description}`);
  else if (!VARIABLES.DATA_KEKS.schema.safeParse(keks).success)
    problems.push('DATA_KEKS is malformed (secret hidden)');
  if (!blindIndexKey) problems.push(`BLIND_INDEX_KEY is required: ${VARIABLES.BLIND_INDEX_KEY.description}`);
  else if (!VARIABLES.BLIND_INDEX_KEY.schema.safeParse(blindIndexKey).success)
    problems.push('BLIND_INDEX_KEY is malformed (secret hidden)');
  if (problems.length > 0 || !keks || !blindIndexKey) throw new ConfigError(problems);
  return {
    keks: parseKeyList(keks),
    blindIndexKey: keyBytes(blindIndexKey),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
  };
}

export function loadConfig(env: Env = process.env) {
  const { raw: r, problems } = parseRaw(env);
  const periods = typeof r.WORKING_PERIODS === 'string' ? parseWorkingPeriods(r.WORKING_PERIODS) : undefined;
  if (periods && !periods.ok)
    problems.push(`WORKING_PERIODS is malformed: ${JSON.stringify(periods.detail ?? {})}`);
  const days = typeof r.WORKING_DAYS === 'string' ? parseWorkingDays(r.WORKING_DAYS) : undefined;
  if (days && !days.ok) problems.push(`WORKING_DAYS is malformed: ${JSON.stringify(days.detail ?? {})}`);
  if (r.NODE_ENV === 'production' && r.DEV_OUTBOX === true)
    problems.push('DEV_OUTBOX cannot be enabled in production');
  if (Number(r.FACE_MATCH_REVIEW_THRESHOLD) > Number(r.FACE_MATCH_THRESHOLD))
    problems.push('FACE_MATCH_REVIEW_THRESHOLD must not be above FACE_MATCH_THRESHOLD');
  if (Number(r.FACE_MATCH_THRESHOLD) > Number(r.FACE_MATCH_CONFIDENT_THRESHOLD))
    problems.push('FACE_MATCH_THRESHOLD must not be above FACE_MATCH_CONFIDENT_THRESHOLD');
  const auditKeys = typeof r.AUDIT_KEYS === 'string' ? parseKeyList(r.AUDIT_KEYS) : [];
  if (auditKeys.some((k) => k.id === 'legacy'))
    problems.push('AUDIT_KEYS: the key id "legacy" is reserved for the rows chained before keys');
  if (auditKeys.some((k) => k.key.length < 32)) problems.push('AUDIT_KEYS: every key must be ≥ 32 bytes');
  if (new Set(auditKeys.map((k) => k.id)).size !== auditKeys.length)
    problems.push('AUDIT_KEYS: every key needs an id of its own');
  if (problems.length > 0) throw new ConfigError(problems);

  const v: Record<VariableName, unknown> = r;
  const port = v.PORT as number;
  const publicUrl = new URL((v.PUBLIC_URL as string | undefined) ?? `http://localhost:${port || 8080}`);
  const production = v.NODE_ENV === 'production';
  const warnings = startupWarnings(v, publicUrl);
  const role = v.SERVER_ROLE as 'all' | 'web' | 'worker';
  const keks = parseKeyList(v.DATA_KEKS as string);
  const config = {
    env: v.NODE_ENV as 'development' | 'test' | 'production',
    /** What this process runs (SERVER_ROLE): the HTTP APIs, the background work, or both. */
    role: { name: role, web: role !== 'worker', worker: role !== 'web' },
    /** Things worth a line in the log at start-up (configuration that is valid but suspicious). */
    warnings,
    http: {
      host: v.HOST as string,
      port,
      publicUrl: publicUrl.origin + publicUrl.pathname.replace(/\/$/, ''),
      trustProxy: v.TRUST_PROXY as boolean,
      shutdownGraceMs: v.SHUTDOWN_GRACE_MS as number,
      maxInFlight: v.HTTP_MAX_IN_FLIGHT as number,
      maxImageBytes: v.UPLOAD_MAX_IMAGE_BYTES as number,
      maxBodyBytes: v.UPLOAD_MAX_BODY_BYTES as number,
    },
    database: {
      url: v.DATABASE_URL as string | undefined,
      poolSize: v.DATABASE_POOL_SIZE as number,
      connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT_MS as number,
      queryTimeoutMs: v.DATABASE_QUERY_TIMEOUT_MS as number,
      keepAliveMs: v.DATABASE_KEEPALIVE_MS as number,
      dataDir: v.DATA_DIR as string,
    },
    redis: {
      url: v.REDIS_URL as string | undefined,
      keyPrefix: v.REDIS_KEY_PREFIX as string,
      sentinels: parseHostPorts(v.REDIS_SENTINELS as string | undefined),
      sentinelMaster: v.REDIS_SENTINEL_MASTER as string,
      connectTimeoutMs: v.REDIS_CONNECT_TIMEOUT_MS as number,
      commandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS as number,
      reconnectMaxDelayMs: v.REDIS_RECONNECT_MAX_DELAY_MS as number,
    },
    metrics: {
      port: v.METRICS_PORT as number | undefined,
      host: v.METRICS_HOST as string,
      token: v.METRICS_TOKEN as string | undefined,
    },
    logLevel: v.LOG_LEVEL as string,
    audit: {
      /** The first chains new rows and signs checkpoints; all verify. */
      keys: auditKeys,
      checkpointDir:
        (v.AUDIT_CHECKPOINT_DIR as string | undefined) ?? join(v.DATA_DIR as string, 'audit-checkpoints'),
      checkpointEveryEvents: v.AUDIT_CHECKPOINT_EVERY_EVENTS as number,
      checkpointEveryMinutes: v.AUDIT_CHECKPOINT_EVERY_MINUTES as number,
    },
    secrets: {
      pinPepper: keyBytes(v.PIN_PEPPER as string),
      otpKey: keyBytes(v.OTP_KEY as string),
      blindIndexKey: keyBytes(v.BLIND_INDEX_KEY as string),
      keks,
      adminToken: v.ADMIN_TOKEN as string,
      cookieKeys: (v.COOKIE_KEYS as string).split(',').map((k) => k.trim()),
      pairwiseSalt: keyBytes(v.PAIRWISE_SALT as string),
    },
    oidc: {
      issuer: `${publicUrl.origin}${publicUrl.pathname.replace(/\/$/, '')}/oidc`,
      idTokenTtl: v.ID_TOKEN_TTL_SECONDS as number,
      accessTokenTtl: v.ACCESS_TOKEN_TTL_SECONDS as number,
      codeTtl: v.AUTHORIZATION_CODE_TTL_SECONDS as number,
      refreshTokenTtlDays: v.REFRESH_TOKEN_TTL_DAYS as number,
      sessionHours: v.SSO_SESSION_HOURS as number,
      sessionIdleMinutes: v.SSO_IDLE_MINUTES as number,
      authPerIpPerMinute: v.OIDC_AUTH_PER_IP_PER_MINUTE as number,
      clientCacheSeconds: v.OIDC_CLIENT_CACHE_SECONDS as number,
    },
    login: {
      requestSeconds: v.LOGIN_REQUEST_SECONDS as number,
      qrMaxAgeSeconds: v.QR_MAX_AGE_SECONDS as number,
      pinLockAfter: v.PIN_LOCK_AFTER as number,
      pinLockMinutes: v.PIN_LOCK_MINUTES as number,
      pinRecoveryAfter: v.PIN_RECOVERY_AFTER as number,
    },
    argon2: {
      memoryKib: v.ARGON2_MEMORY_KIB as number,
      timeCost: v.ARGON2_TIME_COST as number,
      threads: (v.PIN_HASH_THREADS as number | undefined) ?? undefined,
      maxQueue: v.PIN_HASH_MAX_QUEUE as number,
      passwordThreads: v.PASSWORD_HASH_THREADS as number,
      passwordMaxQueue: v.PASSWORD_HASH_MAX_QUEUE as number,
    },
    passwords: {
      perIpPerMinute: v.PASSWORD_ATTEMPTS_PER_IP_PER_MINUTE as number,
      perUsernamePerMinute: v.PASSWORD_ATTEMPTS_PER_USERNAME_PER_MINUTE as number,
    },
    otp: {
      ttlSeconds: v.OTP_TTL_SECONDS as number,
      maxFailures: v.OTP_MAX_FAILURES as number,
      lockSeconds: v.OTP_LOCK_SECONDS as number,
      resendSeconds: v.OTP_RESEND_SECONDS as number,
      maxSendsPerHour: v.OTP_MAX_SENDS_PER_HOUR as number,
      maxSendsPerIpPerHour: v.OTP_MAX_SENDS_PER_IP_PER_HOUR as number,
      maxVerifyPerIpPerHour: v.OTP_MAX_VERIFY_PER_IP_PER_HOUR as number,
    },
    flows: {
      idleMinutes: v.FLOW_IDLE_MINUTES as number,
      perIpPerHour: v.FLOWS_PER_IP_PER_HOUR as number,
      minAgeYears: v.MIN_AGE_YEARS as number,
      livenessTimeLimitSeconds: v.LIVENESS_TIME_LIMIT_SECONDS as number,
      livenessMinActions: v.LIVENESS_MIN_ACTIONS as number,
      livenessMaxActions: v.LIVENESS_MAX_ACTIONS as number,
      livenessChallengesPerHour: v.LIVENESS_CHALLENGES_PER_HOUR as number,
    },
    recovery: {
      maxFailuresPerDay: v.RECOVERY_MAX_FAILURES_PER_DAY as number,
      coolingOffHours: v.RECOVERY_COOLING_OFF_HOURS as number,
    },
    device: {
      proofMaxAgeSeconds: v.DEVICE_PROOF_MAX_AGE_SECONDS as number,
      nonceTtlSeconds: v.DEVICE_NONCE_TTL_SECONDS as number,
      noncesPerIpPerMinute: v.DEVICE_NONCES_PER_IP_PER_MINUTE as number,
    },
    webauthn: {
      rpId: (v.WEBAUTHN_RP_ID as string | undefined) ?? publicUrl.hostname,
      rpName: v.WEBAUTHN_RP_NAME as string,
      origins: ((v.WEBAUTHN_ORIGINS as string | undefined) ?? publicUrl.origin)
        .split(',')
        .map((o) => o.trim()),
    },
    review: {
      workingHours: v.REVIEW_WORKING_HOURS as number,
      periods: periods?.ok ? periods.value : [],
      workingDays: days?.ok ? days.value : [],
      utcOffsetMinutes: v.WORKING_UTC_OFFSET_MINUTES as number,
    },
    jobs: {
      /** Evidence jobs run here: a worker role (SERVER_ROLE all or worker) with EVIDENCE_WORKER on. */
      evidenceWorker: role !== 'web' && (v.EVIDENCE_WORKER as boolean),
      pollMs: v.EVIDENCE_POLL_MS as number,
      leaseSeconds: v.JOB_LEASE_SECONDS as number,
    },
    kyc: { callsPerMinute: v.KYC_CALLS_PER_MINUTE as number },
    clientAuth: {
      maxFailures: v.CLIENT_AUTH_MAX_FAILURES as number,
      lockSeconds: v.CLIENT_AUTH_LOCK_SECONDS as number,
    },
    push: {
      subject: v.PUSH_SUBJECT as string,
      allowHttpEndpoints: v.PUSH_ALLOW_HTTP_ENDPOINTS as boolean,
    },
    signing: {
      certificateDays: v.SIGNING_CERTIFICATE_DAYS as number,
      renewDays: v.SIGNING_CERTIFICATE_RENEW_DAYS as number,
      requestSeconds: v.SIGNING_REQUEST_SECONDS as number,
      timestamp: v.SIGNING_TIMESTAMP as boolean,
    },
    approvals: {
      maxPending: v.APPROVALS_MAX_PENDING as number,
      notMeBlockMinutes: v.APPROVALS_NOT_ME_BLOCK_MINUTES as number,
      perAccountPerHour: v.APPROVALS_PER_ACCOUNT_PER_HOUR as number,
      perClientPerHour: v.APPROVALS_PER_CLIENT_PER_HOUR as number,
    },
    clientApi: {
      tlsPort: v.CLIENT_API_TLS_PORT as number | undefined,
      requireClientCert: v.CLIENT_API_REQUIRE_CLIENT_CERT as boolean,
      loginTokenSeconds: v.CLIENT_API_LOGIN_TOKEN_SECONDS as number,
      authTokenSeconds: v.CLIENT_API_AUTH_TOKEN_SECONDS as number,
      accessTokenMinutes: v.CLIENT_API_ACCESS_TOKEN_MINUTES as number,
      organizationTokenMinutes: v.CLIENT_API_ORGANIZATION_TOKEN_MINUTES as number,
      accountTokenMinutes: v.CLIENT_API_ACCOUNT_TOKEN_MINUTES as number,
      requestSkewSeconds: v.CLIENT_API_REQUEST_SKEW_SECONDS as number,
    },
    face: {
      threads: v.FACE_ENGINE_THREADS as number,
      maxQueue: v.FACE_ENGINE_MAX_QUEUE as number,
      thresholds: {
        match: v.FACE_MATCH_THRESHOLD as number,
        confident: v.FACE_MATCH_CONFIDENT_THRESHOLD as number,
        matchReview: v.FACE_MATCH_REVIEW_THRESHOLD as number,
        sameFace: v.LIVENESS_SAME_FACE_THRESHOLD as number,
        minAntispoof: v.LIVENESS_MIN_ANTISPOOF as number,
        minLive: v.LIVENESS_MIN_LIVE as number,
      },
    },
    registry: {
      url: v.CIVIL_REGISTRY_URL as string | undefined,
      token: v.CIVIL_REGISTRY_TOKEN as string | undefined,
      timeoutMs: v.CIVIL_REGISTRY_TIMEOUT_MS as number,
    },
    mail: { smtpUrl: v.SMTP_URL as string | undefined, from: v.MAIL_FROM as string },
    tracing: {
      endpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT as string | undefined,
      serviceName: v.OTEL_SERVICE_NAME as string,
    },
    sms: {
      gatewayUrl: v.SMS_GATEWAY_URL as string | undefined,
      gatewayToken: v.SMS_GATEWAY_TOKEN as string | undefined,
      timeoutMs: v.SMS_GATEWAY_TIMEOUT_MS as number,
    },
    devOutbox: !production && ((v.DEV_OUTBOX as boolean | undefined) ?? true),
    demoData: !production && ((v.DEMO_DATA as boolean | undefined) ?? true),
    sandboxRpPort: v.SANDBOX_RP_PORT as number,
  };
  return deepFreeze(config);
}

export type Config = ReturnType<typeof loadConfig>;

function parseHostPorts(list: string | undefined): { host: string; port: number }[] | undefined {
  if (!list) return undefined;
  return list.split(',').map((entry) => {
    const at = entry.lastIndexOf(':');
    return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
  });
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A PUBLIC_URL on this machine whose port is not the one the server listens on is almost always
 * a mistake (PORT changed, PUBLIC_URL forgotten): every device proof would then name the wrong
 * URL ("The app signature does not match this request"). Behind a proxy (TRUST_PROXY) or with a
 * public host name the ports differ on purpose.
 */
function startupWarnings(v: Record<VariableName, unknown>, publicUrl: URL): string[] {
  const warnings: string[] = [];
  const port = v.PORT as number;
  const publicPort = Number(publicUrl.port || (publicUrl.protocol === 'https:' ? 443 : 80));
  if (
    v.PUBLIC_URL !== undefined &&
    port !== 0 &&
    !(v.TRUST_PROXY as boolean) &&
    LOOPBACK_HOSTS.has(publicUrl.hostname) &&
    publicPort !== port
  )
    warnings.push(
      `PUBLIC_URL ${publicUrl.origin} names port ${publicPort} but the server listens on PORT ${port}: device proofs and links will name the wrong port (unset PUBLIC_URL to derive it from PORT)`,
    );
  return warnings;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
