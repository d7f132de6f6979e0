/**
 * 0025 client credential attempts (issue 19): one row per (client id, source address) whose
 * credentials (Open KYC client secret, client-API request signature, OIDC client secret) were
 * checked, holding the failed checks of the current window, the checks in flight (reserved, not
 * yet settled) and the lock. Keyed by the source address too, so failures from one address lock
 * only that address for that client: knowing a (public) client id is not enough to lock the
 * institution itself out. A check reserves a slot in one statement before it evaluates anything;
 * a success gives the slot back, a failure keeps it as a failure. Only client ids that exist get a
 * row (unknown ids are counted in the hot state); rows whose window and lock have passed are
 * deleted by the scheduled clean-up (background/maintenance.ts).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table client_auth_attempts (
      client_id text not null,
      source text not null,
      failures integer not null default 0,
      pending integer not null default 0,
      window_started_at timestamptz not null,
      locked_until timestamptz,
      primary key (client_id, source)
    )`.execute(db);
  await sql`create index client_auth_attempts_window on client_auth_attempts (window_started_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists client_auth_attempts`.execute(db);
}
