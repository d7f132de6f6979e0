/**
 * The closed sets of the officers' review, shared by the server and the console (plain constants,
 * safe for the browser bundle).
 */
export const REJECTION_REASONS = [
  'blurred_document',
  'face_mismatch',
  'document_expired',
  'registry_mismatch',
  'suspected_fraud',
  'other',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** The parts of a registration an officer can ask the citizen to redo. */
export const RESUBMISSION_PARTS = ['document_photo', 'liveness'] as const;
export type ResubmissionPart = (typeof RESUBMISSION_PARTS)[number];
