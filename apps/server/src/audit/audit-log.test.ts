import { createTestDatabase, type TestDatabase } from '@camdigikey/testkit/test-database';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, recordAudit, verifyAuditChain } from './audit-log';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.close());

describe('hash-chained audit log', () => {
  it('chains events from the genesis hash and verifies end to end', async () => {
    const now = new Date('2026-11-23T02:00:00Z');
    for (let i = 0; i < 5; i++)
      await recordAudit(t.db, { actorType: 'system', action: `test.${i}`, details: { i } }, now);
    const rows = await t.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
    expect(rows[0]?.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, events: 5 });
  });

  it('keeps the chain linear when many instances append at once', async () => {
    const now = new Date();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAudit(t.db, { actorType: 'system', action: `race.${i}` }, now),
      ),
    );
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it('drops details that would carry a secret', async () => {
    await recordAudit(
      t.db,
      { actorType: 'device', action: 'secret.test', details: { pin: '123456', otpCode: '1', country: 'KH' } },
      new Date(),
    );
    const row = await t.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'secret.test')
      .executeTakeFirstOrThrow();
    expect(row.details).toEqual({ country: 'KH' });
  });

  it('detects a rewritten event even when the table trigger is bypassed', async () => {
    const before = await verifyAuditChain(t.db);
    expect(before.ok).toBe(true);
    // Simulate a privileged attacker who disables the append-only trigger.
    await sql`alter table audit_events disable trigger audit_events_no_update`.execute(t.db);
    await sql`update audit_events set details = '{"i": 99}'::jsonb where action = 'test.2'`.execute(t.db);
    await sql`alter table audit_events enable trigger audit_events_no_update`.execute(t.db);
    const after = await verifyAuditChain(t.db);
    expect(after.ok).toBe(false);
    expect(after.brokenAt?.reason).toBe('hash');
  });

  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
});
