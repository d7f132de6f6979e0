/**
 * 0001 foundation: flows, OTP challenges, accounts, devices, WebAuthn credentials, encrypted
 * blobs, consents, the hash-chained audit log and the public-holiday table.
 *
 * Append-only rule: a released migration is never edited; changes come as a new file with its
 * own `down`. Secrets never appear here in clear: OTP codes are keyed hashes, PINs Argon2id
 * verifiers, document numbers envelope-encrypted with a keyed blind index for look-ups.
 */

import { CAMBODIA_PUBLIC_HOLIDAYS } from '@camdigikey/core/calendar/cambodia-holidays';
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table flows (
      id uuid primary key,
      kind text not null,
      state text not null,
      language text not null check (language in ('km', 'en')),
      device_thumbprint text not null,
      device_jwk jsonb not null,
      data jsonb not null default '{}'::jsonb,
      version integer not null default 0,
      account_id uuid,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index flows_device_idx on flows (device_thumbprint)`.execute(db);

  await sql`
    create table otp_challenges (
      id uuid primary key,
      flow_id uuid not null references flows (id) on delete cascade,
      channel text not null check (channel in ('sms', 'email')),
      target text not null,
      code_hash text not null,
      expires_at timestamptz not null,
      last_sent_at timestamptz not null,
      send_count integer not null default 1,
      failed_attempts integer not null default 0,
      locked_at timestamptz,
      consumed_at timestamptz,
      created_at timestamptz not null,
      last_failed_at timestamptz,
      unique (flow_id, channel, target)
    )`.execute(db);
  await sql`create index otp_challenges_target_idx on otp_challenges (channel, target, locked_at)`.execute(
    db,
  );

  await sql`
    create table otp_sends (
      id bigserial primary key,
      channel text not null,
      target text not null,
      sent_at timestamptz not null
    )`.execute(db);
  await sql`create index otp_sends_target_idx on otp_sends (channel, target, sent_at)`.execute(db);

  await sql`
    create table accounts (
      id uuid primary key,
      status text not null check (status in ('pending_review', 'active', 'rejected', 'suspended', 'locked')),
      language text not null check (language in ('km', 'en')),
      phone_e164 text not null,
      email text not null,
      khmer_surname text,
      khmer_given_name text,
      latin_surname text not null,
      latin_given_name text not null,
      gender text not null check (gender in ('male', 'female')),
      birth_date date not null,
      nationality text not null,
      document_type text not null check (document_type in ('id_card', 'passport')),
      document_issuing_state text not null,
      document_number_enc text not null,
      document_number_bidx text not null,
      document_number_hint text not null,
      document_issue_date date,
      document_expiry_date date not null,
      mrz_enc text not null,
      review_flags jsonb not null default '[]'::jsonb,
      pin_verifier text not null,
      pin_failed_count integer not null default 0,
      pin_locked_until timestamptz,
      submitted_at timestamptz not null,
      review_deadline timestamptz not null,
      decided_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
  await sql`
    create unique index accounts_live_document_uq on accounts (document_number_bidx)
    where status in ('pending_review', 'active', 'suspended', 'locked')`.execute(db);
  await sql`
    create unique index accounts_live_phone_uq on accounts (phone_e164)
    where status in ('pending_review', 'active', 'suspended', 'locked')`.execute(db);
  await sql`
    create unique index accounts_live_email_uq on accounts (lower(email))
    where status in ('pending_review', 'active', 'suspended', 'locked')`.execute(db);
  await sql`create index accounts_review_idx on accounts (status, review_deadline)`.execute(db);

  await sql`
    create table devices (
      id uuid primary key,
      account_id uuid not null references accounts (id),
      thumbprint text not null unique,
      public_jwk jsonb not null,
      status text not null check (status in ('active', 'revoked')),
      created_at timestamptz not null,
      last_seen_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
  await sql`create index devices_account_idx on devices (account_id)`.execute(db);

  await sql`
    create table webauthn_credentials (
      id text primary key,
      account_id uuid not null references accounts (id),
      device_id uuid not null references devices (id),
      public_key bytea not null,
      counter bigint not null,
      transports jsonb not null default '[]'::jsonb,
      created_at timestamptz not null,
      revoked_at timestamptz
    )`.execute(db);

  await sql`
    create table blobs (
      id uuid primary key,
      owner_type text not null check (owner_type in ('flow', 'account')),
      owner_id uuid not null,
      purpose text not null check (purpose in ('document_photo', 'selfie', 'liveness_recording')),
      media_type text not null,
      byte_size integer not null,
      sealed text not null,
      created_at timestamptz not null
    )`.execute(db);
  await sql`create index blobs_owner_idx on blobs (owner_type, owner_id)`.execute(db);

  await sql`
    create table consents (
      id uuid primary key,
      account_id uuid not null references accounts (id),
      purpose text not null,
      text_version text not null,
      language text not null,
      accepted_at timestamptz not null
    )`.execute(db);

  await sql`
    create table audit_events (
      seq bigserial primary key,
      id uuid not null unique,
      occurred_at timestamptz not null,
      actor_type text not null,
      actor_id text,
      action text not null,
      subject_type text,
      subject_id text,
      ip text,
      device text,
      request_id text,
      details jsonb not null default '{}'::jsonb,
      prev_hash text not null,
      hash text not null
    )`.execute(db);
  // Append-only: the database itself refuses to rewrite or delete audit history.
  await sql`
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only';
    end $$`.execute(db);
  await sql`
    create trigger audit_events_no_update before update or delete on audit_events
    for each row execute function audit_events_append_only()`.execute(db);

  await sql`
    create table public_holidays (
      holiday_date date primary key,
      name_km text not null,
      name_en text not null,
      updated_at timestamptz not null,
      updated_by text not null
    )`.execute(db);
  for (const h of CAMBODIA_PUBLIC_HOLIDAYS) {
    await sql`
      insert into public_holidays (holiday_date, name_km, name_en, updated_at, updated_by)
      values (${h.date}, ${h.nameKm}, ${h.nameEn}, now(), 'seed')`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'public_holidays',
    'audit_events',
    'consents',
    'blobs',
    'webauthn_credentials',
    'devices',
    'accounts',
    'otp_sends',
    'otp_challenges',
    'flows',
  ]) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db);
  }
  await sql`drop function if exists audit_events_append_only()`.execute(db);
}
