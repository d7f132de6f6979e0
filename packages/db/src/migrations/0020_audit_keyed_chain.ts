/**
 * 0020 keyed audit chain (issue 19): every audit row names the key it was chained with. Rows
 * written before are the legacy segment (plain SHA-256): they get `legacy`; new rows must name
 * their key, so the column keeps no default.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A constant default fills the existing rows without rewriting them (no UPDATE, no trigger).
  await sql`alter table audit_events add column key_id text not null default 'legacy'`.execute(db);
  await sql`alter table audit_events alter column key_id drop default`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_events drop column if exists key_id`.execute(db);
}
