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
 * The table refuses UPDATE and DELETE by trigger, and no two rows may chain onto the same hash
 * (unique index, migration 0026). An append inside a caller's transaction (`appendAudit`) takes a
 * transaction-scoped advisory lock and reads the head, so a step and its audit event commit
 * together. An append on its own (`recordAudit`) is one statement: each process keeps the head it
 * last wrote and queues its own appends (those waiting together go in as one multi-row insert: a
 * group commit); the insert takes the same lock inside the statement, and if another writer moved
 * the head meanwhile the unique index refuses the insert, the head is read again and the rows are
 * chained anew. What is stored is exactly what was hashed (./audit-text.ts).
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

/** The unique index that keeps the chain from forking (migration 0026). */
const SINGLE_LINK_INDEX = 'audit_events_single_link';
/** Rows one group-commit insert takes at most. */
const MAX_GROUP = 64;
/** Conflicting inserts before an append falls back to the locked transaction. */
const MAX_CONFLICTS = 3;

/** Appends inside transactions so far: a head a process remembers from before may have moved. */
let transactionalAppends = 0;

interface Queued {
  fields: HashedFields;
  resolve: (id: string) => void;
  reject: (error: unknown) => void;
}

/** One database's appends from this process: its queue and the head it last wrote or read. */
interface Appender {
  queue: Queued[];
  draining: boolean;
  head: string | undefined;
  /** `transactionalAppends` when `head` was learnt. */
  seen: number;
}

const appenders = new WeakMap<Kysely<Database>, Appender>();

function appenderOf(db: Kysely<Database>): Appender {
  let a = appenders.get(db);
  if (!a) {
    a = { queue: [], draining: false, head: undefined, seen: 0 };
    appenders.set(db, a);
  }
  return a;
}

function isForkRefused(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | null;
  return (
    e?.code === '23505' &&
    (e.constraint === SINGLE_LINK_INDEX || (e.message ?? '').includes(SINGLE_LINK_INDEX))
  );
}

/** The events chained onto `prevHash` with `key`, in order. */
function chained(events: readonly HashedFields[], key: AuditKey, prevHash: string) {
  let prev = prevHash;
  return events.map((fields) => {
    const hash = keyedEventHash(key, prev, fields);
    const row = { fields, prev_hash: prev, hash };
    prev = hash;
    return row;
  });
}

/**
 * One statement: the advisory lock (held until this statement commits, so appends inside
 * transactions, which hold it from their head read to their commit, never interleave), then the
 * rows in their order (the sequence numbers follow it), only if the first one chains onto the head
 * the statement sees. A writer that committed while this statement waited for the lock is not in
 * its snapshot, but the unique index still refuses a second row onto the same hash. False when
 * nothing was inserted (the head is not the one expected).
 */
async function insertChained(
  db: Kysely<Database>,
  rows: ReturnType<typeof chained>,
  keyId: string,
): Promise<boolean> {
  const values = sql.join(
    rows.map(
      ({ fields: f, prev_hash, hash }, i) =>
        sql`(${i}::int, ${f.id}::uuid, ${f.occurred_at}::timestamptz, ${f.actor_type}::text, ${f.actor_id}::text, ${f.action}::text, ${f.subject_type}::text, ${f.subject_id}::text, ${f.ip}::text, ${f.device}::text, ${f.request_id}::text, ${JSON.stringify(f.details)}::jsonb, ${prev_hash}::text, ${hash}::text)`,
    ),
  );
  const r = await sql`
    insert into audit_events
      (id, occurred_at, actor_type, actor_id, action, subject_type, subject_id, ip, device, request_id, details, prev_hash, hash, key_id)
    select v.id, v.occurred_at, v.actor_type, v.actor_id, v.action, v.subject_type, v.subject_id, v.ip,
           v.device, v.request_id, v.details, v.prev_hash, v.hash, ${keyId}::text
    from (select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})) as lock,
         (values ${values}) as v(ord, id, occurred_at, actor_type, actor_id, action, subject_type, subject_id, ip, device, request_id, details, prev_hash, hash)
    where coalesce((select h.hash from audit_events h order by h.seq desc limit 1), ${GENESIS_HASH}) = ${rows[0]!.prev_hash}
    order by v.ord
    returning seq`.execute(db);
  return r.rows.length === rows.length;
}

