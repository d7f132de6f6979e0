/**
 * In-process hot state for a single instance (the embedded default). Expired entries are
 * swept lazily so memory stays bounded by the live keys.
 */
import { EventEmitter } from 'node:events';
import { type CounterHit, type HotState, slidingHit, windowOf } from './hot-state';

export class MemoryHotState implements HotState {
  readonly kind = 'memory' as const;
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();
  private readonly once = new Map<string, number>();
  private readonly bus = new EventEmitter();
  private operations = 0;

  constructor() {
    this.bus.setMaxListeners(0);
  }

  async hit(key: string, windowSeconds: number, now: Date, limit?: number): Promise<CounterHit> {
    this.sweep(now);
    const { index, resetInMs } = windowOf(now, windowSeconds);
    const slot = `${key}#${windowSeconds}#${index}`;
    // Kept through the next window too, where it is the previous one.
    const entry = this.counters.get(slot) ?? {
      count: 0,
      expiresAt: now.getTime() + resetInMs + windowSeconds * 1000,
    };
    entry.count += 1;
    this.counters.set(slot, entry);
    const previous = this.counters.get(`${key}#${windowSeconds}#${index - 1}`)?.count ?? 0;
    return slidingHit(previous, entry.count, now, windowSeconds, limit);
  }

  async putOnce(key: string, ttlSeconds: number, now: Date): Promise<void> {
    this.sweep(now);
    this.once.set(key, now.getTime() + ttlSeconds * 1000);
  }

  async claim(key: string, ttlSeconds: number, now: Date): Promise<boolean> {
    const held = this.once.get(`claim:${key}`);
    if (held !== undefined && held > now.getTime()) return false;
    this.once.set(`claim:${key}`, now.getTime() + ttlSeconds * 1000);
    return true;
  }

  async takeOnce(key: string, now: Date): Promise<boolean> {
    const expiresAt = this.once.get(key);
    this.once.delete(key);
    return expiresAt !== undefined && expiresAt > now.getTime();
  }

  async publish(channel: string, message: string): Promise<void> {
    this.bus.emit(channel, message);
  }

  async subscribe(channel: string, handler: (message: string) => void) {
    this.bus.on(channel, handler);
    return async () => {
      this.bus.off(channel, handler);
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.bus.removeAllListeners();
  }

  private sweep(now: Date): void {
    if (++this.operations % 1000 !== 0) return;
    const t = now.getTime();
    for (const [k, v] of this.counters) if (v.expiresAt <= t) this.counters.delete(k);
    for (const [k, v] of this.once) if (v <= t) this.once.delete(k);
  }
}
