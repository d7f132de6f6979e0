import { describe, expect, it } from 'vitest';
import { ACCOUNT_REVIEW_TRANSITIONS, accountReviewDiagram, canReview } from './account-review';

describe('account review transition table', () => {
  it('lets the device only redo a part the officer asked for, and only officers decide', () => {
    expect(canReview('pending_review', 'resubmit_document_photo')).toBe(false);
    expect(canReview('pending_review', 'start_resubmission')).toBe(false);
    expect(canReview('resubmission_requested', 'approve')).toBe(false);
    expect(canReview('resubmission_requested', 'request_resubmission')).toBe(false);
    for (const { by, to } of Object.values(ACCOUNT_REVIEW_TRANSITIONS)) {
      if (to === 'active' || to === 'rejected') expect(by).toBe('officer');
    }
  });

  it('brings a resubmission back to the queue, never straight to a decision', () => {
    expect(ACCOUNT_REVIEW_TRANSITIONS.resubmit_document_photo.to).toBe('pending_review');
    expect(ACCOUNT_REVIEW_TRANSITIONS.resubmit_liveness.to).toBe('pending_review');
    expect(accountReviewDiagram()).toContain(
      'resubmission_requested --> pending_review: resubmit_liveness (device)',
    );
  });

  it('ends nothing after a decision', () => {
    for (const { from } of Object.values(ACCOUNT_REVIEW_TRANSITIONS)) {
      expect(from).not.toContain('active');
      expect(from).not.toContain('rejected');
    }
  });
});