/** Appends one group: onto the known head, again onto a fresh head on a conflict, last in a locked transaction. */
async function appendGroup(db: Kysely<Database>, a: Appender, group: readonly Queued[]): Promise<void> {
  const chain = activeChain();
  const key = chain.keys[0] as AuditKey;
  const events = group.map((q) => q.fields);
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
    if (a.head === undefined || a.seen !== transactionalAppends) {
      a.seen = transactionalAppends;
      a.head = (await auditHead(db))?.hash ?? GENESIS_HASH;
    }
    const rows = chained(events, key, a.head);
    let inserted: boolean;
    try {
      inserted = await insertChained(db, rows, key.id);
    } catch (error) {
      a.head = undefined;
      if (isForkRefused(error)) continue;
      throw error;
    }
    if (!inserted) {
      // The head this process knew is gone (a restored or emptied table): read it again.
      a.head = undefined;
      continue;
    }
    a.head = rows.at(-1)!.hash;
    for (let i = 0; i < rows.length; i++) chain.appended?.();
    return;
  }
  // Other writers keep moving the head: wait for the lock, then read and append under it.
  await db.transaction().execute((trx) => appendUnderLock(trx, events, key));
  for (let i = 0; i < group.length; i++) chain.appended?.();
}

/**
 * In `trx`: take the lock (held until `trx` commits), read the head and append `events` onto it.
 * How appends inside a caller's transaction go, and the fallback of those on their own.
 */
async function appendUnderLock(trx: Transaction<Database>, events: readonly HashedFields[], key: AuditKey) {
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  const rows = chained(events, key, (await auditHead(trx))?.hash ?? GENESIS_HASH);
  if (!(await insertChained(trx, rows, key.id))) throw new Error('audit head moved under the lock');
}

/** Append one event inside the caller's transaction: it commits (or not) with the step it records. */
export async function appendAudit(trx: Transaction<Database>, input: AuditInput, now: Date): Promise<string> {
  const chain = activeChain();
  const fields = auditFields(input, randomUUID(), now);
  transactionalAppends += 1;
  await appendUnderLock(trx, [fields], chain.keys[0] as AuditKey);
  chain.appended?.();
  return fields.id;
}

async function drain(db: Kysely<Database>, a: Appender): Promise<void> {
  a.draining = true;
  try {
    while (a.queue.length > 0) {
      const group = a.queue.splice(0, MAX_GROUP);
      try {
        await appendGroup(db, a, group);
        for (const q of group) q.resolve(q.fields.id);
      } catch (error) {
        if (group.length === 1) group[0]!.reject(error);
        // One event the database refuses must not lose the others of its group: one by one.
        else
          for (const q of group)
            await appendGroup(db, a, [q]).then(
              () => q.resolve(q.fields.id),
              (e: unknown) => q.reject(e),
            );
      }
    }
  } finally {
    a.draining = false;
  }
}

/**
 * Append one event on its own (not inside a caller's transaction): one statement in the usual
 * case, resolved when the row is committed.
 */
export function recordAudit(db: Kysely<Database>, input: AuditInput, now: Date): Promise<string> {
  try {
    activeChain();
  } catch (error) {
    return Promise.reject(error);
  }
  const fields = auditFields(input, randomUUID(), now);
  const a = appenderOf(db);
  return new Promise<string>((resolve, reject) => {
    a.queue.push({ fields, resolve, reject });
    if (!a.draining) void drain(db, a);
  });
}

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
