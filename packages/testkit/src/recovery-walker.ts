/**
 * The recovery flow as the app plays it on a new phone (user guide §2): the registered number
 * and its SMS code, a new PIN, Face ID or not, then the face check. Each step can be stopped
 * before; the face check's frames come from the caller (a real face for a pass, another person's
 * face or the drawn face for a failure).
 */

import type { TimedStep } from './face-frames';
import { WalkError } from './registration-walker';
import type { TestDevice } from './test-device';
import type { SoftAuthenticator } from './webauthn-authenticator';

export const RECOVERY = '/api/device/v1/recovery';

export interface RecoveryView {
  id: string;
  kind: 'recovery';
  state: string;
  values: Record<string, unknown>;
  ui: {
    nodes: { name: string }[];
    messages: { id: string; type: string; context?: Record<string, unknown> }[];
  };
}

export interface RecoveryFace {
  selfie: Buffer;
  frames(actions: string[], steps?: TimedStep[]): Promise<{ t: number; image: string }[]>;
}

export interface RecoveryWalk {
  phone: string;
  pin: string;
  smsCode(phone: string): Promise<string>;
  authenticator?: { device: SoftAuthenticator; origin: string };
  /** Stop before the face check (the flow is left waiting for it). */
  stopBeforeFace?: boolean;
  face?: RecoveryFace;
}

export async function startRecovery(device: TestDevice, language: 'km' | 'en' = 'km'): Promise<RecoveryView> {
  const r = await device.call<RecoveryView>('POST', RECOVERY, { language });
  if (r.status !== 201) throw new WalkError('start', r.status, r.body);
  return r.body;
}

export async function recoveryStep<T = RecoveryView>(
  device: TestDevice,
  flowId: string,
  path: string,
  body: unknown = {},
): Promise<T> {
  const r = await device.call<T>('POST', `${RECOVERY}/${flowId}/${path}`, body);
  if (r.status !== 200) throw new WalkError(path, r.status, r.body);
  return r.body;
}

/** One face check against a fresh challenge; answers the flow view after the decision. */
export async function recoveryFaceCheck(
  device: TestDevice,
  flowId: string,
  face: RecoveryFace,
): Promise<RecoveryView> {
  const issued = await recoveryStep<{ challenge: { id: string; actions: string[]; steps?: TimedStep[] } }>(
    device,
    flowId,
    'liveness/challenge',
  );
  return recoveryStep(device, flowId, 'liveness', {
    challengeId: issued.challenge.id,
    selfie: face.selfie.toString('base64'),
    frames: await face.frames(issued.challenge.actions, issued.challenge.steps),
  });
}

export async function walkRecovery(device: TestDevice, walk: RecoveryWalk): Promise<RecoveryView> {
  let flow = await startRecovery(device);
  const step = (path: string, body: unknown = {}) => recoveryStep(device, flow.id, path, body);
  flow = await step('phone', { phone: walk.phone });
  flow = await step('phone/verify', { code: await walk.smsCode(String(flow.values.phone)) });
  if (flow.state !== 'awaiting_pin') return flow;
  flow = await step('pin', { pin: walk.pin, pinConfirmation: walk.pin });
  if (walk.authenticator) {
    const opts = await recoveryStep<{ publicKey: Parameters<SoftAuthenticator['createCredential']>[0] }>(
      device,
      flow.id,
      'face-id/options',
    );
    const credential = await walk.authenticator.device.createCredential(
      opts.publicKey,
      walk.authenticator.origin,
    );
    flow = await step('face-id', { credential });
  } else {
    flow = await step('face-id/skip');
  }
  if (walk.stopBeforeFace || !walk.face) return flow;
  return recoveryFaceCheck(device, flow.id, walk.face);
}
