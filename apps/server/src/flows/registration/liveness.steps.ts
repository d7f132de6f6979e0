/**
 * Step 2/4, the face check (user guide 1.7): the server issues a random timed challenge
 * (proofing/liveness-challenge.ts: 3-5 distinct actions, random windows, at most 3 per flow an
 * hour); the app records frames while the citizen holds the button and sends them with a selfie. Both are stored encrypted for the identity-proofing
 * engine, which judges them; this step only refuses what is clearly unusable (wrong or expired
 * challenge, non-images, frames out of order or longer than the time limit).
 */
import { randomUUID } from 'node:crypto';
import type { Deps } from '../../deps';
import { AppError, fieldIssue } from '../../errors';
import {
  type LivenessChallenge,
  newLivenessChallenge,
  takeChallengeSlot,
} from '../../proofing/liveness-challenge';
import { assertSelfieQuality } from '../../proofing/selfie-quality';
import { packRecording, RECORDING_MEDIA_TYPE, storeBlob } from '../../uploads/blobs';
import { decodeImage } from '../../uploads/images';
import { loadFlow, type RegistrationFlow, type RequestContext, saveFlow } from './flow-store';

export { type LivenessChallenge, newLivenessChallenge } from '../../proofing/liveness-challenge';

export interface LivenessUpload {
  challengeId: string;
  selfie: string;
  frames: { t: number; image: string }[];
}

/**
 * Check a liveness upload against the challenge the server issued (same id, not expired, frames
 * in order and within the time limit, real images within the size limits) and pack the
 * recording. Throws before anything is written.
 */
export async function checkLivenessUpload(
  deps: Deps,
  challenge: LivenessChallenge | undefined,
  body: LivenessUpload,
  now: Date,
) {
  if (!challenge || challenge.id !== body.challengeId) {
    throw new AppError('liveness_challenge_invalid', {
      fields: [fieldIssue('challengeId', 'liveness_challenge_invalid')],
    });
  }
  if (now.getTime() > new Date(challenge.expiresAt).getTime())
    throw new AppError('liveness_challenge_expired');

  const limitMs = deps.config.flows.livenessTimeLimitSeconds * 1000;
  for (let i = 1; i < body.frames.length; i++) {
    if (body.frames[i]!.t <= body.frames[i - 1]!.t) {
      throw new AppError('liveness_recording_invalid', {
        fields: [fieldIssue(`frames.${i}.t`, 'liveness_recording_invalid')],
      });
    }
  }
  if (body.frames.at(-1)!.t - body.frames[0]!.t > limitMs) {
    throw new AppError('liveness_recording_invalid', {
      details: { reason: 'too_long', limitSeconds: limitMs / 1000 },
    });
  }
  const limits = { maxBytes: deps.config.http.maxImageBytes, minWidth: 120, minHeight: 120 };
  const selfie = await decodeImage(body.selfie, 'selfie', limits);
  // A selfie that will not match is refused now, with what to fix (face-engine quality.ts).
  await assertSelfieQuality(selfie.bytes);
  const frames = [];
  for (const [i, frame] of body.frames.entries()) {
    const image = await decodeImage(frame.image, `frames.${i}.image`, limits);
    frames.push({ t: frame.t, mediaType: image.mediaType, bytes: image.bytes });
  }
  const recording = packRecording(
    {
      challengeId: challenge.id,
      actions: challenge.actions,
      ...(challenge.steps ? { steps: challenge.steps } : {}),
      issuedAt: challenge.issuedAt,
      receivedAt: now.toISOString(),
    },
    frames,
  );
  return { challenge, selfie, recording, frameCount: frames.length };
}

/** Store a checked liveness upload: the recording and the selfie, encrypted. */
export async function storeLivenessBlobs(
  trx: Parameters<typeof storeBlob>[0],
  deps: Deps,
  owner: { ownerType: 'flow' | 'account'; ownerId: string; now: Date },
  upload: Awaited<ReturnType<typeof checkLivenessUpload>>,
  ids: { recordingBlobId: string; selfieBlobId: string },
): Promise<void> {
  await storeBlob(trx, deps.envelope, {
    ...owner,
    id: ids.recordingBlobId,
    purpose: 'liveness_recording',
    mediaType: RECORDING_MEDIA_TYPE,
    bytes: upload.recording,
  });
  await storeBlob(trx, deps.envelope, {
    ...owner,
    id: ids.selfieBlobId,
    purpose: 'selfie',
    mediaType: upload.selfie.mediaType,
    bytes: upload.selfie.bytes,
  });
}

export async function issueLivenessChallenge(deps: Deps, flowId: string, ctx: RequestContext) {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'liveness_challenge');
  const now = deps.clock.now();
  await takeChallengeSlot(deps, `flow:${flow.id}`, now);
  const challenge = newLivenessChallenge(deps, now);
  const saved = await saveFlow(deps, flow, {
    action: 'liveness_challenge',
    state: 'awaiting_liveness',
    data: { ...flow.data, liveness: { challenge } },
    ctx,
    audit: { challengeId: challenge.id, actions: challenge.actions, steps: challenge.steps },
  });
  return { flow: saved, challenge };
}

export async function submitLiveness(
  deps: Deps,
  flowId: string,
  body: { challengeId: string; selfie: string; frames: { t: number; image: string }[] },
  ctx: RequestContext,
): Promise<RegistrationFlow> {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'submit_liveness');
  const upload = await checkLivenessUpload(deps, flow.data.liveness?.challenge, body, deps.clock.now());
  const { challenge } = upload;
  const recordingBlobId = randomUUID();
  const selfieBlobId = randomUUID();
  return saveFlow(deps, flow, {
    action: 'submit_liveness',
    state: 'awaiting_document',
    data: {
      ...flow.data,
      liveness: { challenge, recordingBlobId, selfieBlobId, frameCount: upload.frameCount },
    },
    ctx,
    audit: { challengeId: challenge.id, frames: upload.frameCount },
    also: async (trx, at) =>
      storeLivenessBlobs(trx, deps, { ownerType: 'flow', ownerId: flow.id, now: at }, upload, {
        recordingBlobId,
        selfieBlobId,
      }),
  });
}
