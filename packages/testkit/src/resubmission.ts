/**
 * Resubmission of one part of a registration, played as the app plays it: start (learn the part
 * the officer asked for and, for liveness, get a fresh challenge), then send that part. The
 * single calls are exported too, so sad-path tests can send the wrong part or an old challenge.
 */
import type { SyntheticCitizen } from './citizens';
import { renderDocument } from './document-image';
import { framesForChallenge, renderFaceFrame, type TimedStep } from './face-frames';
import type { DeviceResponse, TestDevice } from './test-device';

export const RESUBMISSION = '/api/device/v1/account/resubmission';

export type ResubmissionPart = 'document_photo' | 'liveness';

export interface ResubmissionStartBody {
  part: ResubmissionPart;
  messageId: string;
  challenge?: { id: string; actions: string[]; steps?: TimedStep[]; issuedAt: string; expiresAt: string };
}

export interface AccountStatusBody {
  accountId: string;
  status: string;
  reviewDeadline: string;
  resubmission: { part: ResubmissionPart; messageId: string } | null;
  [key: string]: unknown;
}

export class ResubmissionError extends Error {
  constructor(
    readonly step: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`resubmission ${step} answered ${status}: ${JSON.stringify(body)}`);
  }
}

export interface ResubmissionMedia {
  /** The document photo to send (default: the citizen's card rendered again as JPEG). */
  documentPhoto?: Buffer;
  /** The selfie (default: the drawn face). */
  selfie?: Buffer;
  /** The frames for the challenge's actions (default: drawn frames). */
  frames?: (actions: string[], steps?: TimedStep[]) => Promise<{ t: number; image: string }[]>;
}

export function startResubmission(device: TestDevice): Promise<DeviceResponse<ResubmissionStartBody>> {
  return device.call<ResubmissionStartBody>('POST', RESUBMISSION, {});
}

export function documentPhotoBody(citizen: SyntheticCitizen, media: ResubmissionMedia = {}) {
  return { photo: (media.documentPhoto ?? renderDocument(citizen, { format: 'jpeg' })).toString('base64') };
}

export async function livenessBody(
  challenge: { id: string; actions: string[]; steps?: TimedStep[] },
  media: ResubmissionMedia = {},
) {
  return {
    challengeId: challenge.id,
    selfie: (media.selfie ?? renderFaceFrame('center')).toString('base64'),
    frames: media.frames
      ? await media.frames(challenge.actions, challenge.steps)
      : framesForChallenge(challenge.actions, 3, challenge.steps),
  };
}

export function sendDocumentPhoto(device: TestDevice, body: unknown) {
  return device.call<AccountStatusBody>('POST', `${RESUBMISSION}/document-photo`, body);
}

export function sendLiveness(device: TestDevice, body: unknown) {
  return device.call<AccountStatusBody>('POST', `${RESUBMISSION}/liveness`, body);
}

/**
 * The whole resubmission as the app does it: start, then redo the part the officer asked for.
 * Returns the part and the account status the server answered (`pending_review` again).
 */
export async function performResubmission(
  device: TestDevice,
  citizen: SyntheticCitizen,
  media: ResubmissionMedia = {},
): Promise<{ part: ResubmissionPart; status: AccountStatusBody }> {
  const started = await startResubmission(device);
  if (started.status !== 200) throw new ResubmissionError('start', started.status, started.body);
  const { part, challenge } = started.body;
  const sent =
    part === 'document_photo'
      ? await sendDocumentPhoto(device, documentPhotoBody(citizen, media))
      : await sendLiveness(device, await livenessBody(challenge!, media));
  if (sent.status !== 200) throw new ResubmissionError(part, sent.status, sent.body);
  return { part, status: sent.body };
}
