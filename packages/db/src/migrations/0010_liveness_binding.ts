/**
 * 0010 Liveness bound to the person and the moment (identity-proofing issue, items 3 and 4):
 * - liveness_challenge_quota: the challenges issued to one flow (or one resubmission) in the last
 *   hour, one row per subject, so the limit is decided and counted in one upsert;
 * - face_signatures: what the replay check compares every new selfie and frame with: per upload,
 *   the face embedding and a perceptual hash of the face, envelope-encrypted (biometric data),
 *   with the account that uploaded it;
 * - recovery_referrals.reason gains 'face_check_review' (the face check was not confident enough
 *   to give an account back without an officer) and recovery_attempts.outcome gains 'referred'.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table liveness_challenge_quota (
      subject text primary key,
      issued_at timestamptz[] not null,
      updated_at timestamptz not null
    )`.execute(db);
  await sql`
    create table face_signatures (
      id uuid primary key,
      account_id uuid references accounts (id),
      source text not null check (source in ('registration', 'recovery', 'resubmission', 'enrolment')),
      signature_enc text not null,
      model text not null,
      created_at timestamptz not null
    )`.execute(db);
  await sql`create index face_signatures_account on face_signatures (account_id)`.execute(db);
  await sql`alter table recovery_referrals drop constraint if exists recovery_referrals_reason_check`.execute(
    db,
  );
  await sql`
    alter table recovery_referrals add constraint recovery_referrals_reason_check
    check (reason in ('too_many_failures', 'recovery_disputed', 'no_enrolled_face', 'face_check_review'))`.execute(
    db,
  );
  await sql`alter table recovery_attempts drop constraint if exists recovery_attempts_outcome_check`.execute(
    db,
  );
  await sql`
    alter table recovery_attempts add constraint recovery_attempts_outcome_check
    check (outcome in ('passed', 'liveness_failed', 'face_mismatch', 'referred'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from recovery_attempts where outcome = 'referred'`.execute(db);
  await sql`alter table recovery_attempts drop constraint if exists recovery_attempts_outcome_check`.execute(
    db,
  );
  await sql`
    alter table recovery_attempts add constraint recovery_attempts_outcome_check
    check (outcome in ('passed', 'liveness_failed', 'face_mismatch'))`.execute(db);
  await sql`delete from recovery_referrals where reason = 'face_check_review'`.execute(db);
  await sql`alter table recovery_referrals drop constraint if exists recovery_referrals_reason_check`.execute(
    db,
  );
  await sql`
    alter table recovery_referrals add constraint recovery_referrals_reason_check
    check (reason in ('too_many_failures', 'recovery_disputed', 'no_enrolled_face'))`.execute(db);
  await sql`drop table if exists face_signatures cascade`.execute(db);
  await sql`drop table if exists liveness_challenge_quota cascade`.execute(db);
}
