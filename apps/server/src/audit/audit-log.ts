/**
 * The append-only, hash-chained audit log (architecture.md, decision 12).
 *
 * Every event stores `hash = SHA-256(prev_hash || canonical JSON of the event)`; changing,
 * removing or reordering any past row breaks every later hash, which `verifyAuditChain` (and the
 * `npm run audit:verify` command) detects. The table refuses UPDATE and DELETE by trigger.
 * Appends take a transaction-scoped advisory lock so instances cannot fork the chain, and they
 * run in the caller's transaction so a step and its audit event commit together.
 *
 * Never put a secret in `details`: a guard drops keys that name one.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AuditEventsTable, Database } from '@camdigikey/db';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';

export const GENESIS_HASH = '0'.repeat(64);
const AUDIT_LOCK_KEY = 7_201_055; // any constant shared by all instances

export interface AuditInput {
  actorType: 'device' | 'system' | 'admin' | 'officer' | 'relying_party' | 'citizen';
  actorId?: string | null;
  action: string;
  subjectType?: string | null;
  subjectId?: string | null;
  ip?: string | null;
  device?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

const FORBIDDEN_DETAIL_KEYS =
  /pin|otp|code|token|secret|password|photo|selfie|frame|image|mrz|documentnumber/i;

function scrub(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (FORBIDDEN_DETAIL_KEYS.test(k)) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? scrub(v as Record<string, unknown>) : v;
  }
  return out;
}

/** JSON with object keys sorted at every level: the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The columns an event's hash covers: everything but its position and the hashes. */
type HashedFields = Omit<Selectable<AuditEventsTable>, 'seq' | 'prev_hash' | 'hash' | 'details'> & {
  details: Record<string, unknown>;
};

export function eventHash(prevHash: string, e: HashedFields): string {
  const body = canonicalJson({
    id: e.id,
    occurred_at: e.occurred_at.toISOString(),
    actor_type: e.actor_type,
    actor_id: e.actor_id,
    action: e.action,
    subject_type: e.subject_type,
    subject_id: e.subject_id,
    ip: e.ip,
    device: e.device,
    request_id: e.request_id,
    details: e.details,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

type Executor = Kysely<Database> | Transaction<Database>;

export async function appendAudit(trx: Transaction<Database>, input: AuditInput, now: Date): Promise<string> {
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  const last = await trx
    .selectFrom('audit_events')
    .select('hash')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const fields: HashedFields = {
    id: randomUUID(),
    occurred_at: now,
    actor_type: input.actorType,
    actor_id: input.actorId ?? null,
    action: input.action,
    subject_type: input.subjectType ?? null,
    subject_id: input.subjectId ?? null,
    ip: input.ip ?? null,
    device: input.device ?? null,
    request_id: input.requestId ?? null,
    details: scrub(input.details ?? {}),
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = eventHash(prevHash, fields);
  await trx
    .insertInto('audit_events')
    .values({ ...fields, details: JSON.stringify(fields.details), prev_hash: prevHash, hash })
    .execute();
  return fields.id;
}

/** Append one event in its own transaction. */
export const recordAudit = (db: Kysely<Database>, input: AuditInput, now: Date) =>
  db.transaction().execute((trx) => appendAudit(trx, input, now));

export interface ChainReport {
  ok: boolean;
  events: number;
  /** The first broken event, if any. */
  brokenAt?: { seq: number; reason: 'prev_hash' | 'hash' };
}

/** Recompute the whole chain in pages; stops at the first broken link. */
export async function verifyAuditChain(db: Executor, pageSize = 1000): Promise<ChainReport> {
  let prev = GENESIS_HASH;
  let afterSeq = 0;
  let events = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) return { ok: true, events };
    for (const row of rows) {
      if (row.prev_hash !== prev)
        return { ok: false, events, brokenAt: { seq: row.seq, reason: 'prev_hash' } };
      const expected = eventHash(prev, { ...row, details: row.details });
      if (expected !== row.hash) return { ok: false, events, brokenAt: { seq: row.seq, reason: 'hash' } };
      prev = row.hash;
      afterSeq = row.seq;
      events += 1;
    }
  }
}
