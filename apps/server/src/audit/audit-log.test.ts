import { createHash } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@camdigikey/testkit/test-database';
import { type KyselyPlugin, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuditKey,
  appendAudit,
  canonicalJson,
  GENESIS_HASH,
  keyedEventHash,
  LEGACY_KEY_ID,
  recordAudit,
  useAuditChain,
  verifyAuditChain,
} from './audit-log';
import { signCheckpoint } from './checkpoints';

const KEY_1: AuditKey = { id: 'unit-1', key: new Uint8Array(32).fill(1) };
const KEY_2: AuditKey = { id: 'unit-2', key: new Uint8Array(32).fill(2) };
const NOW = new Date('2026-11-23T02:00:00Z');

let t: TestDatabase;
let release: () => void;
beforeAll(async () => {
  t = await createTestDatabase();
  release = useAuditChain({ keys: [KEY_1] });
});
afterAll(async () => {
  release?.();
  await t?.close();
});
// TRUNCATE fires no row trigger: each test starts from an empty log.
beforeEach(async () => {
  await sql`truncate audit_events restart identity`.execute(t.db);
});

const append = async (n: number, from = 0) => {
  for (let i = from; i < from + n; i++)
    await recordAudit(t.db, { actorType: 'system', action: `test.${i}`, details: { i } }, NOW);
};
const rows = () => t.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
const head = async () => {
  const all = await rows();
  const last = all.at(-1);
  if (!last) throw new Error('empty log');
  return { seq: Number(last.seq), hash: last.hash };
};

/** What someone with write access to the table can do: the append-only trigger disabled. */
async function asIntruder(run: () => Promise<unknown>) {
  await sql`alter table audit_events disable trigger audit_events_no_update`.execute(t.db);
  try {
    await run();
  } finally {
    await sql`alter table audit_events enable trigger audit_events_no_update`.execute(t.db);
  }
}

/** Rewrites row `seq` and recomputes every later link with a key of the intruder's own. */
async function rewriteAndRechain(seq: number, details: Record<string, unknown>) {
  const guess: AuditKey = { id: KEY_1.id, key: new Uint8Array(32).fill(9) };
  await asIntruder(async () => {
    const all = await rows();
    let prev = all.find((r) => Number(r.seq) === seq - 1)?.hash ?? GENESIS_HASH;
    for (const row of all.filter((r) => Number(r.seq) >= seq)) {
      const changed = Number(row.seq) === seq ? { ...row, details } : row;
      const hash = keyedEventHash(guess, prev, changed);
      await t.db
        .updateTable('audit_events')
        .set({ details: JSON.stringify(changed.details), prev_hash: prev, hash })
        .where('seq', '=', row.seq)
        .execute();
      prev = hash;
    }
  });
}

