/**
 * What the database adapter adds to the shared contract (hot-state.contract.test.ts): its state
 * outlives the process (an embedded database closed and opened again on its data folder, as a
 * restart does), expiry follows the platform clock, and the scheduled clean-up and the
 * adapter's own sweep delete only expired rows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, type OpenDatabase, openDatabase } from '@camdigikey/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpOnce } from '../background/maintenance';
import { ManualClock } from '../ports/clock';
import { DatabaseHotState } from './database-hot-state';

const t0 = new Date('2026-11-23T02:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

let dir: string;
let opened: OpenDatabase;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cdk-hot-state-'));
  opened = await openDatabase({ dataDir: dir });
  await migrateToLatest(opened.db);
});
afterAll(async () => {
  await opened?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('database hot state', () => {
  it('keeps counters, one-time values and claims through a restart (closed and opened again)', async () => {
    let hot = new DatabaseHotState(opened.db);
    for (let i = 0; i < 3; i++) await hot.hit('otp-send-ip:203.0.113.7', 3600, at(1000), 3);
    await hot.putOnce('nonce:n1', 60, t0);
    expect(await hot.claim('jti:t:j1', 60, t0)).toBe(true);
    await hot.close();
    await opened.close();

    opened = await openDatabase({ dataDir: dir });
    hot = new DatabaseHotState(opened.db);
    const refused = await hot.hit('otp-send-ip:203.0.113.7', 3600, at(2000), 3);
    expect(refused.count).toBe(4);
    expect(refused.resetInMs).toBeGreaterThan(0);
    expect(await hot.claim('jti:t:j1', 60, at(1000))).toBe(false);
    expect(await hot.takeOnce('nonce:n1', at(1000))).toBe(true);
    expect(await hot.takeOnce('nonce:n1', at(1000))).toBe(false);
  });

  it('lets a key be claimed again once its claim has expired by the platform clock', async () => {
    const hot = new DatabaseHotState(opened.db);
    expect(await hot.claim('jti:t:j2', 60, t0)).toBe(true);
    expect(await hot.claim('jti:t:j2', 60, at(59_999))).toBe(false);
    expect(await hot.claim('jti:t:j2', 60, at(60_000))).toBe(true);
    expect(await hot.claim('jti:t:j2', 60, at(119_999))).toBe(false);
  });

  it('is cleaned up by the scheduled round: expired rows go, live ones stay', async () => {
    const hot = new DatabaseHotState(opened.db);
    await hot.hit('old-counter', 60, t0);
    await hot.putOnce('old-nonce', 60, t0);
    await hot.claim('old-claim', 60, t0);
    const later = at(10 * 60_000);
    await hot.hit('live-counter', 60, later);
    await hot.putOnce('live-nonce', 60, later);
    await hot.claim('live-claim', 60, later);

    const report = await cleanUpOnce({ db: opened.db, clock: new ManualClock(later) });
    expect(report.ran).toBe(true);
    expect(report.hotCounters).toBeGreaterThanOrEqual(1);
    expect(report.hotOnce).toBeGreaterThanOrEqual(2);
    const keys = await sql<{ key: string }>`
      select key from hot_counters union all select key from hot_once order by key`.execute(opened.db);
    const left = keys.rows.map((r) => r.key);
    expect(left).toEqual(expect.arrayContaining(['live-counter', 'once:live-nonce', 'claim:live-claim']));
    expect(left.filter((k) => k.includes('old'))).toEqual([]);
    // The live counter still counts.
    expect((await hot.hit('live-counter', 60, later)).count).toBe(2);
  });

  it('sweeps expired rows itself as it writes, so a flood of writes cannot outgrow the clean-up', async () => {
    const hot = new DatabaseHotState(opened.db);
    for (let i = 0; i < 20; i++) {
      await hot.putOnce(`flood-nonce-${i}`, 60, t0);
      await hot.hit(`flood-counter-${i}`, 60, t0);
    }
    const later = at(3600_000);
    const old = async () => {
      const rows = await sql<{ n: number }>`
        select (select count(*) from hot_once where key like 'once:flood-%')
             + (select count(*) from hot_counters where key like 'flood-%') as n`.execute(opened.db);
      return Number(rows.rows[0]?.n);
    };
    expect(await old()).toBe(40);
    // Writes an hour later (one sweep per 200 writes); the expired rows go, the live ones stay.
    for (let i = 0; i < 200; i++) await hot.putOnce(`live-${i}`, 60, later);
    await expect.poll(old).toBe(0);
    await hot.close();
    const live = await sql<{ n: number }>`
      select count(*)::int as n from hot_once where key like 'once:live-%'`.execute(opened.db);
    expect(live.rows[0]?.n).toBe(200);
  });
});
