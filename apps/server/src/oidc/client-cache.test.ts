import { describe, expect, it } from 'vitest';
import { ManualClock } from '../ports/clock';
import { ClientCache } from './client-cache';

const registry = () => {
  const reads: string[] = [];
  const rows = new Map<string, Record<string, unknown>>([['cdk_a', { client_id: 'cdk_a' }]]);
  let fail = false;
  return {
    reads,
    rows,
    failNext: () => {
      fail = true;
    },
    load: async (id: string) => {
      reads.push(id);
      if (fail) {
        fail = false;
        throw new Error('database away');
      }
      return rows.get(id);
    },
  };
};

describe('ClientCache', () => {
  it('reads once per client id within the TTL, known or not, and again after it', async () => {
    const r = registry();
    const clock = new ManualClock('2026-12-01T00:00:00Z');
    const cache = new ClientCache(r.load, clock, 10);
    expect(await cache.find('cdk_a')).toEqual({ client_id: 'cdk_a' });
    expect(await cache.find('cdk_a')).toEqual({ client_id: 'cdk_a' });
    expect(await cache.find('cdk_nobody')).toBeUndefined();
    expect(await cache.find('cdk_nobody')).toBeUndefined();
    expect(r.reads).toEqual(['cdk_a', 'cdk_nobody']);
    clock.advance(9_999);
    await cache.find('cdk_a');
    expect(r.reads).toHaveLength(2);
    clock.advance(1);
    await cache.find('cdk_a');
    expect(r.reads).toEqual(['cdk_a', 'cdk_nobody', 'cdk_a']);
  });

  it('shares a load in flight, forgets a failed one, and distrusts a clock moved back', async () => {
    const r = registry();
    const clock = new ManualClock('2026-12-01T00:00:00Z');
    const cache = new ClientCache(r.load, clock, 10);
    await Promise.all([cache.find('cdk_a'), cache.find('cdk_a'), cache.find('cdk_a')]);
    expect(r.reads).toHaveLength(1);
    cache.forget('cdk_a');
    r.failNext();
    await expect(cache.find('cdk_a')).rejects.toThrow('database away');
    expect(await cache.find('cdk_a')).toEqual({ client_id: 'cdk_a' });
    expect(r.reads).toHaveLength(3);
    clock.advance(-1000);
    await cache.find('cdk_a');
    expect(r.reads).toHaveLength(4);
  });

  it('forget drops the relying party and its client-API front-door client', async () => {
    const r = registry();
    const cache = new ClientCache(r.load, new ManualClock('2026-12-01T00:00:00Z'), 10);
    await cache.find('cdk_a');
    await cache.find('api.cdk_a');
    r.rows.delete('cdk_a');
    cache.forget('cdk_a');
    expect(await cache.find('cdk_a')).toBeUndefined();
    expect(r.reads).toEqual(['cdk_a', 'api.cdk_a', 'cdk_a']);
    await cache.find('api.cdk_a');
    expect(r.reads).toHaveLength(4);
  });

  it('keeps at most maxEntries ids (the oldest read goes) and nothing with a TTL of 0', async () => {
    const r = registry();
    const clock = new ManualClock('2026-12-01T00:00:00Z');
    const cache = new ClientCache(r.load, clock, 10, 3);
    for (const id of ['x1', 'x2', 'x3', 'x4']) await cache.find(id);
    expect(cache.stats().kept).toBe(3);
    await cache.find('x4');
    await cache.find('x2');
    expect(r.reads).toHaveLength(4);
    await cache.find('x1');
    expect(r.reads).toHaveLength(5);

    const uncached = new ClientCache(r.load, clock, 0);
    await uncached.find('cdk_a');
    await uncached.find('cdk_a');
    expect(uncached.stats()).toEqual({ loads: 2, kept: 0 });
  });
});
