/**
 * The append-only, keyed hash-chained audit log (architecture.md, decision 12; issue 19).
 *
 * Every event stores `hash = HMAC-SHA-256(audit key, prev_hash, canonical JSON of the event)`
 * and the id of the key it was chained with (`key_id`). The keys (AUDIT_KEYS) live outside the
 * database, so someone who can write the table can no longer rewrite a row and recompute every
 * later hash: without the key the recomputed MACs do not verify. Rows written before the keyed
 * chain (`key_id = 'legacy'`) used plain SHA-256; they verify as a legacy segment at the start of
 * the chain and the first keyed row chains onto the last legacy hash. Deleting the newest rows
 * leaves a consistent chain, which only an outside record of the head can reveal: the signed
 * checkpoints (./checkpoints.ts).
 *
 * The table refuses UPDATE and DELETE by trigger. Appends take a transaction-scoped advisory lock
 * so instances cannot fork the chain, and they run in the caller's transaction so a step and its
 * audit event commit together. What is stored is exactly what was hashed (./audit-text.ts).
 *
 * Never put a secret in `details`: a guard drops keys that name one.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AuditEventsTable, Database } from '@camdigikey/db';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { constantTimeEqual, hmacHex } from '../crypto/keyed-hash';
import { auditText, auditTextOrNull, storableDetails } from './audit-text';

export const GENESIS_HASH = '0'.repeat(64);
/** The key id of rows chained with plain SHA-256 before the keyed chain existed. */
export const LEGACY_KEY_ID = 'legacy';
const AUDIT_LOCK_KEY = 7_201_055; // any constant shared by all instances

/** Longest stored text of one column of an entry (code points). */
const COLUMN_MAX_CHARS = { actor: 200, action: 100, subject: 200, ip: 100, device: 200, request: 200 };

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

/** One audit key: the first configured one chains new rows, every one verifies. */
export interface AuditKey {
  id: string;
  key: Uint8Array;
}

/** What appends need: the keys (first one chains) and who to tell that a row was appended. */
export interface AuditChain {
  keys: readonly AuditKey[];
  /** Called after each append (before the caller's commit); cheap: counts for checkpoints. */
  appended?(): void;
}

const chains: AuditChain[] = [];

/**
 * Registers the keys appends chain with (the composition root does, from AUDIT_KEYS). The most
 * recently registered chain still open is used; the returned function unregisters it.
 */
export function useAuditChain(chain: AuditChain): () => void {
  if (chain.keys.length === 0) throw new Error('the audit log needs at least one key');
  chains.push(chain);
  return () => {
    const at = chains.lastIndexOf(chain);
    if (at !== -1) chains.splice(at, 1);
  };
}

