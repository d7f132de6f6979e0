/**
 * Every environment variable the identity server reads, with its default and meaning.
 * This file is the single source: `loadConfig` validates against it and docs/configuration.md
 * is generated from it (a test fails when the document is out of date).
 *
 * Secrets have no default in production. In development (`NODE_ENV` not `production`) missing
 * secrets are generated once and kept in DATA_DIR/dev-secrets.json so `npm start` just works.
 */
import { DEFAULT_THRESHOLDS } from '@camdigikey/face-engine/config';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const unit = z.coerce.number().min(0).max(1);
const secret = z
  .string()
  .regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'must be base64')
  .refine((v) => Buffer.from(v, 'base64').length >= 32, 'must decode to at least 32 bytes');

export interface VariableSpec {
  schema: z.ZodType;
  /** Default as the environment would spell it; undefined = optional with no default. */
  default?: string;
  secret?: boolean;
  description: string;
}

export const VARIABLES = {
  NODE_ENV: {
    schema: z.enum(['development', 'test', 'production']),
    default: 'development',
    description: '`production` makes every secret mandatory and turns the development outbox off.',
  },
  HOST: {
    schema: z.string().min(1),
    default: '127.0.0.1',
    description: 'Interface the HTTP server listens on.',
  },
  PORT: {
    schema: int(0, 65535),
    default: '8080',
    description: 'HTTP port of the identity server (0 = any free port).',
  },
  PUBLIC_URL: {
    schema: z.url(),
    optional: true,
    description:
      'External base URL of the server. Device proofs must name URLs under it; it is also the WebAuthn origin unless WEBAUTHN_ORIGINS says otherwise. Default: `http://localhost:PORT`; a start-up warning names a loopback PUBLIC_URL whose port is not PORT.',
  },
  SERVER_ROLE: {
    schema: z.enum(['all', 'web', 'worker']),
    default: 'all',
    description:
      'What this process does: `web` serves HTTP (every API, the apps, the login pages); `worker` runs the background work (evidence jobs, sending the queued SMS and e-mail, scheduled clean-ups, the database-derived metrics) and serves only /healthz, /readyz; `all` does both (the embedded default of `npm start`). Every role shares the database and Redis.',
  },
  METRICS_PORT: {
    schema: int(0, 65535).optional(),
    description:
      'Port of the Prometheus `/metrics` listener (kept off the public port). Unset = no metrics listener.',
  },
  METRICS_HOST: {
    schema: z.string().min(1),
    default: '127.0.0.1',
    description:
      "Interface of the metrics listener (`0.0.0.0` in a container, so the cluster's Prometheus can scrape it; then set METRICS_TOKEN or restrict it by network policy).",
  },
  METRICS_TOKEN: {
    schema: z.string().min(16).optional(),
    secret: true,
    description: 'When set, `/metrics` answers only requests with `Authorization: Bearer <METRICS_TOKEN>`.',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: z.url().optional(),
    description:
      'OpenTelemetry collector (OTLP over HTTP, JSON): when set, every HTTP request, the database statements it runs and every background job are sent as spans to `<endpoint>/v1/traces`, each with its request id or job id. Unset: no tracing.',
  },
  OTEL_SERVICE_NAME: {
    schema: z.string().min(1).max(100),
    default: 'camdigikey',
    description: 'The `service.name` of the spans (the role is in `camdigikey.role`).',
  },
  TRUST_PROXY: {
    schema: bool,
    default: 'false',
    description: 'Trust X-Forwarded-* headers (set when running behind a load balancer).',
  },
  DATABASE_URL: {
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    description:
      'PostgreSQL connection URL. When unset, an embedded PGlite database in DATA_DIR/pglite is used.',
  },
  DATABASE_POOL_SIZE: { schema: int(1, 200), default: '10', description: 'PostgreSQL connection pool size.' },
  DATABASE_CONNECT_TIMEOUT_MS: {
    schema: int(100, 60_000),
    default: '1000',
    description:
      'How long a request waits for a PostgreSQL connection: a new one (connect and start-up) or a free one from the full pool. Beyond it the request is answered 503 with Retry-After.',
  },
  DATABASE_QUERY_TIMEOUT_MS: {
    schema: int(100, 600_000),
    default: '2000',
    description:
      'The longest one PostgreSQL statement may run (`statement_timeout`); the server stops waiting for an answer 0.5 s later, so a frozen database holds no request longer (503 with Retry-After). Migrations at start-up run without it.',
  },
  DATABASE_KEEPALIVE_MS: {
    schema: int(1000, 3_600_000),
    default: '10000',
    description:
      'TCP keepalive of PostgreSQL connections: the first probe after this much silence, so a connection to a vanished server is noticed.',
  },
  DATA_DIR: {
    schema: z.string().min(1),
    default: '.data',
    description: 'Folder for the embedded database and development secrets.',
  },
  REDIS_URL: {
    schema: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
    description:
      'Redis URL for counters, nonces and events between instances. When unset, counters, nonces and claims are kept in the database (they survive a restart) and events stay in-process (single instance only).',
  },
  REDIS_SENTINELS: {
    schema: z
      .string()
      .regex(/^[^\s:,]+:\d+(,[^\s:,]+:\d+)*$/, 'must be host:port[,host:port…]')
      .optional(),
    description:
      'Redis Sentinel addresses (`host:port,…`). When set, the hot state follows the master REDIS_SENTINEL_MASTER through failovers; REDIS_URL then only gives the password and database number (or may be unset).',
  },
  REDIS_SENTINEL_MASTER: {
    schema: z.string().min(1),
    default: 'mymaster',
    description: 'Name of the master monitored by the Redis Sentinels.',
  },
  REDIS_CONNECT_TIMEOUT_MS: {
    schema: int(100, 60_000),
    default: '1000',
    description: 'How long one attempt to connect to Redis may take before it counts as failed.',
  },
  REDIS_COMMAND_TIMEOUT_MS: {
    schema: int(100, 60_000),
    default: '1000',
    description:
      'The longest the server waits for the answer to one Redis command (a frozen or unreachable Redis: the request is answered 503 with Retry-After). While the connection is down, commands fail at once instead of queueing.',
  },
  REDIS_RECONNECT_MAX_DELAY_MS: {
    schema: int(50, 60_000),
    default: '2000',
    description:
      'Redis reconnection back-off: attempts follow each other after 50 ms, doubling up to this delay, for as long as Redis is away.',
  },
  REDIS_KEY_PREFIX: {
    schema: z.string().max(64),
    default: 'cdk:',
    description: 'Prefix of every Redis key and channel.',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    description: 'pino log level.',
  },
  SHUTDOWN_GRACE_MS: {
    schema: int(0, 120_000),
    default: '10000',
    description: 'On SIGTERM, how long in-flight requests may take before the process exits anyway.',
  },
  HTTP_MAX_IN_FLIGHT: {
    schema: int(0, 100_000),
    default: '256',
    description:
      'Requests one process works on at once (health probes and open event streams not counted); beyond that a request is refused at once with 503 and Retry-After instead of queueing. 0 = no bound.',
  },
  PIN_PEPPER: {
    schema: secret,
    secret: true,
    description:
      'Base64 key (≥32 bytes) of the HMAC applied to PINs before Argon2id. Keep outside the database.',
  },
  OTP_KEY: {
    schema: secret,
    secret: true,
    description: 'Base64 key (≥32 bytes) for the keyed hashes of OTP codes.',
  },
  DATA_KEKS: {
    schema: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_-]+={0,2}(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_-]+={0,2})*$/,
        'must be id:base64key[,id:base64key…]',
      ),
    secret: true,
    description:
      'Key-encryption keys for envelope encryption, `id:base64(32 bytes)`, comma-separated; the first encrypts, all decrypt (rotation: new key first, then `npm run keys -- rewrap` re-seals everything under it before an old key is removed; docs/operations.md §6).',
  },
  BLIND_INDEX_KEY: {
    schema: secret,
    secret: true,
    description: 'Base64 key (≥32 bytes) of the keyed blind index used to look up document numbers.',
  },
  ADMIN_TOKEN: {
    schema: z.string().min(32),
    secret: true,
    description:
      'Bearer token of the bootstrap administrator API (holiday calendar) until officer accounts exist.',
  },
  COOKIE_KEYS: {
    schema: z.string().min(32),
    secret: true,
    description: 'Comma-separated keys that sign the login cookies (first signs, all verify: rotation).',
  },
  PAIRWISE_SALT: {
    schema: secret,
    secret: true,
    description: 'Base64 key (≥32 bytes) of pairwise subject identifiers.',
  },
  AUDIT_KEYS: {
    schema: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_-]+={0,2}(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_-]+={0,2})*$/,
        'must be id:base64key[,id:base64key…]',
      ),
    secret: true,
    description:
      'Keys of the audit chain (HMAC-SHA-256) and its checkpoints, `id:base64(≥32 bytes)`, comma-separated: the first chains new rows and signs checkpoints, all verify (rotation: put the new key first, keep the old ones). Keep outside the database; `npm run audit:verify` needs them too.',
  },
  AUDIT_CHECKPOINT_DIR: {
    schema: z.string().min(1),
    optional: true,
    description:
      'Folder the signed audit checkpoints (head row number + hash + time) are appended to, as JSON lines; each is also logged. Ship it off the database host. Default: DATA_DIR/audit-checkpoints.',
  },
  AUDIT_CHECKPOINT_EVERY_EVENTS: {
    schema: int(1, 1_000_000),
    default: '1000',
    description: 'Write an audit checkpoint after this many appended events (by this process).',
  },
  AUDIT_CHECKPOINT_EVERY_MINUTES: {
    schema: int(1, 1440),
    default: '5',
    description:
      'Write an audit checkpoint at least this often when the log has grown (and one on graceful shutdown).',
  },
  ID_TOKEN_TTL_SECONDS: {
    schema: int(60, 300),
    default: '300',
    description: 'Lifetime of an ID token (≤ 5 min).',
  },
  ACCESS_TOKEN_TTL_SECONDS: {
    schema: int(60, 600),
    default: '600',
    description: 'Lifetime of an access token (≤ 10 min).',
  },
  AUTHORIZATION_CODE_TTL_SECONDS: {
    schema: int(10, 60),
    default: '60',
    description: 'Lifetime of an authorization code (≤ 60 s, single use).',
  },
  REFRESH_TOKEN_TTL_DAYS: {
    schema: int(1, 90),
    default: '30',
    description: 'Absolute lifetime of a refresh-token chain (rotated on every use).',
  },
  SSO_SESSION_HOURS: {
    schema: int(1, 24),
    default: '24',
    description: 'Absolute lifetime of the single sign-on session.',
  },
  SSO_IDLE_MINUTES: {
    schema: int(5, 1440),
    default: '60',
    description: 'The single sign-on session ends after this long without use.',
  },
  OIDC_AUTH_PER_IP_PER_MINUTE: {
    schema: int(1, 1_000_000),
    default: '600',
    description:
      'Authorization requests (GET or POST /oidc/auth, each of which stores an interaction) from one IP address per minute; beyond that 429 rate_limited with Retry-After. Generous for a NAT or a carrier-grade NAT (10 login starts a second from one address); one address cannot keep more than about this × 13 interactions (LOGIN_REQUEST_SECONDS + 10 min) alive.',
  },
  OIDC_CLIENT_CACHE_SECONDS: {
    schema: int(0, 300),
    default: '10',
    description:
      'How long an instance keeps a relying party (OIDC client) it has read from the registry, so that authorization and token requests do not read the database each time. A change made through this instance takes effect at once; other instances see it within this many seconds. 0 reads the registry every time.',
  },
  LOGIN_REQUEST_SECONDS: {
    schema: int(60, 600),
    default: '180',
    description: 'Lifetime of a QR login request; the page then offers a new one.',
  },
  QR_MAX_AGE_SECONDS: {
    schema: int(1, 30),
    default: '5',
    description: 'A scanned QR code older than this is refused (the QR changes every second).',
  },
  PIN_LOCK_AFTER: {
    schema: int(3, 10),
    default: '5',
    description: 'Consecutive wrong PINs that lock PIN entry for PIN_LOCK_MINUTES.',
  },
  PIN_LOCK_MINUTES: { schema: int(1, 1440), default: '15', description: 'How long PIN entry stays locked.' },
  PIN_RECOVERY_AFTER: {
    schema: int(5, 10),
    default: '10',
    description: 'Consecutive wrong PINs after which only account recovery helps (≤ 10, NIST).',
  },
  ARGON2_MEMORY_KIB: {
    schema: int(19_456, 4_194_304),
    default: '19456',
    description: 'Argon2id memory cost in KiB (≥ 19 MiB).',
  },
  ARGON2_TIME_COST: { schema: int(2, 20), default: '2', description: 'Argon2id iterations (≥ 2).' },
  PIN_HASH_THREADS: {
    schema: int(1, 64),
    optional: true,
    description:
      "Worker threads of the citizens' PIN hashing pool (officers' passwords have their own: PASSWORD_HASH_THREADS). Default: the number of CPU cores.",
  },
  PIN_HASH_MAX_QUEUE: {
    schema: int(1, 10_000),
    default: '128',
    description:
      'PIN checks that may wait for a hashing thread; beyond that a check is refused at once (503 with Retry-After).',
  },
  PASSWORD_HASH_THREADS: {
    schema: int(1, 16),
    default: '1',
    description:
      "Worker threads of the officers' and administrators' password pool, separate from the PIN pool and at the lowest CPU priority.",
  },
  PASSWORD_HASH_MAX_QUEUE: {
    schema: int(1, 1000),
    default: '8',
    description: 'Password checks that may wait for a thread; beyond that 503 with Retry-After.',
  },
  PASSWORD_ATTEMPTS_PER_IP_PER_MINUTE: {
    schema: int(1, 100_000),
    default: '20',
    description:
      'Console sign-ins (and officer creations) from one IP address per minute; beyond that 429 with Retry-After.',
  },
  PASSWORD_ATTEMPTS_PER_USERNAME_PER_MINUTE: {
    schema: int(1, 100_000),
    default: '10',
    description: 'Console sign-ins for one user name (known or not) per minute; beyond that 429.',
  },
  OTP_TTL_SECONDS: { schema: int(60, 600), default: '300', description: 'Lifetime of an OTP code.' },
  OTP_MAX_FAILURES: {
    schema: int(1, 10),
    default: '5',
    description: 'Wrong tries before a code (and its number) is locked.',
  },
  OTP_LOCK_SECONDS: {
    schema: int(60, 86_400),
    default: '3600',
    description: 'How long a number stays locked after too many wrong codes.',
  },
  OTP_RESEND_SECONDS: {
    schema: int(10, 600),
    default: '60',
    description: 'Minimum time between two codes to the same address.',
  },
  OTP_MAX_SENDS_PER_HOUR: {
    schema: int(1, 100),
    default: '5',
    description: 'Codes sent to one phone number or e-mail address per hour.',
  },
  OTP_MAX_SENDS_PER_IP_PER_HOUR: {
    schema: int(1, 10_000),
    default: '30',
    description: 'Codes requested from one IP address per hour.',
  },
  OTP_MAX_VERIFY_PER_IP_PER_HOUR: {
    schema: int(1, 10_000),
    default: '60',
    description: 'Code verifications from one IP address per hour.',
  },
  FLOWS_PER_IP_PER_HOUR: {
    schema: int(1, 10_000),
    default: '30',
    description: 'Registrations started from one IP address per hour.',
  },
  FLOW_IDLE_MINUTES: {
    schema: int(5, 240),
    default: '30',
    description: 'A flow without activity for this long expires (410).',
  },
  DEVICE_PROOF_MAX_AGE_SECONDS: {
    schema: int(10, 300),
    default: '60',
    description: 'Maximum age of a device proof.',
  },
  DEVICE_NONCES_PER_IP_PER_MINUTE: {
    schema: int(1, 1_000_000),
    default: '1200',
    description:
      'Device-proof nonces (POST /api/device/v1/nonce, one per signed device request) issued to one IP address per minute; beyond that 429 rate_limited with Retry-After. Generous for many phones behind one NAT (20 a second); one address cannot keep more than about this × DEVICE_NONCE_TTL_SECONDS / 60 unused nonces alive.',
  },
  DEVICE_NONCE_TTL_SECONDS: {
    schema: int(30, 900),
    default: '120',
    description: 'Lifetime of a server nonce for device proofs.',
  },
  UPLOAD_MAX_IMAGE_BYTES: {
    schema: int(10_000, 20_000_000),
    default: '4000000',
    description: 'Largest accepted photo (document, selfie, one frame).',
  },
  UPLOAD_MAX_BODY_BYTES: {
    schema: int(100_000, 100_000_000),
    default: '25000000',
    description: 'Largest accepted request body (a liveness recording).',
  },
  WEBAUTHN_RP_ID: {
    schema: z.string().min(1),
    optional: true,
    description: 'WebAuthn relying-party id. Default: the host of PUBLIC_URL.',
  },
  WEBAUTHN_RP_NAME: {
    schema: z.string().min(1),
    default: 'CamDigiKey',
    description: 'WebAuthn relying-party name shown by the phone.',
  },
  WEBAUTHN_ORIGINS: {
    schema: z.string().min(1),
    optional: true,
    description: 'Comma-separated origins allowed in WebAuthn responses. Default: the origin of PUBLIC_URL.',
  },
  LIVENESS_TIME_LIMIT_SECONDS: {
    schema: int(10, 600),
    default: '120',
    description: 'Time to record the liveness challenge after it is issued.',
  },
  LIVENESS_MIN_ACTIONS: {
    schema: int(1, 8),
    default: '3',
    description:
      'Fewest actions in a liveness challenge. Each challenge draws its length between this and LIVENESS_MAX_ACTIONS, distinct actions in random order from turn left/right, nod, look up, tilt left/right, open mouth and move closer, each with a random window (blink is not verifiable by the face engine, so it is never asked).',
  },
  LIVENESS_MAX_ACTIONS: {
    schema: int(1, 8),
    default: '5',
    description:
      'Most actions in a liveness challenge (see LIVENESS_MIN_ACTIONS). The app sends at most 40 frames (a cost bound): up to 5 actions they are at most 436 ms apart, at least 4 in every window; above 5 they are sparser than the action rules were measured at (8 actions: 667 ms apart) and a late camera timer can more easily make a recording shorter than its timeline (docs/liveness-attacks.md, Cost).',
  },
  LIVENESS_CHALLENGES_PER_HOUR: {
    schema: int(1, 100),
    default: '3',
    description:
      'Liveness challenges one flow (or one resubmission) may get in any hour; a new challenge replaces the last but does not reset the count (429 with the wait after that).',
  },
  MIN_AGE_YEARS: {
    schema: int(0, 30),
    default: '15',
    description: 'Minimum age of a registering citizen on the day of submission.',
  },
  REVIEW_WORKING_HOURS: {
    schema: int(1, 200),
    default: '8',
    description: 'Review deadline after submission, in working hours.',
  },
  WORKING_PERIODS: {
    schema: z.string().min(1),
    default: '08:00-12:00,14:00-17:00',
    description: 'Working periods of a working day, local time.',
  },
  WORKING_DAYS: {
    schema: z.string().min(1),
    default: '1-5',
    description: 'Working days as ISO weekdays (1 = Monday).',
  },
  WORKING_UTC_OFFSET_MINUTES: {
    schema: int(-720, 840),
    default: '420',
    description: 'UTC offset of the working calendar (Asia/Phnom_Penh = 420).',
  },
  EVIDENCE_WORKER: {
    schema: bool,
    default: 'true',
    description:
      'Run the identity-proofing evidence jobs (face match, liveness, MRZ checks) in this process.',
  },
  EVIDENCE_POLL_MS: {
    schema: int(100, 600_000),
    default: '5000',
    description:
      'How often the job worker looks for due jobs (it is also woken at once when a job is queued).',
  },
  JOB_LEASE_SECONDS: {
    schema: int(10, 3600),
    default: '300',
    description: 'A claimed job not finished within this time is retried by another worker.',
  },
  CIVIL_REGISTRY_URL: {
    schema: z.url().optional(),
    description:
      'Base URL of the civil registry (Ministry of Interior, over CamDX). When unset in development, `npm start` runs the registry simulator.',
  },
  CIVIL_REGISTRY_TOKEN: {
    schema: z.string().optional(),
    secret: true,
    description: 'Bearer token for the civil registry.',
  },
  CIVIL_REGISTRY_TIMEOUT_MS: {
    schema: int(100, 60_000),
    default: '3000',
    description: 'Timeout of one civil-registry call.',
  },
  FACE_ENGINE_THREADS: {
    schema: int(1, 16),
    default: '1',
    description:
      'Worker threads of the face engine (face match, liveness, selfie quality): each loads its own models (~230 MB) on its first task; the engine never runs on the thread that serves requests.',
  },
  FACE_ENGINE_MAX_QUEUE: {
    schema: int(0, 1000),
    default: '16',
    description:
      'Face analyses that may wait for a face-engine thread; beyond that one is refused at once (503 with Retry-After). A request waits before an evidence job.',
  },
  FACE_MATCH_THRESHOLD: {
    schema: unit,
    default: String(DEFAULT_THRESHOLDS.match),
    description:
      'Face similarity (cosine of the fr_feature embeddings) at or above which two faces are the same person, decided with an officer (measured trade-off in packages/face-engine/src/THRESHOLDS.md).',
  },
  FACE_MATCH_CONFIDENT_THRESHOLD: {
    schema: unit,
    default: String(DEFAULT_THRESHOLDS.confident),
    description:
      'The confident band: face similarity at or above which an AUTOMATIC decision without an officer (recovery) may accept the face; above every impostor pair of the calibration set with a margin (THRESHOLDS.md).',
  },
  FACE_MATCH_REVIEW_THRESHOLD: {
    schema: unit,
    default: String(DEFAULT_THRESHOLDS.matchReview),
    description: 'Face similarity from which a non-match is sent to an officer instead of failing outright.',
  },
  LIVENESS_SAME_FACE_THRESHOLD: {
    schema: unit,
    default: String(DEFAULT_THRESHOLDS.sameFace),
    description: "Every liveness frame must show the first frame's face at least this similar.",
  },
  LIVENESS_MIN_ANTISPOOF: {
    schema: unit,
    default: '0.2',
    description:
      'Median anti-spoofing score a liveness recording must reach (the model is not a certified PAD).',
  },
  LIVENESS_MIN_LIVE: {
    schema: unit,
    default: '0.2',
    description: 'Median liveness-model score a liveness recording must reach.',
  },
  CLIENT_API_TLS_PORT: {
    schema: int(0, 65535).optional(),
    description:
      "HTTPS port of the CamDigiKey client API (v2/v3, rp-protocol.md) with the platform's server certificate; unset = only on the main listener (behind a TLS-terminating proxy).",
  },
  CLIENT_API_REQUIRE_CLIENT_CERT: {
    schema: bool,
    default: 'true',
    description:
      'On CLIENT_API_TLS_PORT, require a client certificate issued by the platform CA and bound to the calling client id.',
  },
  CLIENT_API_LOGIN_TOKEN_SECONDS: {
    schema: int(60, 900),
    default: '300',
    description: 'Lifetime of a client-API login token (the time a citizen has to scan and approve).',
  },
  CLIENT_API_AUTH_TOKEN_SECONDS: {
    schema: int(10, 300),
    default: '60',
    description: 'Lifetime of an auth token (single use, exchanged for an access token).',
  },
  CLIENT_API_ACCESS_TOKEN_MINUTES: {
    schema: int(1, 10),
    default: '10',
    description:
      'Lifetime of a user access token (security rules: at most 10 minutes; refresh before it ends).',
  },
  CLIENT_API_ORGANIZATION_TOKEN_MINUTES: {
    schema: int(1, 60),
    default: '10',
    description: 'Lifetime of an organisation access token.',
  },
  CLIENT_API_ACCOUNT_TOKEN_MINUTES: {
    schema: int(1, 60),
    default: '5',
    description: 'Lifetime of an account token returned by a personal-code lookup.',
  },
  CLIENT_API_REQUEST_SKEW_SECONDS: {
    schema: int(10, 3600),
    default: '300',
    description:
      'A `requestedDate` further than this from the server clock is refused (stale or replayed request).',
  },
  PUSH_SUBJECT: {
    schema: z.string().regex(/^(mailto:|https:)/),
    default: 'mailto:operations@camdigikey.gov.kh',
    description: 'VAPID subject (RFC 8292): how push services can reach the operator.',
  },
  PUSH_ALLOW_HTTP_ENDPOINTS: {
    schema: bool,
    default: 'false',
    description: 'Accept http push endpoints (development only; push services are https).',
  },
  APPROVALS_MAX_PENDING: {
    schema: int(1, 20),
    default: '3',
    description:
      'Backchannel login requests waiting at once for one citizen; more are refused (push-bombing).',
  },
  APPROVALS_PER_ACCOUNT_PER_HOUR: {
    schema: int(1, 1000),
    default: '10',
    description:
      'Backchannel login requests one relying party may send one citizen in an hour (push-bombing).',
  },
  APPROVALS_PER_CLIENT_PER_HOUR: {
    schema: int(1, 1_000_000),
    default: '5000',
    description:
      'Backchannel login requests one relying party may send in an hour, to all citizens together.',
  },
  SIGNING_CERTIFICATE_DAYS: {
    schema: int(1, 397),
    default: '30',
    description:
      "Validity of a citizen's signing certificate (issued for the device key at activation, recovery or a new device; renewed automatically).",
  },
  SIGNING_CERTIFICATE_RENEW_DAYS: {
    schema: int(0, 396),
    default: '7',
    description:
      'A signing certificate with fewer days left than this is renewed for the same device key before the next signature.',
  },
  SIGNING_REQUEST_SECONDS: {
    schema: int(30, 3600),
    default: '300',
    description: 'How long a signature request waits for the citizen (client API; CIBA uses its own expiry).',
  },
  SIGNING_TIMESTAMP: {
    schema: bool,
    default: 'true',
    description:
      "Add the platform TSA's RFC 3161 time-stamp to every signature (CAdES/PAdES B-T); `false` gives B-B.",
  },
  RECOVERY_MAX_FAILURES_PER_DAY: {
    schema: int(1, 10),
    default: '3',
    description:
      'Failed face checks of an account recovery allowed in 24 hours; then the recovery is referred to an officer.',
  },
  RECOVERY_COOLING_OFF_HOURS: {
    schema: int(0, 720),
    default: '24',
    description:
      'After a recovery, sensitive actions (changing phone or e-mail, releasing the face photo) wait this long, and the e-mail link can undo the recovery.',
  },
  APPROVALS_NOT_ME_BLOCK_MINUTES: {
    schema: int(1, 10_080),
    default: '60',
    description:
      'After "I did not ask for this", that relying party cannot send this citizen requests for this long.',
  },
  KYC_CALLS_PER_MINUTE: {
    schema: int(1, 100_000),
    default: '60',
    description: 'Open KYC API calls allowed per institution per minute.',
  },
  CLIENT_AUTH_MAX_FAILURES: {
    schema: int(1, 1000),
    default: '20',
    description:
      'Failed credential checks (Open KYC client secret, client-API request signature, OIDC client secret) allowed per client id from one source address (the caller IP, see TRUST_PROXY); then credentials for that client id from that address are refused unchecked for CLIENT_AUTH_LOCK_SECONDS, while other addresses keep working. Successful checks do not count.',
  },
  CLIENT_AUTH_LOCK_SECONDS: {
    schema: int(10, 86_400),
    default: '300',
    description:
      'How long a client id stays locked for a source address after CLIENT_AUTH_MAX_FAILURES failed credential checks from it; also the window in which failures add up.',
  },
  SMTP_URL: {
    schema: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// URL')
      .optional(),
    description:
      'SMTP server for e-mail. When unset in development, `npm start` runs a local SMTP sink that feeds the outbox page.',
  },
  MAIL_FROM: {
    schema: z.string().min(3),
    default: 'CamDigiKey <no-reply@camdigikey.local>',
    description: 'Sender of e-mails.',
  },
  SMS_GATEWAY_URL: {
    schema: z.url().optional(),
    description: 'HTTP SMS gateway endpoint (JSON POST). When unset, SMS go to the development outbox.',
  },
  SMS_GATEWAY_TOKEN: {
    schema: z.string().optional(),
    secret: true,
    description: 'Bearer token for the SMS gateway.',
  },
  SMS_GATEWAY_TIMEOUT_MS: {
    schema: int(100, 60_000),
    default: '5000',
    description: 'Timeout of one SMS gateway call.',
  },
  DEV_OUTBOX: {
    schema: bool,
    optional: true,
    description:
      'Serve the development outbox page at /dev/outbox. Default: on, except in production (where it cannot be enabled).',
  },
  DEMO_DATA: {
    schema: bool,
    optional: true,
    description:
      "Seed synthetic demo citizens and the integrators' sandbox portal on start. Default: on, except in production (where it cannot be enabled).",
  },
  SANDBOX_RP_PORT: {
    schema: int(1, 65535),
    default: '3002',
    description:
      "Port of the integrators' sandbox portal on this machine (development, with DEMO_DATA): its OIDC redirect URIs and client-API callbacks are registered at http://localhost:<port> and written to DATA_DIR/sandbox/.",
  },
} as const satisfies Record<string, VariableSpec & { optional?: boolean }>;

export type VariableName = keyof typeof VARIABLES;
