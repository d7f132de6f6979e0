/**
 * The review of registrations by officers: the queue ordered by SLA deadline (time left counted
 * in working time on the Cambodian calendar), claims so two officers never review the same case,
 * and decisions: approve, reject with a reason code, or ask for one part again. A rejection for
 * suspected fraud waits for a second, different officer (four-eyes). Every decision is audited
 * and the citizen learns it at once (status stream, SMS and e-mail in their language).
 */
import { randomUUID } from 'node:crypto';
import type { RejectionReason, ResubmissionPart } from '@camdigikey/contracts/review';
import { workingTimeBetween } from '@camdigikey/core/calendar/working-hours';
import { format, type MessageId } from '@camdigikey/messages';
import { sql } from 'kysely';
import { changeAccountStatus } from '../accounts/account-status';
import { openPersonal, PERSONAL_COLUMNS, personalOfMany } from '../accounts/personal-data';
import { appendAudit } from '../audit/audit-log';
import { workingCalendar } from '../calendar/review-calendar';
import type { Deps } from '../deps';
import { AppError } from '../errors';

const CLAIM_MINUTES = 30;
const AT_RISK_MS = 2 * 3_600_000;

export interface Officer {
  id: string;
  role: string;
}

export interface QueueFilter {
  documentType?: 'id_card' | 'passport';
  nationality?: string;
  flag?: string;
}

/** Rows read per page of the queue, and at most this many pending cases scanned for a nationality. */
const QUEUE_PAGE = 200;
const NATIONALITY_SCAN_LIMIT = 5_000;

/**
 * The pending cases, earliest deadline first. Status, document type, flags and deadlines are in
 * clear and filtered in SQL; the nationality is sealed with the rest of the personal data
 * (personal-data.ts), so it is opened page by page (bounded pages, in deadline order) and the
 * nationality filter applies after that, scanning at most NATIONALITY_SCAN_LIMIT pending cases.
 */
export async function reviewQueue(deps: Deps, filter: QueueFilter = {}, limit = 200) {
  const now = deps.clock.now();
  const calendar = await workingCalendar(deps.db, deps.config.review);
  const page = (offset: number, size: number) =>
    deps.db
      .selectFrom('accounts')
      .leftJoin('case_claims', 'case_claims.account_id', 'accounts.id')
      .select([
        'accounts.id',
        'accounts.document_type',
        'accounts.review_flags',
        'accounts.submitted_at',
        'accounts.review_deadline',
        'case_claims.officer_id',
        'case_claims.expires_at',
      ])
      .where('accounts.status', '=', 'pending_review')
      .$if(Boolean(filter.documentType), (q) => q.where('accounts.document_type', '=', filter.documentType!))
      .$if(Boolean(filter.flag), (q) =>
        q.where(
          sql<boolean>`${sql.ref('accounts.review_flags')} @> ${JSON.stringify([{ type: filter.flag }])}::jsonb`,
        ),
      )
      .orderBy('accounts.review_deadline')
      .orderBy('accounts.id')
      .offset(offset)
      .limit(size)
      .execute();
  type Row = Awaited<ReturnType<typeof page>>[number] & { nationality: string };
  const rows: Row[] = [];
  const size = filter.nationality ? QUEUE_PAGE : limit;
  for (let offset = 0; rows.length < limit; offset += size) {
    const batch = await page(offset, size);
    const personal = await personalOfMany(
      deps.db,
      deps.envelope,
      batch.map((r) => r.id),
    );
    for (const r of batch) {
      const nationality = personal.get(r.id)?.nationality ?? '';
      if (!filter.nationality || nationality === filter.nationality) rows.push({ ...r, nationality });
    }
    if (batch.length < size || !filter.nationality || offset + size >= NATIONALITY_SCAN_LIMIT) break;
  }
  rows.splice(limit);
  return rows.map((r) => {
    const breached = r.review_deadline.getTime() <= now.getTime();
    const left = breached
      ? -workingTimeBetween(r.review_deadline, now, calendar)
      : workingTimeBetween(now, r.review_deadline, calendar);
    const claimed = r.officer_id && r.expires_at && r.expires_at > now ? r.officer_id : null;
    return {
      accountId: r.id,
      documentType: r.document_type,
      nationality: r.nationality,
      flags: r.review_flags,
      submittedAt: r.submitted_at.toISOString(),
      reviewDeadline: r.review_deadline.toISOString(),
      workingMsLeft: left,
      sla: breached ? 'breached' : left <= AT_RISK_MS ? 'at_risk' : 'on_time',
      claimedBy: claimed,
    };
  });
}

async function pendingAccount(deps: Deps, accountId: string) {
  const account = await deps.db
    .selectFrom('accounts')
    .select(['status', 'language', ...PERSONAL_COLUMNS])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (account?.status !== 'pending_review') throw new AppError('case_not_pending');
  const { phoneE164, email } = openPersonal(deps.envelope, account);
  return { id: account.id, status: account.status, language: account.language, phoneE164, email };
}

export async function claimCase(deps: Deps, officer: Officer, accountId: string) {
  await pendingAccount(deps, accountId);
  const now = deps.clock.now();
  const expires = new Date(now.getTime() + CLAIM_MINUTES * 60_000);
  // Take the claim if free, expired or already ours; otherwise someone else holds it.
  const taken = await deps.db
    .insertInto('case_claims')
    .values({ account_id: accountId, officer_id: officer.id, claimed_at: now, expires_at: expires })
    .onConflict((oc) =>
      oc
        .column('account_id')
        .doUpdateSet({ officer_id: officer.id, claimed_at: now, expires_at: expires })
        .where((eb) =>
          eb.or([eb('case_claims.officer_id', '=', officer.id), eb('case_claims.expires_at', '<=', now)]),
        ),
    )
    .returning('officer_id')
    .executeTakeFirst();
  if (!taken) throw new AppError('case_claimed_by_other');
  return { accountId, claimedUntil: expires.toISOString() };
}

