/**
 * One contract, three backends: the in-process store, the database (used when no Redis is
 * configured) and Redis must behave the same for every rule that depends on them (counters,
 * single-use nonces, claims, events). The database half runs on PGlite always and on PostgreSQL
 * when DATABASE_URL is set; the Redis half when REDIS_URL is set (always in CI).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { migrateToLatest, openDatabase } from '@camdigikey/db';
import { createTestDatabase } from '@camdigikey/testkit/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseHotState } from './database-hot-state';
import type { HotState } from './hot-state';
import { MemoryHotState } from './memory-hot-state';
import { RedisHotState } from './redis-hot-state';

interface Backend {
  hot: HotState;
  close(): Promise<void>;
}

/** An embedded database: the run's migrated template, or (when the run uses PostgreSQL) a fresh one. */
async function pglite(): Promise<Backend> {
  const template = process.env.CDK_PGLITE_TEMPLATE;
  const opened = await openDatabase(template ? { loadDataDir: new Blob([await readFile(template)]) } : {});
  if (!template) await migrateToLatest(opened.db);
  const hot = new DatabaseHotState(opened.db);
  return {
    hot,
    async close() {
      await hot.close();
      await opened.close();
    },
  };
}

const backends: [string, () => Promise<Backend>][] = [
  ['memory', async () => ({ hot: new MemoryHotState(), close: async () => undefined })],
  ['database (pglite)', pglite],
];
if (process.env.DATABASE_URL) {
  backends.push([
    'database (postgres)',
    async () => {
      const database = await createTestDatabase();
      const hot = new DatabaseHotState(database.db);
      return {
        hot,
        async close() {
          await hot.close();
          await database.close();
        },
      };
    },
  ]);
}
if (process.env.REDIS_URL) {
  backends.push([
    'redis',
    async () => {
      const hot = new RedisHotState(
        process.env.REDIS_URL!,
        `cdk-contract-${randomBytes(4).toString('hex')}:`,
      );
      return { hot, close: () => hot.close() };
    },
  ]);
}

describe.each(backends)('hot state contract: %s', (_name, make) => {
  let hot: HotState;
  let backend: Backend | undefined;
  beforeAll(async () => {
    backend = await make();
    hot = backend.hot;
  });
  afterAll(() => backend?.close());
  const t0 = new Date('2026-11-23T02:00:00.000Z');
  const key = () => randomBytes(6).toString('hex');

  it('counts hits over a sliding window: a burst across a window boundary is one burst', async () => {
    const k = key();
    const at = (ms: number) => new Date(t0.getTime() + ms);
    expect((await hot.hit(k, 60, t0)).count).toBe(1);
    expect((await hot.hit(k, 60, at(30_000))).count).toBe(2);
    expect(await hot.hit(k, 60, at(59_999))).toEqual({ count: 3, resetInMs: 1 });
    // Just after the boundary the three hits of a moment ago still count (fixed windows said 1).
    expect((await hot.hit(k, 60, at(60_000))).count).toBe(4);
    // Half a window later half of them do (rounded up); two windows later none.
    expect((await hot.hit(k, 60, at(90_000))).count).toBe(2 + 2);
    expect((await hot.hit(k, 60, at(180_000))).count).toBe(1);
  });

  it('lets the limit through once for a burst that straddles a window boundary (fixed windows: twice)', async () => {
    const k = key();
    const limit = 10;
    let allowed = 0;
    for (const ms of [58_000, 62_000])
      for (let i = 0; i < limit; i++)
        if ((await hot.hit(k, 60, new Date(t0.getTime() + ms), limit)).count <= limit) allowed++;
    expect(allowed).toBe(limit);
  });

  it('keeps steady attempts near the limit in every span of one window (the estimate is approximate)', async () => {
    const limit = 10;
    for (const [step, offset] of [
      [3000, 0],
      [3000, 45_000],
      [7000, 15_000],
    ] as const) {
      const k = key();
      const allowed: number[] = [];
      for (let ms = 0; ms < 300_000; ms += step) {
        const hit = await hot.hit(k, 60, new Date(t0.getTime() + offset + ms), limit);
        if (hit.count <= limit) allowed.push(ms);
      }
      const worst = Math.max(
        ...allowed.map((s) => allowed.filter((ms) => ms >= s && ms < s + 60_000).length),
      );
      expect(worst).toBeLessThanOrEqual(1.25 * limit);
    }
  });

  it("says when the count will be under the limit again (a refusal's Retry-After)", async () => {
    const k = key();
    const limit = 3;
    for (let i = 0; i < 4; i++) await hot.hit(k, 60, new Date(t0.getTime() + 50_000));
    const refused = await hot.hit(k, 60, new Date(t0.getTime() + 50_000), limit);
    expect(refused.count).toBe(5);
    // 5 hits in this window: under 3 once ceil(5·(1 − y)) ≤ 2 in the next one, i.e. y ≥ 0.6 (36 s in).
    expect(refused.resetInMs).toBe(10_000 + 36_000);
    const later = new Date(t0.getTime() + 50_000 + refused.resetInMs);
    expect((await hot.hit(k, 60, later, limit)).count).toBeLessThanOrEqual(limit);
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

  it('counts 50 parallel hits on one key exactly 50', async () => {
    const k = key();
    const hits = await Promise.all(Array.from({ length: 50 }, () => hot.hit(k, 3600, t0, 10)));
    expect(new Set(hits.map((h) => h.count)).size).toBe(50);
    expect(Math.max(...hits.map((h) => h.count))).toBe(50);
    expect((await hot.hit(k, 3600, t0)).count).toBe(51);
  });

  it('gives exactly one winner to 50 parallel claims', async () => {
    const k = key();
    const claims = await Promise.all(Array.from({ length: 50 }, () => hot.claim(k, 60, t0)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await hot.claim(k, 60, new Date(t0.getTime() + 59_999))).toBe(false);
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

  it('takes keys of any length (parts of some come from the caller, e.g. a proof id)', async () => {
    const long = `jti:${key()}:${randomBytes(2400).toString('base64url')}`;
    expect((await hot.hit(long, 60, t0)).count).toBe(1);
    expect((await hot.hit(long, 60, t0)).count).toBe(2);
    expect((await hot.hit(`${long}y`, 60, t0)).count).toBe(1);
    expect(await hot.claim(long, 60, t0)).toBe(true);
    expect(await hot.claim(long, 60, t0)).toBe(false);
    await hot.putOnce(long, 60, t0);
    expect(await hot.takeOnce(`${long}y`, t0)).toBe(false);
    expect(await hot.takeOnce(long, t0)).toBe(true);
  });

  it('answers ping', async () => {
    await expect(hot.ping()).resolves.toBeUndefined();
  });
});
