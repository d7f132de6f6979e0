/**
 * One contract, two backends: the in-process store and Redis must behave the same for every
 * rule that depends on them (counters, single-use nonces, claims, events). The Redis half runs
 * when REDIS_URL is set (always in CI).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { HotState } from './hot-state';
import { MemoryHotState } from './memory-hot-state';
import { RedisHotState } from './redis-hot-state';

const backends: [string, () => HotState][] = [['memory', () => new MemoryHotState()]];
if (process.env.REDIS_URL) {
  backends.push([
    'redis',
    () => new RedisHotState(process.env.REDIS_URL!, `cdk-contract-${randomBytes(4).toString('hex')}:`),
  ]);
}

describe.each(backends)('hot state contract: %s', (_name, make) => {
  const hot = make();
  afterAll(() => hot.close());
  const t0 = new Date('2026-11-23T02:00:00.000Z');
  const key = () => randomBytes(6).toString('hex');

  it('counts hits in a fixed window and restarts in the next one', async () => {
    const k = key();
    expect((await hot.hit(k, 60, t0)).count).toBe(1);
    expect((await hot.hit(k, 60, new Date(t0.getTime() + 30_000))).count).toBe(2);
    const third = await hot.hit(k, 60, new Date(t0.getTime() + 59_999));
    expect(third).toEqual({ count: 3, resetInMs: 1 });
    expect((await hot.hit(k, 60, new Date(t0.getTime() + 60_000))).count).toBe(1);
  });

  it('keeps separate counters for separate keys and window sizes', async () => {
    const k = key();
    await hot.hit(k, 60, t0);
    expect((await hot.hit(`${k}x`, 60, t0)).count).toBe(1);
    expect((await hot.hit(k, 3600, t0)).count).toBe(1);
  });

  it('counts concurrent hits exactly', async () => {
    const k = key();
    const counts = await Promise.all(Array.from({ length: 25 }, () => hot.hit(k, 60, t0)));
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
  });

  it('gives a one-time value to exactly one taker', async () => {
    const k = key();
    await hot.putOnce(k, 60, t0);
    const takes = await Promise.all([hot.takeOnce(k, t0), hot.takeOnce(k, t0), hot.takeOnce(k, t0)]);
    expect(takes.filter(Boolean)).toHaveLength(1);
    expect(await hot.takeOnce(k, t0)).toBe(false);
  });

  it('refuses an expired one-time value and an unknown one', async () => {
    const k = key();
    await hot.putOnce(k, 60, t0);
    expect(await hot.takeOnce(k, new Date(t0.getTime() + 60_001))).toBe(false);
    expect(await hot.takeOnce(key(), t0)).toBe(false);
  });

  it('lets only the first claimant claim a key', async () => {
    const k = key();
    const claims = await Promise.all([hot.claim(k, 60, t0), hot.claim(k, 60, t0), hot.claim(k, 60, t0)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('delivers published events to subscribers until they leave', async () => {
    const channel = `ch-${key()}`;
    const received: string[] = [];
    const leave = await hot.subscribe(channel, (m) => received.push(m));
    await hot.publish(channel, 'one');
    await expect.poll(() => received).toEqual(['one']);
    await leave();
    await hot.publish(channel, 'two');
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual(['one']);
  });

  it('answers ping', async () => {
    await expect(hot.ping()).resolves.toBeUndefined();
  });
});
