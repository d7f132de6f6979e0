/**
 * 0025 client credential attempts (issue 19): one row per client id whose credentials (Open KYC
 * client secret, client-API request signature) were checked, holding the failed checks of the
 * current window, the checks in flight (reserved, not yet settled) and the lock. A check reserves
 * a slot in one statement before it evaluates anything; a success gives the slot back, a failure
 * keeps it as a failure. Only client ids that exist get a row (unknown ids are counted in the hot
 * state), so the table is bounded by the number of clients.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table client_auth_attempts (
      client_id text primary key,
      failures integer not null default 0,
      pending integer not null default 0,
      window_started_at timestamptz not null,
      locked_until timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists client_auth_attempts`.execute(db);
}
