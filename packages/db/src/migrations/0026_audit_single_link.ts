/**
 * 0026 one successor per audit row (issue 18). No two rows written from now on may chain onto the
 * same hash: the database itself refuses a fork of the chain. Appends that are not part of a
 * caller's transaction (apps/server/src/audit/audit-log.ts, `recordAudit`) rely on it: they insert
 * in one statement onto the head they last knew, and a conflict here tells them that another writer
 * got there first (they read the head again and retry). Appends inside a transaction still take the
 * advisory lock and read the head first, so they never meet this conflict.
 *
 * The index covers the rows after the current last one only: the rows already written were chained
 * under the advisory lock and are checked by the verifier, and a history that holds a fork (a
 * restored or tampered table) must not stop the upgrade; the verifier reports it instead.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{
    last: string;
  }>`select coalesce(max(seq), 0)::text as last from audit_events`.execute(db);
  const last = BigInt(rows[0]?.last ?? '0');
  await sql`create unique index audit_events_single_link on audit_events (prev_hash) where seq > ${sql.lit(last.toString())}::bigint`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists audit_events_single_link`.execute(db);
}
