/**
 * The cooling-off after a recovery (a SIM-swap defence): for RECOVERY_COOLING_OFF_HOURS after an
 * account was recovered on a new phone, sensitive actions wait: changing the phone number or the
 * e-mail address, and releasing the face photo to a relying party. The e-mail's "this wasn't me"
 * link can undo the recovery during that time.
 */
import type { Deps } from '../deps';
import { AppError } from '../errors';

/** The end of the cooling-off, or undefined when the account is not in one. */
export function coolingOffUntil(deps: Deps, recoveredAt: Date | null): Date | undefined {
  if (!recoveredAt) return undefined;
  const until = new Date(recoveredAt.getTime() + deps.config.recovery.coolingOffHours * 3_600_000);
  return until.getTime() > deps.clock.now().getTime() ? until : undefined;
}

export async function assertNotCoolingOff(deps: Deps, accountId: string): Promise<void> {
  const account = await deps.db
    .selectFrom('accounts')
    .select('recovered_at')
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  const until = coolingOffUntil(deps, account.recovered_at);
  if (until) throw new AppError('recovery_cooling_off', { details: { until: until.toISOString() } });
}
