/**
 * 0006 the CamDigiKey client API (rp-protocol.md): the platform's key material (root and
 * subordinate CA, token signer, TLS server certificate, token payload key; private keys sealed),
 * the client-API credentials of each relying party (HMAC, AES key and IV sealed; callbacks and
 * whitelisted return URLs; the client certificate it was issued), and the state of every token
 * issued (active, used, refreshed, logged out), so a token's signature alone never makes it valid.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table platform_keys (
      name text primary key,
      certificate_pem text,
      chain jsonb not null default '[]'::jsonb,
      private_key_enc text not null,
      created_at timestamptz not null
    )`.execute(db);
  await sql`
    create table api_clients (
      client_id text primary key,
      rp_client_id text not null unique references relying_parties (client_id),
      hmac_key_enc text not null,
      secret_key_enc text not null,
      iv_enc text not null,
      success_callback_url text not null,
      error_callback_url text not null,
      return_urls jsonb not null default '[]'::jsonb,
      certificate_fingerprint text not null,
      certificate_not_after timestamptz not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
  await sql`
    create table api_tokens (
      jti uuid primary key,
      kind text not null check (kind in ('LOGIN', 'AUTH', 'USER', 'ORGANIZATION', 'PROFILE_LOOKUP')),
      client_id text not null,
      account_id uuid references accounts (id),
      state text not null check (state in ('active', 'used', 'refreshed', 'logged_out')),
      parent_jti uuid,
      data_enc text,
      created_at timestamptz not null,
      expires_at timestamptz not null,
      ended_at timestamptz
    )`.execute(db);
  await sql`create index api_tokens_client_idx on api_tokens (client_id, kind, created_at)`.execute(db);
  await sql`create index api_tokens_expiry_idx on api_tokens (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['api_tokens', 'api_clients', 'platform_keys']) {
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db);
  }
}