async function notifyDecision(
  deps: Deps,
  account: { phoneE164: string; email: string; language: 'km' | 'en' },
  id: MessageId,
  params: Record<string, string>,
) {
  const text = format(id, account.language, params);
  await Promise.allSettled([
    deps.notifier.sms(account.phoneE164, text),
    deps.notifier.email(
      account.email,
      account.language,
      format('notify.decision.email.subject', account.language),
      text,
    ),
  ]);
}

export async function decide(
  deps: Deps,
  officer: Officer,
  accountId: string,
  input: {
    decision: 'approve' | 'reject' | 'resubmit';
    reasonCode?: RejectionReason;
    part?: ResubmissionPart;
    note?: string;
  },
  ctx: { ip: string; requestId: string },
) {
  const account = await pendingAccount(deps, accountId);
  const now = deps.clock.now();
  const claim = await deps.db
    .selectFrom('case_claims')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (claim?.officer_id !== officer.id || claim.expires_at <= now) throw new AppError('case_not_claimed');
  const fourEyes = input.decision === 'reject' && input.reasonCode === 'suspected_fraud';
  const id = randomUUID();
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('review_decisions')
      .values({
        id,
        account_id: accountId,
        officer_id: officer.id,
        decision: input.decision,
        reason_code: input.reasonCode ?? null,
        note: input.note ?? null,
        part: input.part ?? null,
        state: fourEyes ? 'awaiting_second_officer' : 'final',
        second_officer_id: null,
        created_at: now,
        decided_at: fourEyes ? null : now,
      })
      .execute();
    await trx.deleteFrom('case_claims').where('account_id', '=', accountId).execute();
    await appendAudit(
      trx,
      {
        actorType: 'officer',
        actorId: officer.id,
        action: `review.${input.decision}`,
        subjectType: 'account',
        subjectId: accountId,
        ip: ctx.ip,
        requestId: ctx.requestId,
        details: { decisionId: id, reasonCode: input.reasonCode, part: input.part, fourEyes },
      },
      now,
    );
  });
  if (fourEyes) return { decisionId: id, state: 'awaiting_second_officer' as const };
  await apply(deps, officer, account, { ...input, decisionId: id });
  return { decisionId: id, state: 'final' as const };
}

async function apply(
  deps: Deps,
  officer: Officer,
  account: { id: string; phoneE164: string; email: string; language: 'km' | 'en' },
  input: {
    decision: 'approve' | 'reject' | 'resubmit';
    reasonCode?: string | null;
    part?: string | null;
    decisionId?: string;
  },
) {
  if (input.decision === 'approve') {
    await changeAccountStatus(deps, account.id, 'active', { actorType: 'officer', actorId: officer.id });
    await notifyDecision(deps, account, 'notify.decision.approved.sms', {});
  } else if (input.decision === 'reject') {
    await changeAccountStatus(deps, account.id, 'rejected', {
      actorType: 'officer',
      actorId: officer.id,
      reason: input.reasonCode ?? 'other',
    });
    await notifyDecision(deps, account, 'notify.decision.rejected.sms', {
      reason: format(`reason.${input.reasonCode ?? 'other'}` as MessageId, account.language),
    });
  } else {
    // The account waits for the one part (resubmission/resubmission.ts); the case leaves the queue.
    const part = input.part === 'liveness' ? 'liveness' : 'document_photo';
    await changeAccountStatus(
      deps,
      account.id,
      'resubmission_requested',
      { actorType: 'officer', actorId: officer.id, reason: part },
      async (trx, now) => {
        await trx
          .insertInto('resubmission_requests')
          .values({
            id: randomUUID(),
            account_id: account.id,
            decision_id: input.decisionId!,
            part,
            challenge: null,
            requested_at: now,
            completed_at: null,
          })
          .execute();
      },
    );
    await notifyDecision(deps, account, 'notify.decision.resubmit.sms', {
      part: format(`part.${input.part ?? 'document_photo'}` as MessageId, account.language),
    });
  }
}

/** The second officer confirms (or overrules) a rejection for suspected fraud. */
export async function secondOpinion(
  deps: Deps,
  officer: Officer,
  decisionId: string,
  confirm: boolean,
  ctx: { ip: string; requestId: string },
) {
  const decision = await deps.db
    .selectFrom('review_decisions')
    .selectAll()
    .where('id', '=', decisionId)
    .executeTakeFirst();
  if (decision?.state !== 'awaiting_second_officer') throw new AppError('case_not_pending');
  if (decision.officer_id === officer.id) throw new AppError('second_officer_required');
  const account = await pendingAccount(deps, decision.account_id);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('review_decisions')
      .set({ state: confirm ? 'confirmed' : 'overruled', second_officer_id: officer.id, decided_at: now })
      .where('id', '=', decisionId)
      .where('state', '=', 'awaiting_second_officer')
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new AppError('case_not_pending');
    await appendAudit(
      trx,
      {
        actorType: 'officer',
        actorId: officer.id,
        action: confirm ? 'review.fraud_confirmed' : 'review.fraud_overruled',
        subjectType: 'account',
        subjectId: decision.account_id,
        ip: ctx.ip,
        requestId: ctx.requestId,
        details: { decisionId },
      },
      now,
    );
  });
  if (confirm) await apply(deps, officer, account, { decision: 'reject', reasonCode: 'suspected_fraud' });
  return { decisionId, state: confirm ? 'confirmed' : 'overruled' };
}
