/**
 * Selfie quality at capture (issue 14, item 2): the selfie of every face check (registration,
 * resubmission of the face check, recovery) is refused at upload when it will not match: no face,
 * several faces, face too small, turned away, blurred, too dark, too bright, eyes closed. The
 * checks and their thresholds are the face engine's (packages/face-engine quality.ts, THRESHOLDS.md).
 *
 * The answer is a 422 whose code names the first thing to fix (`selfie_<reason>`, message
 * `error.selfie_<reason>` in Khmer and English); `fields` lists every failed check for the `selfie`
 * field, and `details.reasons` the same as data. Nothing is stored before this check passes.
 * Only the reasons leave the server, never the image or its measures.
 */
import type { ErrorCode } from '@camdigikey/contracts/errors';
import type { SelfieQualityReason } from '@camdigikey/face-engine';
import { AppError, fieldIssue } from '../errors';
import { serverFaceEngine } from './face';

export const SELFIE_QUALITY_ERRORS: Readonly<Record<SelfieQualityReason, ErrorCode>> = {
  no_face: 'selfie_no_face',
  multiple_faces: 'selfie_multiple_faces',
  face_too_small: 'selfie_face_too_small',
  face_off_axis: 'selfie_face_off_axis',
  face_blurred: 'selfie_blurred',
  too_dark: 'selfie_too_dark',
  overexposed: 'selfie_overexposed',
  eyes_closed: 'selfie_eyes_closed',
};

/** Throws the AppError of the first failed check; resolves when the selfie is usable. */
export async function assertSelfieQuality(selfie: Buffer): Promise<void> {
  const assessment = await serverFaceEngine().assessSelfie(selfie);
  if (assessment.ok) return;
  const codes = assessment.reasons.map((r) => SELFIE_QUALITY_ERRORS[r]);
  throw new AppError(codes[0]!, {
    fields: codes.map((code) => fieldIssue('selfie', code)),
    details: { reasons: assessment.reasons },
  });
}
