/**
 * The address a one-time code goes to is stored in the OTP tables only as its keyed blind index
 * (migration 0024; issue 19, item 8): the same BlindIndex.phone / BlindIndex.email the accounts
 * use, so the same normalisation applies (an e-mail address in any letter case is one address,
 * for the limits too). The clear address is only ever in the flow's own data or the request.
 */
import type { Database } from '@camdigikey/db';
import { type Kysely, sql } from 'kysely';
import type { BlindIndex } from '../crypto/keyed-hash';
import { inBatches } from '../infra/batches';

export const otpTargetIndex = (index: BlindIndex, channel: string, target: string): string =>
  channel === 'sms' ? index.phone(target) : index.email(target);

const HOUR_MS = 3_600_000;

/**
 * The keyed data step of migration 0024, run at start-up before serving: every OTP row still
 * holding its target in clear gets the target's index and loses the target. Send records older
 * than the one-hour window of the per-address send limit (the only reader) are deleted instead.
 * Two challenges of one flow whose addresses differ only in letter case have one index now: they
 * become one row that keeps the wrong-code count of both (no counter goes down). Idempotent;
 * batches of `batchSize` rows, each in one transaction (SKIP LOCKED, so two instances starting
 * together share the work). Returns the number of rows keyed or deleted.
 */
export async function keyClearOtpTargets(
  db: Kysely<Database>,
  index: BlindIndex,
  now: Date,
  batchSize = 500,
): Promise<number> {
  const stale = await db
    .deleteFrom('otp_sends')
    .where('target', 'is not', null)
    .where('sent_at', '<=', new Date(now.getTime() - HOUR_MS))
    .executeTakeFirst();
  const deleted = Number(stale.numDeletedRows ?? 0);

  const sends = await inBatches(db, batchSize, async (trx) => {
    const rows = await trx
      .selectFrom('otp_sends')
      .select(['id', 'channel', 'target'])
      .where('target', 'is not', null)
      .orderBy('id')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const row of rows) {
      await trx
        .updateTable('otp_sends')
        .set({ target: null, target_bidx: otpTargetIndex(index, row.channel, row.target as string) })
        .where('id', '=', row.id)
        .execute();
    }
    return rows.length;
  });

  const challenges = await inBatches(db, batchSize, async (trx) => {
    const rows = await trx
      .selectFrom('otp_challenges')
      .select(['id', 'flow_id', 'channel', 'target', 'failed_attempts', 'last_failed_at', 'locked_at'])
      .where('target', 'is not', null)
      .orderBy('id')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const row of rows) {
      const bidx = otpTargetIndex(index, row.channel, row.target as string);
      const twin = await trx
        .selectFrom('otp_challenges')
        .select('id')
        .where('flow_id', '=', row.flow_id)
        .where('channel', '=', row.channel)
        .where('target_bidx', '=', bidx)
        .executeTakeFirst();
      if (twin) {
        await trx
          .updateTable('otp_challenges')
          .set({
            failed_attempts: sql`failed_attempts + ${row.failed_attempts}`,
            last_failed_at: sql`greatest(last_failed_at, ${row.last_failed_at})`,
            locked_at: sql`coalesce(locked_at, ${row.locked_at})`,
          })
          .where('id', '=', twin.id)
          .execute();
        await trx.deleteFrom('otp_challenges').where('id', '=', row.id).execute();
      } else {
        await trx
          .updateTable('otp_challenges')
          .set({ target: null, target_bidx: bidx })
          .where('id', '=', row.id)
          .execute();
      }
    }
    return rows.length;
  });
  return deleted + sends + challenges;
}
