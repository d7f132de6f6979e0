/**
 * The hot-state port: short-lived state that must be shared by every server instance
 * (architecture.md, decision 1). Redis in production; without Redis the system of record
 * (PostgreSQL or the embedded PGlite, so that security state survives a restart), and process
 * memory for unit tests that need no database. All three pass the same contract suite
 * (hot-state.contract.test.ts).
 *
 * Times come from the platform clock, not from the store, so that tests can move time:
 * counters count in fixed windows numbered from `now` and answer a sliding-window count (below),
 * and one-time entries carry their own expiry. Store-side expiry (Redis PX) only cleans up.
 */
export interface CounterHit {
  /**
   * Hits in the last `windowSeconds`, this one included, as a sliding window: the current fixed
   * window's hits plus the previous window's, weighted by the share of it that still lies within
   * the last `windowSeconds`. A burst across a window boundary counts as one burst (plain fixed
   * windows let twice a limit through there, issue 19).
   */
  count: number;
  /**
   * Milliseconds until the count (without new hits) is below the `limit` given to `hit`: the
   * Retry-After of a refusal. Without a limit, until the current fixed window ends.
   */
  resetInMs: number;
}

export interface HotState {
  readonly kind: 'memory' | 'database' | 'redis';
  /**
   * Count one event for `key` and answer the sliding count over the last `windowSeconds`; with
   * `limit`, `resetInMs` says when the count will be under it again.
   */
  hit(key: string, windowSeconds: number, now: Date, limit?: number): Promise<CounterHit>;
  /** Remember a one-time value until `now + ttlSeconds`. */
  putOnce(key: string, ttlSeconds: number, now: Date): Promise<void>;
  /** Claim `key` until `now + ttlSeconds`: true only for the first claimant (e.g. a proof id). */
  claim(key: string, ttlSeconds: number, now: Date): Promise<boolean>;
  /** Atomically consume a one-time value: true only for the first taker before it expires. */
  takeOnce(key: string, now: Date): Promise<boolean>;
  publish(channel: string, message: string): Promise<void>;
  /** Receive messages on a channel until the returned function is called. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const windowOf = (now: Date, windowSeconds: number) => {
  const size = windowSeconds * 1000;
  const index = Math.floor(now.getTime() / size);
  return { index, resetInMs: (index + 1) * size - now.getTime() };
};

/**
 * The sliding-window answer from the two fixed windows' counts (`current` includes this hit):
 * `previous` weighted by the share of the previous window still inside the last window.
 */
export function slidingHit(
  previous: number,
  current: number,
  now: Date,
  windowSeconds: number,
  limit?: number,
): CounterHit {
  const size = windowSeconds * 1000;
  const { resetInMs: toWindowEnd } = windowOf(now, windowSeconds);
  const into = size - toWindowEnd;
  // Rounded up: a limit that guards security never counts fewer hits than may have happened.
  const count = current + Math.ceil((previous * (size - into)) / size);
  if (limit === undefined) return { count, resetInMs: toWindowEnd };
  return { count, resetInMs: msUntilBelow(previous, current, into, size, limit) };
}

/**
 * Milliseconds from `into` (ms into the current window) until the sliding count, with no new hit,
 * is below `limit`; 0 when it already is. In this window the count is
 * current + ceil(previous·(1 − x)) at the fraction x of it, in the next one ceil(current·(1 − y)).
 */
export function msUntilBelow(
  previous: number,
  current: number,
  into: number,
  size: number,
  limit: number,
): number {
  if (current < limit) {
    if (previous === 0) return 0;
    const at = Math.ceil(Math.max(0, 1 - (limit - 1 - current) / previous) * size);
    return Math.max(0, at - into);
  }
  const y = Math.max(0, 1 - (limit - 1) / current);
  return size - into + Math.ceil(y * size);
}
