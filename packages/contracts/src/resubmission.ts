/**
 * Resubmission of one part of a registration (device API): an officer asked the citizen to redo
 * the document photo or the liveness check; the app starts the resubmission, then sends that part
 * with the same shapes as the registration steps.
 *
 *   POST /api/device/v1/account/resubmission                   start: the part (and a liveness challenge)
 *   POST /api/device/v1/account/resubmission/document-photo    {photo}
 *   POST /api/device/v1/account/resubmission/liveness          {challengeId, selfie, frames[]}
 */
import type { z } from 'zod';
import { documentBody, type LivenessAction, livenessBody } from './registration';

import type { ResubmissionPart } from './review';

export { RESUBMISSION_PARTS, type ResubmissionPart } from './review';

export const RESUBMISSION_PATH = '/api/device/v1/account/resubmission';

export const resubmitDocumentPhotoBody = documentBody.pick({ photo: true }).strict();
export const resubmitLivenessBody = livenessBody;

export type ResubmitDocumentPhotoBody = z.infer<typeof resubmitDocumentPhotoBody>;
export type ResubmitLivenessBody = z.infer<typeof resubmitLivenessBody>;

/** The answer of the start call. */
export interface ResubmissionStart {
  part: ResubmissionPart;
  messageId: string;
  /** Only for `liveness`: a fresh challenge (an older one is refused). */
  challenge?: {
    id: string;
    actions: LivenessAction[];
    /** Each action's window, ms from the start of the recording (the app prompts it then). */
    steps?: { action: LivenessAction; startMs: number; endMs: number }[];
    issuedAt: string;
    expiresAt: string;
  };
}
