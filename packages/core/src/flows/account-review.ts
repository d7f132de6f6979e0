/**
 * What happens to an account after the registration flow is `submitted` (the flow record ends
 * there; the account carries on): the officers' decisions and the resubmission of one part. The
 * flow's transition table (registration.ts) is not the place for these: nothing may run on a
 * submitted flow, and a resubmission is signed by the account's registered device, not by a flow.
 * The second diagram of docs/flows/registration.md is generated from this table.
 */

export type AccountReviewStatus = 'pending_review' | 'resubmission_requested' | 'active' | 'rejected';

export type AccountReviewAction =
  | 'approve'
  | 'reject'
  | 'confirm_fraud_rejection'
  | 'request_resubmission'
  | 'start_resubmission'
  | 'resubmit_document_photo'
  | 'resubmit_liveness';

/** For each action: who takes it, the statuses it may start from and the status it leads to. */
export const ACCOUNT_REVIEW_TRANSITIONS: Record<
  AccountReviewAction,
  { by: 'officer' | 'device'; from: readonly AccountReviewStatus[]; to: AccountReviewStatus }
> = {
  approve: { by: 'officer', from: ['pending_review'], to: 'active' },
  reject: { by: 'officer', from: ['pending_review'], to: 'rejected' },
  confirm_fraud_rejection: { by: 'officer', from: ['pending_review'], to: 'rejected' },
  request_resubmission: { by: 'officer', from: ['pending_review'], to: 'resubmission_requested' },
  start_resubmission: { by: 'device', from: ['resubmission_requested'], to: 'resubmission_requested' },
  resubmit_document_photo: { by: 'device', from: ['resubmission_requested'], to: 'pending_review' },
  resubmit_liveness: { by: 'device', from: ['resubmission_requested'], to: 'pending_review' },
};

export const canReview = (status: AccountReviewStatus, action: AccountReviewAction) =>
  ACCOUNT_REVIEW_TRANSITIONS[action].from.includes(status);

/** A Mermaid state diagram of the table, for docs/flows/registration.md. */
export function accountReviewDiagram(): string {
  const lines = ['stateDiagram-v2', '  [*] --> pending_review: submit'];
  for (const [action, { by, from, to }] of Object.entries(ACCOUNT_REVIEW_TRANSITIONS)) {
    for (const f of from) lines.push(`  ${f} --> ${to}: ${action} (${by})`);
  }
  lines.push('  active --> [*]', '  rejected --> [*]');
  return lines.join('\n');
}
