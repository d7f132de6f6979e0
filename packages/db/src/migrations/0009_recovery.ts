/**
 * 0009 Account recovery on a new phone and the citizen's control over the account:
 * - accounts.recovered_at (the cooling-off for sensitive actions starts there) and
 *   accounts.locked_reason (who locked it: the citizen, a disputed recovery, an officer);
 * - recovery_attempts: every judged face check of a recovery (the daily cap counts failures);
 * - recovery_referrals: recoveries an officer must see (one open referral per account);
 * - account_action_tokens: single-use links sent in notices ("this wasn't me" locks the account),
 *   stored only as a keyed hash.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table accounts add column recovered_at timestamptz, add column locked_reason text`.execute(
    db,
  );
  await sql`
    create table recovery_attempts (
      id uuid primary key,
      account_id uuid not null references accounts (id),
      flow_id uuid not null references flows (id),
      outcome text not null check (outcome in ('passed', 'liveness_failed', 'face_mismatch')),
      details jsonb not null default '{}',
      created_at timestamptz not null
    )`.execute(db);
  await sql`create index recovery_attempts_account on recovery_attempts (account_id, created_at)`.execute(db);
  await sql`
    create table recovery_referrals (
      id uuid primary key,
      account_id uuid not null references accounts (id),
      flow_id uuid references flows (id),
      reason text not null check (reason in ('too_many_failures', 'recovery_disputed', 'no_enrolled_face')),
      created_at timestamptz not null,
      resolved_at timestamptz,
      resolved_by uuid references officers (id),
      decision text check (decision in ('retry_allowed', 'refused')),
      note text
    )`.execute(db);
  await sql`create unique index recovery_referrals_open on recovery_referrals (account_id) where resolved_at is null`.execute(
    db,
  );
  await sql`
    create table account_action_tokens (
      id uuid primary key,
      account_id uuid not null references accounts (id),
      purpose text not null check (purpose in ('lock_account')),
      token_hash text not null unique,
      details jsonb not null default '{}',
      created_at timestamptz not null,
      expires_at timestamptz not null,
      consumed_at timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists account_action_tokens cascade`.execute(db);
  await sql`drop table if exists recovery_referrals cascade`.execute(db);
  await sql`drop table if exists recovery_attempts cascade`.execute(db);
  await sql`alter table accounts drop column if exists recovered_at, drop column if exists locked_reason`.execute(
    db,
  );
}
