/**
 * An account's status as the app sees it, and its live stream (user guide 1.10: "wait for 8
 * working hours for the response"). Changes are published on the hot-state bus, so the instance
 * that holds the app's stream learns of a decision taken on any other instance.
 */
import type { AccountStatus, Database } from '@camdigikey/db';
import type { Transaction } from 'kysely';
import { type AuditInput, appendAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { issueForAccount } from '../signing/certificates';

export interface AccountStatusView {
  accountId: string;
  status: AccountStatus;
  messageId: string;
  reviewDeadline: string;
  submittedAt: string;
  decidedAt: string | null;
  /** In `resubmission_requested`: the one part the officer asked the citizen to redo. */
  resubmission: { part: 'document_photo' | 'liveness'; messageId: string } | null;
}

export const statusChannel = (accountId: string) => `account-status:${accountId}`;

export async function readAccountStatus(deps: Deps, accountId: string): Promise<AccountStatusView> {
  const row = await deps.db
    .selectFrom('accounts')
    .select(['id', 'status', 'review_deadline', 'submitted_at', 'decided_at'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found');
  const request =
    row.status === 'resubmission_requested'
      ? await deps.db
          .selectFrom('resubmission_requests')
          .select('part')
          .where('account_id', '=', accountId)
          .where('completed_at', 'is', null)
          .executeTakeFirst()
      : undefined;
  return {
    accountId: row.id,
    status: row.status,
    messageId: `account.status.${row.status}`,
    reviewDeadline: row.review_deadline.toISOString(),
    submittedAt: row.submitted_at.toISOString(),
    decidedAt: row.decided_at ? row.decided_at.toISOString() : null,
    resubmission: request ? { part: request.part, messageId: `part.${request.part}` } : null,
  };
}

export async function publishAccountStatus(deps: Deps, accountId: string): Promise<void> {
  const view = await readAccountStatus(deps, accountId);
  await deps.hot.publish(statusChannel(accountId), JSON.stringify(view));
}

/**
 * Change an account's status (the officer console of the identity-proofing work calls this),
 * audited in the same transaction, then announced to every instance.
 */
export async function changeAccountStatus(
  deps: Deps,
  accountId: string,
  status: AccountStatus,
  actor: Pick<AuditInput, 'actorType' | 'actorId' | 'requestId' | 'ip'> & { reason?: string },
  /** More writes that must commit (or fail) with the status change, in the same transaction. */
  also?: (trx: Transaction<Database>, now: Date) => Promise<void>,
): Promise<AccountStatusView> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('accounts')
      .set({
        status,
        updated_at: now,
        ...(status === 'active' || status === 'rejected' ? { decided_at: now } : {}),
      })
      .where('id', '=', accountId)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new AppError('not_found');
    await appendAudit(
      trx,
      {
        ...actor,
        action: 'account.status_changed',
        subjectType: 'account',
        subjectId: accountId,
        details: { status, ...(actor.reason ? { reason: actor.reason } : {}) },
      },
      now,
    );
    await also?.(trx, now);
  });
  // An account that becomes active gets its devices' signing certificates (issue 17).
  if (status === 'active') await issueForAccount(deps, accountId);
  await publishAccountStatus(deps, accountId);
  return readAccountStatus(deps, accountId);
}
