/**
 * Which failures mean "a dependency is away right now" (PostgreSQL or Redis down, frozen,
 * restarting, out of connections) rather than a bug: the error handler answers those 503 with
 * Retry-After (issue 19, item 4), never 500. One list, for node-postgres, its pool, Kysely and
 * ioredis; the error and its causes are looked at (a wrapped driver error counts).
 */

/** Retry-After of an answer refused because a dependency is away. */
export const OUTAGE_RETRY_AFTER_SECONDS = 2;

export type Dependency = 'database' | 'redis' | 'network';

/** Socket-level failures (either driver): the peer is gone, refuses or does not answer. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), shutting down or starting up (57P01-03),
 * a statement cancelled by `statement_timeout` (57014), no connection slot left (53300).
 */
const PG_STATES = /^(08...|57P0[123]|57014|53300)$/;

/** node-postgres, its pool and Kysely (they throw plain Errors). */
const PG_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Query read timeout',
  'Client was closed and is not queryable',
  'Client has encountered a connection error and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'driver has already been destroyed',
];

/** ioredis: a command timed out, the connection is down or closed, Redis is not serving yet. */
const REDIS_MESSAGES = [
  'Command timed out',
  'Connection is closed.',
  "Stream isn't writeable and enableOfflineQueue options is false",
  'Reached the max retries per request limit',
];
const REDIS_REPLIES = /^(LOADING|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN) /;

function classify(error: unknown): Dependency | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, name, message } = error as Error & { code?: unknown };
  if (name === 'MaxRetriesPerRequestError') return 'redis';
  if (REDIS_MESSAGES.some((m) => message.startsWith(m))) return 'redis';
  if (name === 'ReplyError' && REDIS_REPLIES.test(message)) return 'redis';
  if (typeof code === 'string' && PG_STATES.test(code)) return 'database';
  if (PG_MESSAGES.some((m) => message.startsWith(m))) return 'database';
  // A bare socket error (either driver, or an outgoing HTTP call): the peer is away.
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return 'network';
  return undefined;
}

/** The dependency whose absence caused `error` (looking through causes), or undefined. */
export function dependencyOutage(error: unknown): Dependency | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const found = classify(current);
    if (found) return found;
    if (current instanceof AggregateError) {
      for (const inner of current.errors) {
        const nested = dependencyOutage(inner);
        if (nested) return nested;
      }
    }
    current = current.cause;
  }
  return undefined;
}
