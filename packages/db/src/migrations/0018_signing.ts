/**
 * 0018 signing (issue 17): the citizens' signing certificates and the signature requests.
 *
 * - `citizen_certificates`: one X.509 certificate per issue for a registered device's public key
 *   (the device key, a non-extractable P-256 key in the app), issued by the platform's citizen
 *   signing CA. Its status is the device's: a revoked device revokes every certificate issued for
 *   it (the CRL reads the join), and a certificate can also be revoked on its own (`revoked_at`).
 * - `signing_requests` (id: the CIBA request's id, or a UUID for the client API): what a relying party asked a citizen to sign (over CIBA with
 *   `authorization_details` type `camdigikey_sign`, or over the client API), the canonical
 *   statement the app shows and signs, the to-be-signed CMS attributes, and the result: the
 *   CMS signature over the statement and, for a PDF, the PAdES signature container.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table citizen_certificates (
      serial text primary key,
      account_id uuid not null references accounts (id),
      device_id uuid not null references devices (id),
      certificate_der bytea not null,
      not_before timestamptz not null,
      not_after timestamptz not null,
      created_at timestamptz not null,
      revoked_at timestamptz,
      revocation_reason text
    )`.execute(db);
  await sql`create index citizen_certificates_device_idx on citizen_certificates (device_id, not_after)`.execute(
    db,
  );
  await sql`
    create table signing_requests (
      id text primary key,
      channel text not null check (channel in ('ciba', 'client_api')),
      client_id text not null,
      account_id uuid not null references accounts (id),
      state text not null check (state in ('pending', 'signed', 'declined', 'expired')),
      statement jsonb not null,
      document_name text,
      verification_code text not null,
      to_be_signed jsonb,
      device_id uuid references devices (id),
      certificate_serial text references citizen_certificates (serial),
      signature bytea,
      pades_signature bytea,
      not_me boolean not null default false,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      decided_at timestamptz
    )`.execute(db);
  await sql`create index signing_requests_account_idx on signing_requests (account_id, state, created_at)`.execute(
    db,
  );
  await sql`create index signing_requests_client_idx on signing_requests (client_id, created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists signing_requests cascade`.execute(db);
  await sql`drop table if exists citizen_certificates cascade`.execute(db);
}
