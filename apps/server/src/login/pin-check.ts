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
  const lockUntil = new Date(now.getTime() + pinLockMinutes * 60_000);

  // 1. Reserve the attempt: decide and count in ONE statement (issue 19, defect 1). The failure
  //    count is raised before the PIN is looked at, so a burst of parallel requests cannot all be
  //    evaluated against the same old count. On PostgreSQL (READ COMMITTED) concurrent UPDATEs of
  //    the same row queue on its row lock and each re-evaluates the WHERE clause against the row
  //    the previous one committed, so at most `pinLockAfter` reservations succeed before the lock
  //    (and at most `pinRecoveryAfter` in all): the statement is atomic on its own, PGlite merely
  //    serialises it. The reservation that reaches a multiple of PIN_LOCK_AFTER sets the lock at
  //    once (pessimistically): a later request sees it even while this one is still hashing; a
  //    correct PIN lifts it again. A reservation that is never settled (crash, pool full) stays
  //    counted as a failure: fail closed.
  const reserved = await sql<{
    pin_verifier: string;
    pin_failed_count: number;
  }>`
    update accounts
       set pin_failed_count = pin_failed_count + 1,
           pin_locked_until = case when (pin_failed_count + 1) % ${pinLockAfter} = 0
                                   then ${lockUntil}::timestamptz else pin_locked_until end,
           updated_at = ${now}
     where id = ${accountId}
       and status <> 'locked'
       and pin_failed_count < ${pinRecoveryAfter}
       and (pin_locked_until is null or pin_locked_until <= ${now})
     returning pin_verifier, pin_failed_count`.execute(deps.db);
  const slot = reserved.rows[0];
  if (!slot) {
    // No slot: say why, without evaluating the PIN.
    const account = await deps.db
      .selectFrom('accounts')
      .select(['status', 'pin_failed_count', 'pin_locked_until'])
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!account) throw new AppError('account_not_active');
    if (account.status === 'locked' || account.pin_failed_count >= pinRecoveryAfter)
      throw new AppError('pin_blocked');
    if (account.pin_locked_until && account.pin_locked_until.getTime() > now.getTime())
      throw lockedError(account.pin_locked_until, now);
    // The state changed between the two statements (a lock just ended): ask for a new try.
    throw lockedError(new Date(now.getTime() + 1000), now);
  }
  const count = slot.pin_failed_count;

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

  // 2. Only now the (expensive) Argon2id verification, for an attempt that holds a slot.
  let valid = false;
  let unavailable: unknown;
  try {
    valid = /^\d{6}$/.test(pin) && (await deps.pins.verify(slot.pin_verifier, pin));
  } catch (error) {
    unavailable = error;
  }

  // 3. Settle. A correct PIN resets the streak (and lifts a lock this reservation set).
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

  await deps.db.transaction().execute(async (trx) => {
    if (count >= pinRecoveryAfter) {
      await trx.updateTable('accounts').set({ status: 'locked' }).where('id', '=', accountId).execute();
    }
    await appendAudit(
      trx,
      audit('failed', {
        consecutiveFailures: count,
        ...(unavailable ? { verification: 'unavailable' } : {}),
      }),
      now,
    );
  });
  if (count >= pinRecoveryAfter || count % pinLockAfter === 0) {
    // A security notice to every registered device of the account (someone may be guessing).
    notifyAccount(deps, accountId, {
      type: 'security_notice',
      event: count >= pinRecoveryAfter ? 'pin_blocked' : 'pin_locked',
    });
  }
  if (unavailable) throw unavailable;
  if (count >= pinRecoveryAfter) throw new AppError('pin_blocked');
  if (count % pinLockAfter === 0) throw lockedError(lockUntil, now);
  throw new AppError('pin_invalid', { details: { attemptsLeft: pinLockAfter - (count % pinLockAfter) } });
}

function lockedError(until: Date, now: Date): AppError {
  const ms = until.getTime() - now.getTime();
  return new AppError('pin_locked', {
    details: { retryAfterSeconds: Math.ceil(ms / 1000), retryAfterMinutes: Math.ceil(ms / 60_000) },
  });
}
