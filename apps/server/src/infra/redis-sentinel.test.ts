/**
 * The hot state on a Redis Sentinel setup (REDIS_SENTINELS): a master, a replica and a sentinel
 * of this test's own. Counters, single-use values and events work through the sentinel, and keep
 * working after a failover promotes the replica (the counter goes on from the replicated value).
 */
import { randomBytes } from 'node:crypto';
import {
  type LocalRedis,
  type LocalSentinel,
  startLocalRedis,
  startLocalSentinel,
} from '@camdigikey/testkit/local-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisHotState } from './redis-hot-state';

let master: LocalRedis;
let replica: LocalRedis;
let sentinel: LocalSentinel;
let hot: RedisHotState;

beforeAll(async () => {
  master = await startLocalRedis();
  replica = await startLocalRedis(['--replicaof', '127.0.0.1', String(master.port)]);
  sentinel = await startLocalSentinel(master.port);
  hot = new RedisHotState(
    { sentinels: [{ host: '127.0.0.1', port: sentinel.port }], sentinelMaster: 'mymaster' },
    `cdk-sentinel-${randomBytes(4).toString('hex')}:`,
  );
}, 60_000);

afterAll(async () => {
  await hot?.close();
  await sentinel?.stop();
  await Promise.all([replica?.stop(), master?.stop()]);
});

const masterPort = async () => {
  const s = new Redis(sentinel.port, '127.0.0.1');
  try {
    return Number(((await s.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')) as string[])[1]);
  } finally {
    s.disconnect();
  }
};

describe('hot state through Redis Sentinel', () => {
  const t0 = new Date('2026-11-30T02:00:00Z');

  it('counts, consumes once and delivers events on the master the sentinel names', async () => {
    expect(await masterPort()).toBe(master.port);
    expect((await hot.hit('k', 3600, t0)).count).toBe(1);
    expect((await hot.hit('k', 3600, t0)).count).toBe(2);
    await hot.putOnce('nonce', 60, t0);
    expect(await hot.takeOnce('nonce', t0)).toBe(true);
    expect(await hot.takeOnce('nonce', t0)).toBe(false);
    let delivered: (message: string) => void = () => undefined;
    const got = new Promise<string>((resolve) => {
      delivered = resolve;
    });
    // subscribe() resolves once Redis has confirmed the subscription: no wait needed before publishing.
    await hot.subscribe('ch', (message) => delivered(message));
    await hot.publish('ch', 'hello');
    expect(await got).toBe('hello');
  });

  it('follows a failover to the promoted replica', async () => {
    // The replica has the counter (replication) before the switch.
    const direct = new Redis(replica.port, '127.0.0.1');
    for (;;) {
      const info = await direct.info('replication');
      if (/master_link_status:up/.test(info) && /master_repl_offset:[1-9]/.test(info)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const s = new Redis(sentinel.port, '127.0.0.1');
    await s.call('SENTINEL', 'FAILOVER', 'mymaster');
    s.disconnect();
    while ((await masterPort()) !== replica.port) await new Promise((resolve) => setTimeout(resolve, 100));
    while (!/role:master/.test(await direct.info('replication')))
      await new Promise((resolve) => setTimeout(resolve, 100));
    direct.disconnect();
    // The next commands reach the new master (ioredis reconnects through the sentinel).
    for (;;) {
      const hit = await hot.hit('k', 3600, t0).catch(() => undefined);
      if (hit) {
        expect(hit.count).toBe(3);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await hot.ping();
  });
});
