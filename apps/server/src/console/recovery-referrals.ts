/**
 * Recoveries an officer must see (too many failed face checks in a day, a recovery the owner
 * disputed with the e-mail link, or no enrolled face to compare with). The officer checks the
 * citizen in person and decides: `retry_allowed` (the daily count starts again and a disputed
 * lock no longer blocks the app's recovery) or `refused`. Every decision is audited.
 */
import { RECOVERY_REFERRAL_DECISIONS, type RecoveryReferralDecision } from '@camdigikey/contracts/recovery';
import { maskPhone } from '@camdigikey/core/identity/phone';
import { z } from 'zod';
import { personalOfMany } from '../accounts/personal-data';
import { appendAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { AppError } from '../errors';

/** Open referrals listed at once (oldest first): each row's personal data is decrypted. */
const REFERRALS_PAGE = 200;

export const resolveReferralBody = z
  .object({ decision: z.enum(RECOVERY_REFERRAL_DECISIONS), note: z.string().trim().max(1000).optional() })
  .strict();

export async function openReferrals(deps: Deps) {
  const rows = await deps.db
    .selectFrom('recovery_referrals')
    .innerJoin('accounts', 'accounts.id', 'recovery_referrals.account_id')
    .select([
      'recovery_referrals.id',
      'recovery_referrals.account_id',
      'recovery_referrals.reason',
      'recovery_referrals.created_at',
      'accounts.document_type',
      'accounts.document_number_hint',
      'accounts.status',
    ])
    .where('recovery_referrals.resolved_at', 'is', null)
    .orderBy('recovery_referrals.created_at')
    .limit(REFERRALS_PAGE)
    .execute();
  // The names and phones of this bounded page, opened through personal-data.ts.
  const personal = await personalOfMany(
    deps.db,
    deps.envelope,
    rows.map((r) => r.account_id),
  );
  const attempts = rows.length
    ? await deps.db
        .selectFrom('recovery_attempts')
        .select(['account_id', 'outcome', 'details', 'created_at'])
        .where(
          'account_id',
          'in',
          rows.map((r) => r.account_id),
        )
        .orderBy('created_at', 'desc')
        .execute()
    : [];
  return rows.map((r) => {
    const p = personal.get(r.account_id)!;
    return {
      id: r.id,
      accountId: r.account_id,
      reason: r.reason,
      createdAt: r.created_at.toISOString(),
      name: {
        latin: `${p.latinGivenName} ${p.latinSurname}`,
        khmer: `${p.khmerSurname ?? ''} ${p.khmerGivenName ?? ''}`.trim(),
      },
      document: { type: r.document_type, numberHint: r.document_number_hint },
      phone: maskPhone(p.phoneE164),
      accountStatus: r.status,
      attempts: attempts
        .filter((a) => a.account_id === r.account_id)
        .slice(0, 10)
        .map((a) => ({ at: a.created_at.toISOString(), outcome: a.outcome, details: a.details })),
    };
  });
}

export async function resolveReferral(
  deps: Deps,
  officer: { id: string },
  referralId: string,
  body: { decision: RecoveryReferralDecision; note?: string | undefined },
  ctx: { ip: string; requestId: string },
) {
  if (body.decision === 'refused' && !body.note) {
    throw new AppError('validation_failed', {
      fields: [{ field: 'note', code: 'validation_failed', messageId: 'error.validation_failed' }],
    });
  }
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const referral = await trx
      .updateTable('recovery_referrals')
      .set({ resolved_at: now, resolved_by: officer.id, decision: body.decision, note: body.note ?? null })
      .where('id', '=', referralId)
      .where('resolved_at', 'is', null)
      .returning(['id', 'account_id', 'reason'])
      .executeTakeFirst();
    if (!referral) throw new AppError('not_found');
    if (body.decision === 'retry_allowed') {
      await trx
        .updateTable('accounts')
        .set({ locked_reason: 'citizen', updated_at: now })
        .where('id', '=', referral.account_id)
        .where('status', '=', 'locked')
        .where('locked_reason', '=', 'recovery_disputed')
        .execute();
    }
    await appendAudit(
      trx,
      {
        actorType: 'officer',
        actorId: officer.id,
        action: 'recovery.referral_resolved',
        subjectType: 'account',
        subjectId: referral.account_id,
        ip: ctx.ip,
        requestId: ctx.requestId,
        details: { referralId: referral.id, reason: referral.reason, decision: body.decision },
      },
      now,
    );
    return { id: referral.id, decision: body.decision };
  });
}