describe('keyed hash-chained audit log', () => {
  it('chains events from the genesis hash with the first key and verifies end to end', async () => {
    await append(5);
    const all = await rows();
    expect(all[0]?.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < all.length; i++) expect(all[i]?.prev_hash).toBe(all[i - 1]?.hash);
    expect(all.every((r) => r.key_id === KEY_1.id)).toBe(true);
    expect(await verifyAuditChain(t.db, { keys: [KEY_1] })).toEqual({
      ok: true,
      events: 5,
      checkpoints: 0,
      breaks: [],
    });
  });

  it('keeps the chain linear when 50 appends run at once', async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        recordAudit(t.db, { actorType: 'system', action: `race.${i}` }, NOW),
      ),
    );
    expect(await verifyAuditChain(t.db, { keys: [KEY_1] })).toMatchObject({ ok: true, events: 50 });
  });

  it('drops details that would carry a secret', async () => {
    await recordAudit(
      t.db,
      { actorType: 'device', action: 'secret.test', details: { pin: '123456', otpCode: '1', country: 'KH' } },
      NOW,
    );
    const [row] = await rows();
    expect(row?.details).toEqual({ country: 'KH' });
  });

  it('stores exactly what it hashed: lone surrogates, NUL, NFD text and dates in details', async () => {
    const lone = `${'a'.repeat(59)}😀`.slice(0, 60);
    await recordAudit(
      t.db,
      {
        actorType: 'relying_party',
        actorId: lone,
        subjectId: 'x\u0000y',
        action: 'Cafe\u0301',
        details: { when: NOW, name: 'e\u0301\uDC00', nested: { list: [lone, Number.NaN] }, gone: undefined },
      },
      NOW,
    );
    const [row] = await rows();
    expect(row?.actor_id).toBe(`${'a'.repeat(59)}\uFFFD`);
    expect(row?.subject_id).toBe('x\uFFFDy');
    expect(row?.action).toBe('Café');
    expect(row?.details).toEqual({
      when: NOW.toISOString(),
      name: 'é\uFFFD',
      nested: { list: [`${'a'.repeat(59)}\uFFFD`, null] },
    });
    expect(await verifyAuditChain(t.db, { keys: [KEY_1] })).toMatchObject({ ok: true, events: 1 });
  });

  it('detects one row rewritten with every later hash recomputed without the key', async () => {
    await append(6);
    await rewriteAndRechain(3, { i: 99 });
    const report = await verifyAuditChain(t.db, { keys: [KEY_1] });
    expect(report.ok).toBe(false);
    expect(report.breaks).toEqual([expect.objectContaining({ kind: 'content_changed', seq: 3, toSeq: 6 })]);
  });

  it('detects a deleted middle row', async () => {
    await append(5);
    await asIntruder(() => t.db.deleteFrom('audit_events').where('seq', '=', 3).execute());
    const report = await verifyAuditChain(t.db, { keys: [KEY_1] });
    expect(report.breaks).toEqual([expect.objectContaining({ kind: 'row_missing', seq: 4 })]);
  });

  it('reports every break, not only the first', async () => {
    await append(8);
    await asIntruder(async () => {
      await sql`update audit_events set details = '{"i": 42}'::jsonb where seq = 2`.execute(t.db);
      await t.db.deleteFrom('audit_events').where('seq', '=', 6).execute();
    });
    const report = await verifyAuditChain(t.db, { keys: [KEY_1] });
    expect(report.breaks.map((b) => [b.kind, b.seq])).toEqual([
      ['content_changed', 2],
      ['row_missing', 7],
    ]);
  });

  it('detects deleted newest rows through a checkpoint', async () => {
    await append(6);
    const checkpoint = signCheckpoint(KEY_1, await head(), NOW);
    await asIntruder(() => t.db.deleteFrom('audit_events').where('seq', '>', 4).execute());
    // The rows alone still form a consistent chain…
    expect((await verifyAuditChain(t.db, { keys: [KEY_1] })).ok).toBe(true);
    // …the checkpoint kept outside the database does not agree.
    const report = await verifyAuditChain(t.db, { keys: [KEY_1], checkpoints: [checkpoint] });
    expect(report.breaks).toEqual([expect.objectContaining({ kind: 'truncated', seq: 6, checkpoint: 1 })]);
  });

  it('detects a history rewritten before a checkpoint even when recomputed as legacy rows', async () => {
    await append(4);
    const checkpoint = signCheckpoint(KEY_1, await head(), NOW);
    // Rewrite everything as a "legacy" (unkeyed) chain: the rows verify, the checkpoint does not.
    await asIntruder(async () => {
      let prev = GENESIS_HASH;
      for (const row of await rows()) {
        const details = Number(row.seq) === 2 ? { i: 77 } : row.details;
        const body = canonicalJson({
          id: row.id,
          occurred_at: row.occurred_at.toISOString(),
          actor_type: row.actor_type,
          actor_id: row.actor_id,
          action: row.action,
          subject_type: row.subject_type,
          subject_id: row.subject_id,
          ip: row.ip,
          device: row.device,
          request_id: row.request_id,
          details,
        });
        const hash = createHash('sha256').update(prev).update(body).digest('hex');
        await t.db
          .updateTable('audit_events')
          .set({ details: JSON.stringify(details), prev_hash: prev, hash, key_id: LEGACY_KEY_ID })
          .where('seq', '=', row.seq)
          .execute();
        prev = hash;
      }
    });
    const report = await verifyAuditChain(t.db, { keys: [KEY_1], checkpoints: [checkpoint] });
    expect(report.breaks).toEqual([expect.objectContaining({ kind: 'checkpoint_mismatch', seq: 4 })]);
  });

  it('refuses a forged, a foreign-key and an unreadable checkpoint', async () => {
    await append(3);
    const real = signCheckpoint(KEY_1, await head(), NOW);
    const forged = { ...real, seq: 9, mac: real.mac };
    const foreign = signCheckpoint({ id: 'nobody', key: new Uint8Array(32) }, await head(), NOW);
    const report = await verifyAuditChain(t.db, {
      keys: [KEY_1],
      checkpoints: [real, forged, foreign, 'x{'],
    });
    expect(report.breaks.map((b) => [b.kind, b.checkpoint])).toEqual([
      ['checkpoint_signature_invalid', 2],
      ['unknown_key_id', 3],
      ['checkpoint_malformed', 4],
    ]);
  });

  it('verifies across a key rotation with every key, and names a row whose key is unknown', async () => {
    await append(3);
    const releaseNew = useAuditChain({ keys: [KEY_2, KEY_1] });
    try {
      await append(3, 3);
    } finally {
      releaseNew();
    }
    expect((await rows()).map((r) => r.key_id)).toEqual([
      ...Array(3).fill('unit-1'),
      ...Array(3).fill('unit-2'),
    ]);
    expect(await verifyAuditChain(t.db, { keys: [KEY_2, KEY_1] })).toMatchObject({ ok: true, events: 6 });
    const report = await verifyAuditChain(t.db, { keys: [KEY_2] });
    expect(report.breaks).toEqual([expect.objectContaining({ kind: 'unknown_key_id', seq: 1, toSeq: 3 })]);
  });

  it('verifies rows written before the keyed chain as a legacy segment the keyed rows chain onto', async () => {
    // Rows as the unkeyed log wrote them (migration 0020 gave them key_id "legacy").
    let prev = GENESIS_HASH;
    for (let i = 0; i < 3; i++) {
      const fields = {
        id: `00000000-0000-4000-8000-00000000000${i}`,
        occurred_at: NOW,
        actor_type: 'system',
        actor_id: null,
        action: `legacy.${i}`,
        subject_type: null,
        subject_id: null,
        ip: null,
        device: null,
        request_id: null,
        details: { i },
      };
      const body = canonicalJson({ ...fields, occurred_at: NOW.toISOString() });
      const hash = createHash('sha256').update(prev).update(body).digest('hex');
      await t.db
        .insertInto('audit_events')
        .values({
          ...fields,
          details: JSON.stringify(fields.details),
          prev_hash: prev,
          hash,
          key_id: LEGACY_KEY_ID,
        })
        .execute();
      prev = hash;
    }
    await append(2);
    const all = await rows();
    expect(all[3]?.prev_hash).toBe(all[2]?.hash);
    expect(await verifyAuditChain(t.db, { keys: [KEY_1] })).toMatchObject({ ok: true, events: 5 });

    // A keyed row turned back into a legacy one (to recompute it without the key) is a downgrade.
    await asIntruder(() =>
      t.db.updateTable('audit_events').set({ key_id: LEGACY_KEY_ID }).where('seq', '=', 5).execute(),
    );
    const report = await verifyAuditChain(t.db, { keys: [KEY_1] });
    expect(report.breaks).toEqual([expect.objectContaining({ kind: 'legacy_after_keyed', seq: 5 })]);
  });

  it('appends on its own in one statement, and appends waiting together in one (group commit)', async () => {
    let statements = 0;
    const counted = t.db.withPlugin({
      transformQuery: (args) => {
        statements += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const one = (i: number) => recordAudit(counted, { actorType: 'system', action: `one.${i}` }, NOW);
    await one(0); // this handle has not seen the head yet: it reads it first
    expect(statements).toBe(2);
    statements = 0;
    await one(1);
    expect(statements).toBe(1);
    statements = 0;
    await Promise.all(Array.from({ length: 40 }, (_, i) => one(2 + i)));
    // The first goes alone; the 39 queued behind it go in together.
    expect(statements).toBe(2);
    const all = await rows();
    expect(all.map((r) => r.action)).toEqual(Array.from({ length: 42 }, (_, i) => `one.${i}`));
    expect(await verifyAuditChain(t.db, { keys: [KEY_1] })).toMatchObject({ ok: true, events: 42 });
  });

  it('keeps one chain when other writers and transactions move the head a handle last knew', async () => {
    const noop: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => args.result,
    };
    // Two handles: two processes' queues and known heads, on one database.
    const a = t.db.withPlugin(noop);
    const b = t.db.withPlugin(noop);
    for (let i = 0; i < 4; i++) {
      await recordAudit(a, { actorType: 'system', action: `a.${i}` }, NOW);
      await recordAudit(b, { actorType: 'system', action: `b.${i}` }, NOW);
      await t.db
        .transaction()
        .execute((trx) => appendAudit(trx, { actorType: 'system', action: `trx.${i}` }, NOW));
    }
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        recordAudit(i % 2 ? a : b, { actorType: 'system', action: `both.${i}` }, NOW),
      ),
    );
    const all = await rows();
    expect(all).toHaveLength(42);
    expect(new Set(all.map((r) => r.prev_hash)).size).toBe(42);
    expect(await verifyAuditChain(t.db, { keys: [KEY_1] })).toMatchObject({ ok: true, events: 42 });
  });

  it('chains from the genesis hash again when the table was emptied under a handle (a restore)', async () => {
    await append(3);
    await sql`truncate audit_events restart identity`.execute(t.db);
    await append(2, 3);
    const all = await rows();
    expect(all[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(await verifyAuditChain(t.db, { keys: [KEY_1] })).toMatchObject({ ok: true, events: 2 });
  });

  it('refuses, in the database itself, a second row chained onto the same hash (a fork)', async () => {
    await append(2);
    // A second successor of the first row: the same row under another id and hash.
    const { seq: _seq, ...first } = (await rows())[0]!;
    const fork = {
      ...first,
      id: '00000000-0000-4000-8000-0000000000f0',
      details: JSON.stringify(first.details),
      hash: 'f'.repeat(64),
    };
    await expect(t.db.insertInto('audit_events').values(fork).execute()).rejects.toThrow(
      /audit_events_single_link/,
    );
  });

  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('refuses to append before keys are registered', async () => {
    release();
    try {
      await expect(append(1)).rejects.toThrow(/useAuditChain/);
    } finally {
      release = useAuditChain({ keys: [KEY_1] });
    }
  });
});
