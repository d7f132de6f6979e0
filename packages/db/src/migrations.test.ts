import { createTestDatabase, type TestDatabase } from '@camdigikey/testkit/test-database';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  migrateAllDown,
  migrateDown,
  migrateToLatest,
  pendingMigrations,
  unmigratedMessage,
} from './migrate';
import { migrations } from './migrations';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.close());

describe('migrations', () => {
  it('are applied in the cloned template', async () => {
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(t.db);
    expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
  });

  it('are named in order and append-only numbered', () => {
    const names = Object.keys(migrations);
    expect(names).toEqual([...names].sort());
    // Numbers rise strictly from 0001; a number reserved for work merged later may be missing
    // (parallel branches are each given their own numbers), but none repeats or goes back.
    const numbers = names.map((n) => Number(/^(\d{4})_/.exec(n)?.[1]));
    expect(numbers[0]).toBe(1);
    for (const [i, n] of numbers.entries()) if (i > 0) expect(n).toBeGreaterThan(numbers[i - 1]!);
  });

  it('name what is pending, so that tools refuse an unmigrated database in one sentence', async () => {
    expect(await pendingMigrations(t.db)).toEqual([]);
    expect(unmigratedMessage([])).toBeUndefined();
    const names = Object.keys(migrations);
    await migrateDown(t.db);
    expect(await pendingMigrations(t.db)).toEqual([names.at(-1)]);
    await migrateToLatest(t.db);
    expect(await pendingMigrations(t.db)).toEqual([]);
    expect(unmigratedMessage(names)).toMatch(
      new RegExp(`not migrated.*${names.length} migration\\(s\\) pending, from ${names[0]}.*npm run migrate`),
    );
  });

  it('go all the way down and up again without leftovers', async () => {
    await migrateAllDown(t.db);
    const left = await sql<{ n: number }>`
      select count(*)::int as n from information_schema.tables
      where table_schema = 'public' and table_name not like 'kysely_%'`.execute(t.db);
    expect(left.rows[0]?.n).toBe(0);
    await migrateToLatest(t.db);
    const holidays = await t.db
      .selectFrom('public_holidays')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(holidays.n).toBeGreaterThan(50);
  });

  it('keep the audit log append-only in the database itself', async () => {
    await t.db
      .insertInto('audit_events')
      .values({
        id: '00000000-0000-4000-8000-000000000001',
        occurred_at: new Date(),
        actor_type: 'system',
        actor_id: null,
        action: 'test',
        subject_type: null,
        subject_id: null,
        ip: null,
        device: null,
        request_id: null,
        details: '{}',
        prev_hash: '0'.repeat(64),
        hash: '1'.repeat(64),
        key_id: 'test',
      })
      .execute();
    await expect(t.db.updateTable('audit_events').set({ action: 'changed' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
  });

  it('label the audit rows written before the keyed chain as legacy, and new rows must name a key', async () => {
    // Down to just before 0020 (past any later migration).
    for (let step = await migrateDown(t.db); !step.includes('Down 0020_audit_keyed_chain'); ) {
      expect(step).not.toEqual([]);
      step = await migrateDown(t.db);
    }
    await sql`
      insert into audit_events (id, occurred_at, actor_type, action, details, prev_hash, hash)
      values ('00000000-0000-4000-8000-000000000020', now(), 'system', 'before.0020', '{}', ${'0'.repeat(64)}, ${'2'.repeat(64)})`.execute(
      t.db,
    );
    await migrateToLatest(t.db);
    const row = await t.db
      .selectFrom('audit_events')
      .select('key_id')
      .where('action', '=', 'before.0020')
      .executeTakeFirstOrThrow();
    expect(row.key_id).toBe('legacy');
    await expect(
      sql`
        insert into audit_events (id, occurred_at, actor_type, action, details, prev_hash, hash)
        values ('00000000-0000-4000-8000-000000000021', now(), 'system', 'after.0020', '{}', ${'2'.repeat(64)}, ${'3'.repeat(64)})`.execute(
        t.db,
      ),
    ).rejects.toThrow(/key_id/);
  });
});
