/**
 * Hot state in Redis, shared by every instance: counters with INCR + PEXPIRE in one MULTI,
 * one-time values consumed with GETDEL (atomic), events over pub/sub on a dedicated
 * subscriber connection. Pub/sub only wakes instances up; authoritative state is elsewhere.
 */
import { Redis } from 'ioredis';
import { type CounterHit, type HotState, windowOf } from './hot-state';

export class RedisHotState implements HotState {
  readonly kind = 'redis' as const;
  private readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.client = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  }

  async hit(key: string, windowSeconds: number, now: Date): Promise<CounterHit> {
    const { index, resetInMs } = windowOf(now, windowSeconds);
    const slot = `${this.prefix}ctr:${key}:${windowSeconds}:${index}`;
    const result = await this.client
      .multi()
      .incr(slot)
      .pexpire(slot, resetInMs + 60_000)
      .exec();
    const count = Number(result?.[0]?.[1] ?? 0);
    return { count, resetInMs };
  }

  async putOnce(key: string, ttlSeconds: number, now: Date): Promise<void> {
    const expiresAt = now.getTime() + ttlSeconds * 1000;
    await this.client.set(`${this.prefix}once:${key}`, String(expiresAt), 'PX', ttlSeconds * 1000 + 60_000);
  }

  async claim(key: string, ttlSeconds: number, _now: Date): Promise<boolean> {
    // SET NX is the atomic first-claimant test; the TTL is real time here, which only matters
    // for how long a claim is remembered (always at least the proof lifetime).
    const set = await this.client.set(`${this.prefix}claim:${key}`, '1', 'PX', ttlSeconds * 1000, 'NX');
    return set === 'OK';
  }

  async takeOnce(key: string, now: Date): Promise<boolean> {
    const value = await this.client.getdel(`${this.prefix}once:${key}`);
    return value !== null && Number(value) > now.getTime();
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(`${this.prefix}${channel}`, message);
  }

  async subscribe(channel: string, handler: (message: string) => void) {
    const sub = await this.subscriberConnection();
    const full = `${this.prefix}${channel}`;
    let set = this.handlers.get(full);
    if (!set) {
      set = new Set();
      this.handlers.set(full, set);
      await sub.subscribe(full);
    }
    set.add(handler);
    return async () => {
      const current = this.handlers.get(full);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) {
        this.handlers.delete(full);
        await sub.unsubscribe(full).catch(() => undefined);
      }
    };
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.allSettled([this.client.quit(), this.subscriber?.quit()]);
  }

  private async subscriberConnection(): Promise<Redis> {
    if (!this.subscriber) {
      this.subscriber = this.client.duplicate();
      this.subscriber.on('message', (channel: string, message: string) => {
        for (const handler of this.handlers.get(channel) ?? []) handler(message);
      });
    }
    return this.subscriber;
  }
}
