/**
 * 0019 financial-grade relying parties (issue 17): an RP marked `financial_grade` is held to the
 * FAPI 2.0 security profile (PAR required, private_key_jwt, DPoP-bound tokens).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table relying_parties add column financial_grade boolean not null default false`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table relying_parties drop column if exists financial_grade`.execute(db);
}
