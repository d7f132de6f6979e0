/**
 * Server-side PIN verification for approvals (architecture.md, decision 8). The PIN is the
 * activation secret of the device key, checked against the Argon2id verifier in the worker pool,
 * with counters kept in the database (they survive a Redis restart and are shared by instances):
 *  - PIN_LOCK_AFTER (5) consecutive misses lock PIN entry for PIN_LOCK_MINUTES (15);
 *  - PIN_RECOVERY_AFTER (10) consecutive misses lock the account: only recovery unlocks it;
 *  - a correct PIN resets the count. Every attempt is audited.
 */

import { sql } from 'kysely';
import { appendAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { notifyAccount } from '../push/push';

export interface PinContext {
  ip: string;
  requestId: string;
  deviceId: string;
  purpose: string;
}

export async function checkAccountPin(
  deps: Deps,
  accountId: string,
  pin: string,
  ctx: PinContext,
): Promise<void> {
  const { pinLockAfter, pinLockMinutes, pinRecoveryAfter } = deps.config.login;
  const now = deps.clock.now();
  const account = await deps.db
    .selectFrom('accounts')
    .select(['status', 'pin_verifier', 'pin_failed_count', 'pin_locked_until'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!account) throw new AppError('account_not_active');
  if (account.status === 'locked' || account.pin_failed_count >= pinRecoveryAfter)
    throw new AppError('pin_blocked');
  if (account.pin_locked_until && account.pin_locked_until.getTime() > now.getTime()) {
    throw lockedError(account.pin_locked_until, now);
  }

  const valid = /^\d{6}$/.test(pin) && (await deps.pins.verify(account.pin_verifier, pin));
  const audit = (result: string, details: Record<string, unknown> = {}) => ({
    actorType: 'device' as const,
    actorId: ctx.deviceId,
    action: `pin.${result}`,
    subjectType: 'account',
    subjectId: accountId,
    ip: ctx.ip,
    device: ctx.deviceId,
    requestId: ctx.requestId,
    details: { purpose: ctx.purpose, ...details },
  });

  if (valid) {
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('accounts')
        .set({ pin_failed_count: 0, pin_locked_until: null })
        .where('id', '=', accountId)
        .execute();
      await appendAudit(trx, audit('verified'), now);
    });
    return;
  }

  const failures = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('accounts')
      .set({ pin_failed_count: sql`pin_failed_count + 1`, updated_at: now })
      .where('id', '=', accountId)
      .returning('pin_failed_count')
      .executeTakeFirstOrThrow();
    const count = row.pin_failed_count;
    if (count >= pinRecoveryAfter) {
      await trx.updateTable('accounts').set({ status: 'locked' }).where('id', '=', accountId).execute();
    } else if (count % pinLockAfter === 0) {
      await trx
        .updateTable('accounts')
        .set({ pin_locked_until: new Date(now.getTime() + pinLockMinutes * 60_000) })
        .where('id', '=', accountId)
        .execute();
    }
    await appendAudit(trx, audit('failed', { consecutiveFailures: count }), now);
    return count;
  });
  if (failures >= pinRecoveryAfter || failures % pinLockAfter === 0) {
    // A security notice to every registered device of the account (someone may be guessing).
    notifyAccount(deps, accountId, {
      type: 'security_notice',
      event: failures >= pinRecoveryAfter ? 'pin_blocked' : 'pin_locked',
    });
  }
  if (failures >= pinRecoveryAfter) throw new AppError('pin_blocked');
  if (failures % pinLockAfter === 0)
    throw lockedError(new Date(now.getTime() + pinLockMinutes * 60_000), now);
  throw new AppError('pin_invalid', { details: { attemptsLeft: pinLockAfter - (failures % pinLockAfter) } });
}

function lockedError(until: Date, now: Date): AppError {
  const ms = until.getTime() - now.getTime();
  return new AppError('pin_locked', {
    details: { retryAfterSeconds: Math.ceil(ms / 1000), retryAfterMinutes: Math.ceil(ms / 60_000) },
  });
}
