/**
 * 0002 web login: the OpenID Connect provider's storage (one table for every model of
 * oidc-provider, keyed by kind and id), the relying-party registry, the provider's signing keys
 * (sealed private JWKs, rotation), and cross-device login requests (QR + number matching).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table oidc_payloads (
      kind text not null,
      id text not null,
      payload jsonb not null,
      grant_id text,
      user_code text,
      uid text,
      expires_at timestamptz,
      consumed_at timestamptz,
      primary key (kind, id)
    )`.execute(db);
  await sql`create index oidc_payloads_grant_idx on oidc_payloads (grant_id) where grant_id is not null`.execute(
    db,
  );
  await sql`create index oidc_payloads_uid_idx on oidc_payloads (uid) where uid is not null`.execute(db);
  await sql`create index oidc_payloads_user_code_idx on oidc_payloads (user_code) where user_code is not null`.execute(
    db,
  );
  await sql`create index oidc_payloads_expiry_idx on oidc_payloads (expires_at)`.execute(db);

  await sql`
    create table relying_parties (
      client_id text primary key,
      organisation text not null,
      app_name text not null,
      app_name_km text,
      logo_url text,
      domain text not null,
      privacy_policy_url text,
      redirect_uris jsonb not null,
      post_logout_redirect_uris jsonb not null default '[]'::jsonb,
      backchannel_logout_uri text,
      android_app_id text,
      ios_bundle_id text,
      allowed_scopes jsonb not null,
      token_endpoint_auth_method text not null check (token_endpoint_auth_method in ('client_secret_basic', 'private_key_jwt', 'none')),
      client_secret_enc text,
      jwks jsonb,
      subject_type text not null default 'public' check (subject_type in ('public', 'pairwise')),
      sector_identifier text,
      status text not null default 'active' check (status in ('active', 'suspended')),
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);

  await sql`
    create table signing_keys (
      kid text primary key,
      alg text not null,
      private_jwk_enc text not null,
      public_jwk jsonb not null,
      created_at timestamptz not null,
      retired_at timestamptz,
      expires_at timestamptz
    )`.execute(db);

  await sql`
    create table login_requests (
      id uuid primary key,
      interaction_uid text not null,
      client_id text not null,
      qr_secret_enc text not null,
      browser_binding text not null,
      state text not null check (state in ('pending', 'claimed', 'approved', 'rejected', 'expired', 'completed')),
      device_id uuid,
      account_id uuid,
      match_code text not null,
      match_choices jsonb not null,
      webauthn_challenge text,
      method text,
      reason text,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      claimed_at timestamptz,
      decided_at timestamptz
    )`.execute(db);
  await sql`create index login_requests_uid_idx on login_requests (interaction_uid)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['login_requests', 'signing_keys', 'relying_parties', 'oidc_payloads']) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db);
  }
}
