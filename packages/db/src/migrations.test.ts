import { createTestDatabase, type TestDatabase } from '@camdigikey/testkit/test-database';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateAllDown, migrateToLatest } from './migrate';
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
    for (const [i, n] of names.entries()) expect(n.startsWith(String(i + 1).padStart(4, '0'))).toBe(true);
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
      })
      .execute();
    await expect(t.db.updateTable('audit_events').set({ action: 'changed' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
  });
});
