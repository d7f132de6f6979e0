/**
 * 0007 backchannel (CIBA) approvals: a relying party's backend asks to log a known citizen in;
 * the request waits here for the citizen's registered device (which lists, approves with the PIN
 * or declines it), then the provider's poll/ping delivery tells the relying party.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table device_approvals (
      id text primary key,
      account_id uuid not null references accounts (id),
      client_id text not null,
      binding_message text not null,
      scope text not null,
      state text not null check (state in ('pending', 'approved', 'rejected')),
      not_me boolean not null default false,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      decided_at timestamptz
    )`.execute(db);
  await sql`create index device_approvals_account_idx on device_approvals (account_id, state, expires_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists device_approvals cascade`.execute(db);
}
