/**
 * 0021 pairwise subjects (issue 19, items 9 and 12): the pairwise `sub` a relying party's sector
 * received for an account, recorded when the provider computes it, so a CIBA request naming that
 * `sub` (login_hint or id_token_hint) finds the account. The identifier itself stays an HMAC that
 * cannot be reversed.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table pairwise_subjects (
      sector text not null,
      sub text not null,
      account_id uuid not null references accounts (id) on delete cascade,
      created_at timestamptz not null,
      primary key (sector, sub)
    )`.execute(db);
  await sql`create index pairwise_subjects_account on pairwise_subjects (account_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists pairwise_subjects`.execute(db);
}
