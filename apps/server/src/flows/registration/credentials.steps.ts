/**
 * The citizen's authenticators: the 6-digit PIN (user guide 1.5) and, optionally, Face ID as a
 * WebAuthn platform credential with user verification (1.6). The PIN is checked against the
 * policy and kept only as an Argon2id verifier computed in the worker pool.
 */
import { randomBytes } from 'node:crypto';
import { checkPin } from '@camdigikey/core/identity/pin-policy';
import type { RegistrationResponseJSON, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { Deps } from '../../deps';
import { AppError, fieldIssue } from '../../errors';
import type { RegistrationData } from './flow-data';
import { loadFlow, type RegistrationFlow, type RequestContext, saveFlow } from './flow-store';

export async function setPin(
  deps: Deps,
  flowId: string,
  body: { pin: string; pinConfirmation: string },
  ctx: RequestContext,
): Promise<RegistrationFlow> {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'set_pin');
  const birthDate = flow.data.details?.birthDate;
  const policy = checkPin(body.pin, birthDate ? { birthDate } : {});
  if (!policy.ok) throw new AppError(policy.code, { fields: [fieldIssue('pin', policy.code)] });
  if (body.pin !== body.pinConfirmation)
    throw new AppError('pin_mismatch', { fields: [fieldIssue('pinConfirmation', 'pin_mismatch')] });
  const pinVerifier = await deps.pins.hash(body.pin);
  const replacing = flow.state === 'awaiting_new_pin';
  return saveFlow(deps, flow, {
    action: 'set_pin',
    state: replacing ? 'awaiting_consent' : 'awaiting_face_id',
    data: { ...flow.data, pinVerifier },
    ctx,
    audit: { replacing },
  });
}

type FaceIdData = NonNullable<RegistrationData['faceId']>;
type PendingFaceId = Extract<FaceIdData, { status: 'pending' }>;
type RegisteredFaceId = Extract<FaceIdData, { status: 'registered' }>;

/** WebAuthn creation options for a platform authenticator with user verification (Face ID). */
export async function newFaceIdOptions(deps: Deps, user: { name: string; displayName: string }) {
  const userId = randomBytes(32);
  // Loaded on first use: the WebAuthn library is a large import that start-up does not need.
  const { generateRegistrationOptions } = await import('@simplewebauthn/server');
  const options = await generateRegistrationOptions({
    rpName: deps.config.webauthn.rpName,
    rpID: deps.config.webauthn.rpId,
    userName: user.name,
    userDisplayName: user.displayName,
    userID: userId,
    attestationType: 'none',
    timeout: 120_000,
    authenticatorSelection: {
      authenticatorAttachment: 'platform',
      userVerification: 'required',
      residentKey: 'preferred',
    },
    supportedAlgorithmIDs: [-7, -257],
  });
  const pending: PendingFaceId = {
    status: 'pending',
    challenge: options.challenge,
    userId: userId.toString('base64url'),
  };
  return { options, pending };
}

/** Verify a new Face ID credential against the options issued (`pending`); platform only. */
export async function verifyFaceId(
  deps: Deps,
  pending: FaceIdData | undefined,
  credential: RegistrationResponseJSON,
): Promise<{ faceId: RegisteredFaceId; deviceType: string }> {
  if (pending?.status !== 'pending')
    throw new AppError('webauthn_failed', { details: { reason: 'no_options' } });
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    const webauthn = await import('@simplewebauthn/server');
    verification = await webauthn.verifyRegistrationResponse({
      response: credential,
      expectedChallenge: pending.challenge,
      expectedOrigin: [...deps.config.webauthn.origins],
      expectedRPID: deps.config.webauthn.rpId,
      requireUserVerification: true,
    });
  } catch (cause) {
    throw new AppError('webauthn_failed', { cause, fields: [fieldIssue('credential', 'webauthn_failed')] });
  }
  if (!verification.verified || !verification.registrationInfo) {
    throw new AppError('webauthn_failed', { fields: [fieldIssue('credential', 'webauthn_failed')] });
  }
  const { credential: cred, credentialDeviceType } = verification.registrationInfo;
  if (credential.authenticatorAttachment && credential.authenticatorAttachment !== 'platform') {
    throw new AppError('webauthn_failed', { details: { reason: 'not_platform' } });
  }
  return {
    faceId: {
      status: 'registered',
      credentialId: cred.id,
      publicKey: Buffer.from(cred.publicKey).toString('base64url'),
      counter: cred.counter,
      transports: cred.transports ?? ['internal'],
    },
    deviceType: credentialDeviceType,
  };
}

export async function faceIdOptions(deps: Deps, flowId: string, ctx: RequestContext) {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'face_id_options');
  const { options, pending } = await newFaceIdOptions(deps, {
    name: flow.data.phone?.e164 ?? flow.id,
    displayName: flow.data.email?.address ?? 'CamDigiKey',
  });
  const saved = await saveFlow(deps, flow, {
    action: 'face_id_options',
    state: 'awaiting_face_id',
    data: { ...flow.data, faceId: pending },
    ctx,
  });
  return { flow: saved, options };
}

export async function registerFaceId(
  deps: Deps,
  flowId: string,
  credential: RegistrationResponseJSON,
  ctx: RequestContext,
): Promise<RegistrationFlow> {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'register_face_id');
  const { faceId, deviceType } = await verifyFaceId(deps, flow.data.faceId, credential);
  return saveFlow(deps, flow, {
    action: 'register_face_id',
    state: 'awaiting_liveness',
    data: { ...flow.data, faceId },
    ctx,
    audit: { deviceType },
  });
}

export async function skipFaceId(deps: Deps, flowId: string, ctx: RequestContext): Promise<RegistrationFlow> {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'skip_face_id');
  return saveFlow(deps, flow, {
    action: 'skip_face_id',
    state: 'awaiting_liveness',
    data: { ...flow.data, faceId: { status: 'skipped' } },
    ctx,
  });
}
