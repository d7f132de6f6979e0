/**
 * 0027 grants by account and relying party (issue 18, ADR 0016): a QR login approved on the phone
 * finds the account's earlier consent to the relying party (apps/server/src/oidc/
 * remembered-consent.ts) instead of asking again in every new browser; this index keeps that one
 * lookup per login from scanning the provider's payloads.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create index oidc_payloads_grants_by_account
    on oidc_payloads ((payload->>'accountId'), (payload->>'clientId'), expires_at)
    where kind = 'Grant'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists oidc_payloads_grants_by_account`.execute(db);
}
