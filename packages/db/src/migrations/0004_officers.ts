/**
 * 0004 officer review: officer accounts (password as Argon2id, TOTP secret sealed, roles),
 * their sessions (hashed tokens), case claims (one officer per case at a time) and the decisions
 * taken on registrations (with a second officer for fraud rejections).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table officers (
      id uuid primary key,
      username text not null unique,
      display_name text not null,
      role text not null check (role in ('officer', 'supervisor', 'administrator')),
      password_verifier text not null,
      totp_secret_enc text not null,
      status text not null check (status in ('active', 'disabled')),
      failed_logins integer not null default 0,
      locked_until timestamptz,
      last_totp_step bigint,
      created_at timestamptz not null
    )`.execute(db);
  await sql`
    create table officer_sessions (
      token_hash text primary key,
      officer_id uuid not null references officers (id),
      created_at timestamptz not null,
      last_seen_at timestamptz not null,
      expires_at timestamptz not null
    )`.execute(db);
  await sql`
    create table case_claims (
      account_id uuid primary key references accounts (id),
      officer_id uuid not null references officers (id),
      claimed_at timestamptz not null,
      expires_at timestamptz not null
    )`.execute(db);
  await sql`
    create table review_decisions (
      id uuid primary key,
      account_id uuid not null references accounts (id),
      officer_id uuid not null references officers (id),
      decision text not null check (decision in ('approve', 'reject', 'resubmit')),
      reason_code text,
      note text,
      part text,
      state text not null check (state in ('final', 'awaiting_second_officer', 'confirmed', 'overruled')),
      second_officer_id uuid references officers (id),
      created_at timestamptz not null,
      decided_at timestamptz
    )`.execute(db);
  await sql`create index review_decisions_account_idx on review_decisions (account_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['review_decisions', 'case_claims', 'officer_sessions', 'officers']) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db);
  }
}
