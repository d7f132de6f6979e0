/**
 * Structured logs (pino), each line naming the request or job it was written for. Secrets never
 * reach a log line: request bodies are not logged at all, headers that carry credentials are
 * redacted, and the redaction list below catches the field names we use for PINs, OTPs, tokens,
 * images and document numbers anywhere in an object.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';
import { currentWorkFields } from './observability/context';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["device-proof"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...[
    'pin',
    'pinConfirmation',
    'code',
    'otp',
    'token',
    'photo',
    'selfie',
    'frames',
    'mrz',
    'documentNumber',
    'password',
    'secret',
  ].flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

/**
 * Path prefixes whose next segment is a bearer secret: whoever holds the URL can act with it
 * (issue 19, defect 7: the "this wasn't me" lock link locks the account and undoes a recovery).
 */
export const SECRET_PATH_PREFIXES = ['/account/lock/'];
/** A path segment that looks like a random token (≥ 32 base64url characters, not a UUID). */
const TOKEN_SEGMENT = /^[A-Za-z0-9_-]{32,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const URL_REDACTION = '[redacted]';

/**
 * The URL as a log line may show it: the path only (query strings can carry tokens), with the
 * bearer secrets a path can hold (lock links, action and login tokens) replaced by a marker.
 */
export function redactUrl(url: string): string {
  const path = url.split('?')[0] ?? '';
  for (const prefix of SECRET_PATH_PREFIXES) {
    if (path.startsWith(prefix)) {
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf('/');
      return `${prefix}${URL_REDACTION}${slash >= 0 ? rest.slice(slash) : ''}`;
    }
  }
  return path
    .split('/')
    .map((segment) => (TOKEN_SEGMENT.test(segment) && !UUID.test(segment) ? URL_REDACTION : segment))
    .join('/');
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'camdigikey-server' },
    // The request id (or job id) of the work in progress, on every line (observability/context.ts).
    mixin: () => currentWorkFields(),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { id: string; method: string; url: string; ip?: string }) => ({
        id: req.id,
        method: req.method,
        // Query strings can carry tokens: the path only, with bearer secrets in it redacted.
        url: redactUrl(req.url),
        ip: req.ip,
      }),
    },
  };
}

export interface LoggerSettings {
  /**
   * Write through an asynchronous, batching destination (production): lines are gathered in
   * memory and written LOG_BATCH_BYTES at a time (issue 18: one write call per line was ≈ 5 % of
   * a login's CPU), and at least every LOG_FLUSH_MS, so a quiet server's lines are out within that
   * time. What is left is written when the process exits — a shutdown, `process.exit`, an uncaught
   * exception — by pino's exit hook (synchronously); only a SIGKILL or a power loss can lose the
   * last LOG_FLUSH_MS of lines. Never pretty-printed: one JSON object per line.
   */
  asynchronous?: boolean;
}

/** The batching destination's batch size and longest hold (see LoggerSettings). */
export const LOG_BATCH_BYTES = 8192;
export const LOG_FLUSH_MS = 1000;

export function createLogger(level: string, settings: LoggerSettings = {}): Logger {
  // Development and tests write synchronously: a line is out before the next statement runs.
  return pino(
    loggerOptions(level),
    settings.asynchronous
      ? pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS })
      : pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The logger of the one line per request: a child of the process logger (same destination, level,
 * serializers and request-id mixin) without the redaction paths. Issue 18's profile of `/healthz`
 * found the wildcard redaction (`*.pin`, `*.*.pin`, …) costing more than the rest of the request;
 * the line needs none, because it holds only what logRequestCompleted builds from fixed fields —
 * request id, method, the path with its query dropped and bearer secrets replaced (redactUrl),
 * client address, status and time — never a body, a header or a query string. Every other line
 * (including what a request's own code logs through request.log) keeps the redaction.
 */
export function requestLineLogger(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}

/**
 * The one log line of a request (Fastify's own two lines, "incoming request" and "request
 * completed", are turned off in http/app.ts): request id, method, path, client address, status
 * and time. Written through requestLineLogger in the app.
 */
export function logRequestCompleted(
  log: { level: string; info(obj: object, msg: string): void },
  request: { id: string; method: string; url: string; ip: string },
  statusCode: number,
  elapsedMs: number,
): void {
  // `silent` (and any unknown level) has no number: nothing is written.
  if ((pino.levels.values[log.level] ?? Number.POSITIVE_INFINITY) > pino.levels.values.info!) return;
  log.info(
    {
      reqId: request.id,
      req: { id: request.id, method: request.method, url: request.url, ip: request.ip },
      res: { statusCode },
      responseTime: Math.round(elapsedMs * 100) / 100,
    },
    'request completed',
  );
}
