/**
 * Hot state in Redis, shared by every instance: counters with INCR + PEXPIRE in one MULTI,
 * one-time values consumed with GETDEL (atomic), events over pub/sub on a dedicated
 * subscriber connection. Pub/sub only wakes instances up; authoritative state is elsewhere.
 *
 * A single Redis (`REDIS_URL`) or a Sentinel-monitored master (`REDIS_SENTINELS`): ioredis asks
 * the sentinels for the current master and reconnects to the new one after a failover; the
 * subscriber connection (a duplicate) follows it the same way and re-subscribes its channels.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { type CounterHit, type HotState, slidingHit, windowOf } from './hot-state';

export interface RedisTarget {
  /** redis://[:password@]host:port[/db]; with sentinels only its password and db are used. */
  url?: string | undefined;
  sentinels?: { host: string; port: number }[] | undefined;
  sentinelMaster?: string;
}

/** Deadlines and reconnection of the Redis connections (REDIS_*_MS; defaults for tools and tests). */
export interface RedisLimits {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  reconnectMaxDelayMs: number;
}

export const DEFAULT_REDIS_LIMITS: RedisLimits = {
  connectTimeoutMs: 1000,
  commandTimeoutMs: 1000,
  reconnectMaxDelayMs: 2000,
};

/** Where connection trouble is reported (the server's pino logger). */
export interface RedisLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

function connect(target: string | RedisTarget, limits: RedisLimits): Redis {
  const options: RedisOptions = {
    lazyConnect: false,
    connectTimeout: limits.connectTimeoutMs,
    // A command gets its answer or an error within this bound, whether the connection is up,
    // frozen (the server stopped answering) or still connecting.
    commandTimeout: limits.commandTimeoutMs,
    // Commands that were queued while the connection was down fail after one reconnection
    // attempt; once connected (see below) they are not queued at all.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    // Commands issued in the same tick go out in one write (e.g. a device proof's claim and nonce,
    // and the next nonce: issue 18, a socket write per command was a top item of a login's CPU).
    enableAutoPipelining: true,
    // Reconnect for as long as Redis is away: 50 ms, doubling, at most reconnectMaxDelayMs.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 16), limits.reconnectMaxDelayMs),
  };
  const { url, sentinels, sentinelMaster } = typeof target === 'string' ? { url: target } : target;
  if (!sentinels?.length) return new Redis(url as string, options);
  const parsed = url ? new URL(url) : undefined;
  return new Redis({
    ...options,
    sentinels,
    name: sentinelMaster ?? 'mymaster',
    sentinelRetryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 16), limits.reconnectMaxDelayMs),
    // After a failover the old master answers READONLY: reconnect, asking the sentinels again.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
    ...(parsed?.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed?.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed && parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
  });
}

/**
 * Every connection gets an `error` listener (without one ioredis prints "[ioredis] Unhandled
 * error event" to stderr, outside the JSON log). While Redis is away each reconnection attempt
 * fails: the log gets the 1st, 2nd, 4th, 8th… failure of an outage (counted, no clock needed),
 * and one line when the connection is back.
 *
 * After the first connection, commands issued while the connection is down fail at once
 * (answered 503) instead of waiting in ioredis's offline queue; before it (start-up) they wait,
 * bounded by the command timeout.
 */
function watch(client: Redis, name: string, log: RedisLog | undefined): Redis {
  let failures = 0;
  client.on('error', (error: Error & { code?: string }) => {
    failures += 1;
    if ((failures & (failures - 1)) === 0)
      log?.warn({ connection: name, failures, error: error.message, code: error.code }, 'redis unavailable');
  });
  client.on('ready', () => {
    client.options.enableOfflineQueue = false;
    if (failures > 0) log?.info({ connection: name, failures }, 'redis connection restored');
    failures = 0;
  });
  return client;
}

export class RedisHotState implements HotState {
  readonly kind = 'redis' as const;
  private readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  constructor(
    target: string | RedisTarget,
    private readonly prefix: string,
    private readonly log?: RedisLog,
    limits: RedisLimits = DEFAULT_REDIS_LIMITS,
  ) {
    this.client = watch(connect(target, limits), 'commands', log);
  }

  async hit(key: string, windowSeconds: number, now: Date, limit?: number): Promise<CounterHit> {
    const { index, resetInMs } = windowOf(now, windowSeconds);
    const slot = (i: number) => `${this.prefix}ctr:${key}:${windowSeconds}:${i}`;
    // Kept through the next window too, where it is the previous one.
    const result = await this.client
      .multi()
      .incr(slot(index))
      .pexpire(slot(index), resetInMs + windowSeconds * 1000 + 60_000)
      .get(slot(index - 1))
      .exec();
    const count = Number(result?.[0]?.[1] ?? 0);
    const previous = Number(result?.[2]?.[1] ?? 0);
    return slidingHit(previous, count, now, windowSeconds, limit);
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
    // QUIT when Redis answers; otherwise (down, frozen) drop the connection and stop reconnecting.
    const end = (client: Redis | undefined) =>
      client?.quit().catch(() => client.disconnect()) ?? Promise.resolve();
    await Promise.allSettled([end(this.client), end(this.subscriber)]);
  }

  private async subscriberConnection(): Promise<Redis> {
    if (!this.subscriber) {
      this.subscriber = watch(this.client.duplicate({ enableOfflineQueue: true }), 'events', this.log);
      this.subscriber.on('message', (channel: string, message: string) => {
        for (const handler of this.handlers.get(channel) ?? []) handler(message);
      });
    }
    return this.subscriber;
  }
}
