/**
 * Step 2/4, the face check (user guide 1.7): the server issues a random ordered challenge of
 * distinct actions with a time limit; the app records frames while the citizen holds the
 * button and sends them with a selfie. Both are stored encrypted for the identity-proofing
 * engine, which judges them; this step only refuses what is clearly unusable (wrong or expired
 * challenge, non-images, frames out of order or longer than the time limit).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { LIVENESS_ACTIONS, type LivenessAction } from '@camdigikey/contracts/registration';
import type { Deps } from '../../deps';
import { AppError, fieldIssue } from '../../errors';
import { packRecording, storeBlob } from '../../uploads/blobs';
import { decodeImage } from '../../uploads/images';
import { loadFlow, type RegistrationFlow, type RequestContext, saveFlow } from './flow-store';

/**
 * The actions the face engine can verify as configured here: blink is reported `undetermined` by
 * the engine (packages/face-engine THRESHOLDS.md), so a challenge with a blink could never pass and
 * is never issued.
 */
export const VERIFIABLE_ACTIONS: readonly LivenessAction[] = LIVENESS_ACTIONS.filter((a) => a !== 'blink');

/** `count` distinct actions in random order (Fisher–Yates with the CSPRNG). */
export function randomChallenge(
  count: number,
  actions: readonly LivenessAction[] = VERIFIABLE_ACTIONS,
): LivenessAction[] {
  const pool = [...actions];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

export interface LivenessChallenge {
  id: string;
  actions: LivenessAction[];
  issuedAt: string;
  expiresAt: string;
}

/** A fresh challenge: random distinct actions, valid for the configured time limit. */
export function newLivenessChallenge(deps: Deps, now: Date): LivenessChallenge {
  return {
    id: randomUUID(),
    actions: randomChallenge(deps.config.flows.livenessActionCount),
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.config.flows.livenessTimeLimitSeconds * 1000).toISOString(),
  };
}

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
  const frames = [];
  for (const [i, frame] of body.frames.entries()) {
    const image = await decodeImage(frame.image, `frames.${i}.image`, limits);
    frames.push({ t: frame.t, mediaType: image.mediaType, bytes: image.bytes });
  }
  const recording = packRecording(
    {
      challengeId: challenge.id,
      actions: challenge.actions,
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
    mediaType: 'application/x-cdk-frames',
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
  const challenge = newLivenessChallenge(deps, now);
  const saved = await saveFlow(deps, flow, {
    action: 'liveness_challenge',
    state: 'awaiting_liveness',
    data: { ...flow.data, liveness: { challenge } },
    ctx,
    audit: { challengeId: challenge.id, actions: challenge.actions },
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
