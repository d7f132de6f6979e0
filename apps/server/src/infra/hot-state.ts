/**
 * The hot-state port: short-lived state that must be shared by every server instance
 * (architecture.md, decision 1). Redis in production, process memory by default; both pass
 * the same contract suite (hot-state.contract.test.ts).
 *
 * Times come from the platform clock, not from the store, so that tests can move time:
 * counters use fixed windows numbered from `now`, and one-time entries carry their own expiry.
 * Store-side expiry (Redis PX) only cleans up.
 */
export interface CounterHit {
  /** Count in the current window, this hit included. */
  count: number;
  /** Milliseconds until the current window ends. */
  resetInMs: number;
}

export interface HotState {
  readonly kind: 'memory' | 'redis';
  /** Count one event for `key` in the fixed window of `windowSeconds` that contains `now`. */
  hit(key: string, windowSeconds: number, now: Date): Promise<CounterHit>;
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
