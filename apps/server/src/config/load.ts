/**
 * Reads the environment once into a typed, validated, frozen Config (house-style rule 9).
 * A missing or malformed value throws a ConfigError naming every offending variable, and the
 * process stops before it listens. Development secrets are generated and persisted on demand.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWorkingDays, parseWorkingPeriods } from '@camdigikey/core/calendar/working-hours';
import { VARIABLES, type VariableName } from './schema';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;
type Raw = { [K in VariableName]: unknown };

const DEV_SECRET_FACTORIES: Partial<Record<VariableName, () => string>> = {
  PIN_PEPPER: () => randomBytes(32).toString('base64'),
  OTP_KEY: () => randomBytes(32).toString('base64'),
  DATA_KEKS: () => `dev1:${randomBytes(32).toString('base64')}`,
  BLIND_INDEX_KEY: () => randomBytes(32).toString('base64'),
  ADMIN_TOKEN: () => randomBytes(32).toString('base64url'),
  COOKIE_KEYS: () => randomBytes(32).toString('base64url'),
  PAIRWISE_SALT: () => randomBytes(32).toString('base64'),
};

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
  if (problems.length > 0) throw new ConfigError(problems);

  const v: Record<VariableName, unknown> = r;
  const publicUrl = new URL(v.PUBLIC_URL as string);
  const production = v.NODE_ENV === 'production';
  const keks = (v.DATA_KEKS as string).split(',').map((entry) => {
    const [id, key] = entry.split(':') as [string, string];
    return { id, key: keyBytes(key) };
  });
  const config = {
    env: v.NODE_ENV as 'development' | 'test' | 'production',
    http: {
      host: v.HOST as string,
      port: v.PORT as number,
      publicUrl: publicUrl.origin + publicUrl.pathname.replace(/\/$/, ''),
      trustProxy: v.TRUST_PROXY as boolean,
      shutdownGraceMs: v.SHUTDOWN_GRACE_MS as number,
      maxImageBytes: v.UPLOAD_MAX_IMAGE_BYTES as number,
      maxBodyBytes: v.UPLOAD_MAX_BODY_BYTES as number,
    },
    database: {
      url: v.DATABASE_URL as string | undefined,
      poolSize: v.DATABASE_POOL_SIZE as number,
      dataDir: v.DATA_DIR as string,
    },
    redis: { url: v.REDIS_URL as string | undefined, keyPrefix: v.REDIS_KEY_PREFIX as string },
    logLevel: v.LOG_LEVEL as string,
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
      livenessActionCount: v.LIVENESS_ACTION_COUNT as number,
    },
    recovery: {
      maxFailuresPerDay: v.RECOVERY_MAX_FAILURES_PER_DAY as number,
      coolingOffHours: v.RECOVERY_COOLING_OFF_HOURS as number,
    },
    device: {
      proofMaxAgeSeconds: v.DEVICE_PROOF_MAX_AGE_SECONDS as number,
      nonceTtlSeconds: v.DEVICE_NONCE_TTL_SECONDS as number,
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
      evidenceWorker: v.EVIDENCE_WORKER as boolean,
      pollMs: v.EVIDENCE_POLL_MS as number,
      leaseSeconds: v.JOB_LEASE_SECONDS as number,
    },
    kyc: { callsPerMinute: v.KYC_CALLS_PER_MINUTE as number },
    push: {
      subject: v.PUSH_SUBJECT as string,
      allowHttpEndpoints: v.PUSH_ALLOW_HTTP_ENDPOINTS as boolean,
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
      thresholds: {
        match: v.FACE_MATCH_THRESHOLD as number,
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
    sms: {
      gatewayUrl: v.SMS_GATEWAY_URL as string | undefined,
      gatewayToken: v.SMS_GATEWAY_TOKEN as string | undefined,
      timeoutMs: v.SMS_GATEWAY_TIMEOUT_MS as number,
    },
    devOutbox: !production && ((v.DEV_OUTBOX as boolean | undefined) ?? true),
    demoData: !production && ((v.DEMO_DATA as boolean | undefined) ?? true),
  };
  return deepFreeze(config);
}

export type Config = ReturnType<typeof loadConfig>;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
