/**
 * 0024 OTP targets keyed (issue 19, item 8, the rest): `otp_challenges` and `otp_sends` no longer
 * hold the phone number or e-mail address a code was sent to, only its keyed blind index
 * (`target_bidx`: BlindIndex.phone / BlindIndex.email under BLIND_INDEX_KEY, the same form the
 * accounts' `phone_bidx` / `email_bidx` use). The per-address limits, lockouts and wrong-code
 * counters match on the index; the address to deliver to comes from the flow or the request.
 *
 * A migration holds no keys, so, as for 0022, the move is in two parts:
 * - here, the schema: the new column and its indexes, `target` made nullable (it now only ever
 *   holds a row written before this migration), and a check that a row holds exactly one of them;
 * - in the server (apps/server/src/otp/otp-targets.ts), the keyed data step run at every start
 *   before serving: rows still holding a clear target get its index and lose the target (send
 *   records older than the one-hour window they serve are deleted instead: nothing reads them).
 *
 * `down` cannot turn an index back into an address: it deletes the rows that hold only an index.
 * They are short-lived (a code lives 5 minutes, a send counts for an hour, a lockout for
 * OTP_LOCK_SECONDS), so a rollback costs the codes in flight (the citizen asks for a new one)
 * and restarts the per-address counters once.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['otp_challenges', 'otp_sends']) {
    await sql`alter table ${sql.table(table)} add column target_bidx text`.execute(db);
    await sql`alter table ${sql.table(table)} alter column target drop not null`.execute(db);
    await sql`
      alter table ${sql.table(table)} add constraint ${sql.ref(`${table}_target_keyed`)}
        check ((target is null) <> (target_bidx is null))`.execute(db);
  }
  await sql`
    create unique index otp_challenges_flow_target_bidx_uq
      on otp_challenges (flow_id, channel, target_bidx)`.execute(db);
  await sql`
    create index otp_challenges_target_bidx_idx
      on otp_challenges (channel, target_bidx, last_failed_at)`.execute(db);
  await sql`create index otp_sends_target_bidx_idx on otp_sends (channel, target_bidx, sent_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists otp_sends_target_bidx_idx`.execute(db);
  await sql`drop index if exists otp_challenges_target_bidx_idx`.execute(db);
  await sql`drop index if exists otp_challenges_flow_target_bidx_uq`.execute(db);
  for (const table of ['otp_challenges', 'otp_sends']) {
    await sql`delete from ${sql.table(table)} where target is null`.execute(db);
    await sql`
      alter table ${sql.table(table)} drop constraint if exists ${sql.ref(`${table}_target_keyed`)}`.execute(
      db,
    );
    await sql`alter table ${sql.table(table)} alter column target set not null`.execute(db);
    await sql`alter table ${sql.table(table)} drop column if exists target_bidx`.execute(db);
  }
}
