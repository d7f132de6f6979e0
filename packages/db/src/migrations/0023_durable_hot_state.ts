/**
 * 0023 durable hot state (issue 19, item 13): when no Redis is configured (the embedded default),
 * the counters that guard security (push approvals, codes, PIN and password attempts) and the
 * one-time values and claims (nonces, proof ids) live here, so a restart neither refills an
 * attacker's budgets nor forgets what was already used. Every row carries its own expiry (from the
 * platform clock); the scheduled clean-up deletes expired rows in batches.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per key and fixed window (numbered from the epoch in windows of window_seconds), kept
  // through the next window too, where it is the previous one of the sliding count.
  await sql`
    create table hot_counters (
      key text not null,
      window_seconds integer not null,
      window_index bigint not null,
      count integer not null,
      expires_at timestamptz not null,
      primary key (key, window_seconds, window_index)
    )`.execute(db);
  await sql`create index hot_counters_expiry on hot_counters (expires_at)`.execute(db);
  // One-time values (`once:` keys, consumed once) and claims (`claim:` keys, first claimant wins).
  await sql`
    create table hot_once (
      key text primary key,
      expires_at timestamptz not null
    )`.execute(db);
  await sql`create index hot_once_expiry on hot_once (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists hot_once`.execute(db);
  await sql`drop table if exists hot_counters`.execute(db);
}