function activeChain(): AuditChain {
  const chain = chains.at(-1);
  if (!chain) throw new Error('audit log used before its keys were registered (useAuditChain)');
  return chain;
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

/** The columns an event's hash covers: everything but its position, key id and the hashes. */
type HashedFields = Omit<
  Selectable<AuditEventsTable>,
  'seq' | 'prev_hash' | 'hash' | 'details' | 'key_id'
> & {
  details: Record<string, unknown>;
};

function eventBody(e: HashedFields): string {
  return canonicalJson({
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
}

/** The legacy (pre-key) link: plain SHA-256 of the previous hash and the event. */
export function eventHash(prevHash: string, e: HashedFields): string {
  return createHash('sha256').update(prevHash).update(eventBody(e)).digest('hex');
}

/** The keyed link: HMAC-SHA-256 under the audit key, covering the key id too. */
export function keyedEventHash(key: AuditKey, prevHash: string, e: HashedFields): string {
  return hmacHex(key.key, 'cdk-audit-event-v2', key.id, prevHash, eventBody(e));
}

type Executor = Kysely<Database> | Transaction<Database>;

/** The entry exactly as it will be stored (and so hashed): see ./audit-text.ts. */
export function auditFields(input: AuditInput, id: string, now: Date): HashedFields {
  const c = COLUMN_MAX_CHARS;
  return {
    id,
    occurred_at: now,
    actor_type: auditText(input.actorType, 50),
    actor_id: auditTextOrNull(input.actorId, c.actor),
    action: auditText(input.action, c.action),
    subject_type: auditTextOrNull(input.subjectType, c.subject),
    subject_id: auditTextOrNull(input.subjectId, c.subject),
    ip: auditTextOrNull(input.ip, c.ip),
    device: auditTextOrNull(input.device, c.device),
    request_id: auditTextOrNull(input.requestId, c.request),
    details: scrub(storableDetails(input.details ?? {})),
  };
}

export async function appendAudit(trx: Transaction<Database>, input: AuditInput, now: Date): Promise<string> {
  const chain = activeChain();
  const key = chain.keys[0] as AuditKey;
  const fields = auditFields(input, randomUUID(), now);
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  const last = await trx
    .selectFrom('audit_events')
    .select('hash')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = keyedEventHash(key, prevHash, fields);
  await trx
    .insertInto('audit_events')
    .values({ ...fields, details: JSON.stringify(fields.details), prev_hash: prevHash, hash, key_id: key.id })
    .execute();
  chain.appended?.();
  return fields.id;
}

/** Append one event in its own transaction. */
export const recordAudit = (db: Kysely<Database>, input: AuditInput, now: Date) =>
  db.transaction().execute((trx) => appendAudit(trx, input, now));

/** The newest row: what a checkpoint records. */
export async function auditHead(db: Executor): Promise<{ seq: number; hash: string } | undefined> {
  const row = await db
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
}

/** What went wrong, where. */
export type BreakKind =
  | 'content_changed'
  | 'link_broken'
  | 'row_missing'
  | 'unknown_key_id'
  | 'legacy_after_keyed'
  | 'truncated'
  | 'checkpoint_mismatch'
  | 'checkpoint_signature_invalid'
  | 'checkpoint_malformed';

export interface ChainBreak {
  kind: BreakKind;
  /** The row (or the row a checkpoint names). */
  seq: number;
  /** The last row of a run of consecutive rows broken the same way. */
  toSeq?: number;
  /** The checkpoint (1-based, in file order) the break was found through. */
  checkpoint?: number;
  detail: string;
}

export interface ChainReport {
  ok: boolean;
  /** Rows read. */
  events: number;
  /** Checkpoints checked. */
  checkpoints: number;
  /** Every break found, in row order (checkpoint findings after the rows). */
  breaks: ChainBreak[];
}

/** A checkpoint as read back from outside the database (shape checked by the verifier). */
export interface CheckpointRecord {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  mac: string;
}

export const checkpointMac = (key: AuditKey, cp: Omit<CheckpointRecord, 'mac' | 'keyId'>): string =>
  hmacHex(key.key, 'cdk-audit-checkpoint-v1', key.id, String(cp.seq), cp.hash, cp.at);

export function isCheckpointRecord(value: unknown): value is CheckpointRecord {
  const v = value as Partial<CheckpointRecord> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    Number.isSafeInteger(v.seq) &&
    typeof v.hash === 'string' &&
    typeof v.at === 'string' &&
    typeof v.keyId === 'string' &&
    typeof v.mac === 'string'
  );
}

export interface VerifyOptions {
  /** Every key rows or checkpoints may name (rotation: old and new). */
  keys: readonly AuditKey[];
  /** The checkpoints read from outside the database, in file order (unparsed lines allowed). */
  checkpoints?: readonly unknown[];
  pageSize?: number;
}

/**
 * Recomputes the whole chain in pages and checks every checkpoint against it. Reports every
 * break (a run of consecutive rows broken the same way as one entry) instead of stopping at the
 * first, so one tampering cannot hide a later one.
 */
export async function verifyAuditChain(db: Executor, options: VerifyOptions): Promise<ChainReport> {
  const keys = new Map(options.keys.map((k) => [k.id, k]));
  const breaks: ChainBreak[] = [];
  let prev = GENESIS_HASH;
  let lastSeq = 0;
  let events = 0;
  let keyed = false;
  // A break on the row right after a run of the same kind extends the run.
  const report = (b: ChainBreak) => {
    const last = breaks.at(-1);
    if (last && last.kind === b.kind && (last.toSeq ?? last.seq) === lastSeq) last.toSeq = b.seq;
    else breaks.push(b);
  };
  const checkpoints = options.checkpoints ?? [];
  const wanted = new Set<number>();
  for (const cp of checkpoints) if (isCheckpointRecord(cp)) wanted.add(cp.seq);
  const hashAt = new Map<number, string>();
  const pageSize = options.pageSize ?? 1000;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>', lastSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (row.prev_hash !== prev)
        report(
          seq > lastSeq + 1
            ? {
                kind: 'row_missing',
                seq,
                detail: `the row before #${seq} is not the one it was chained to (rows #${lastSeq + 1}–#${seq - 1} absent)`,
              }
            : { kind: 'link_broken', seq, detail: `#${seq} does not chain onto #${lastSeq}` },
        );
      const fields = { ...row, details: row.details };
      // A dump from before migration 0020 has no key_id: its rows are all legacy.
      if ((row.key_id ?? LEGACY_KEY_ID) === LEGACY_KEY_ID) {
        if (keyed)
          report({
            kind: 'legacy_after_keyed',
            seq,
            detail: `#${seq} claims the legacy chain after keyed rows`,
          });
        else if (eventHash(row.prev_hash, fields) !== row.hash)
          report({ kind: 'content_changed', seq, detail: `#${seq} does not match its hash` });
      } else {
        keyed = true;
        const key = keys.get(row.key_id);
        if (!key) report({ kind: 'unknown_key_id', seq, detail: `#${seq} names key "${row.key_id}"` });
        else if (!constantTimeEqual(keyedEventHash(key, row.prev_hash, fields), row.hash))
          report({ kind: 'content_changed', seq, detail: `#${seq} does not match its MAC` });
      }
      if (wanted.has(seq)) hashAt.set(seq, row.hash);
      prev = row.hash;
      lastSeq = seq;
      events += 1;
    }
  }

  let truncationReported = false;
  checkpoints.forEach((cp, i) => {
    const n = i + 1;
    if (!isCheckpointRecord(cp)) {
      breaks.push({
        kind: 'checkpoint_malformed',
        seq: 0,
        checkpoint: n,
        detail: `checkpoint ${n} is unreadable`,
      });
      return;
    }
    const key = keys.get(cp.keyId);
    if (!key) {
      breaks.push({
        kind: 'unknown_key_id',
        seq: cp.seq,
        checkpoint: n,
        detail: `checkpoint ${n} names key "${cp.keyId}"`,
      });
      return;
    }
    if (!constantTimeEqual(checkpointMac(key, cp), cp.mac)) {
      breaks.push({
        kind: 'checkpoint_signature_invalid',
        seq: cp.seq,
        checkpoint: n,
        detail: `checkpoint ${n} (row #${cp.seq}) is not signed by key "${cp.keyId}"`,
      });
      return;
    }
    if (cp.seq > lastSeq) {
      if (!truncationReported)
        breaks.push({
          kind: 'truncated',
          seq: cp.seq,
          checkpoint: n,
          detail: `truncated after checkpoint ${n}: it names row #${cp.seq}, the log ends at #${lastSeq}`,
        });
      truncationReported = true;
      return;
    }
    const hash = hashAt.get(cp.seq);
    if (hash === undefined)
      breaks.push({
        kind: 'row_missing',
        seq: cp.seq,
        checkpoint: n,
        detail: `row #${cp.seq} named by checkpoint ${n} is absent`,
      });
    else if (hash !== cp.hash)
      breaks.push({
        kind: 'checkpoint_mismatch',
        seq: cp.seq,
        checkpoint: n,
        detail: `row #${cp.seq} differs from checkpoint ${n}: history up to it was rewritten`,
      });
  });

  return { ok: breaks.length === 0, events, checkpoints: checkpoints.length, breaks };
}
