/**
 * Walks a synthetic citizen through the whole registration flow over HTTP with a test device,
 * the way the app will: contacts with both OTPs, PIN, optional Face ID, liveness, document,
 * form, consent, submission. Each step can be stopped at, so sad-path tests reuse the walk up
 * to the step they break.
 */
import type { SyntheticCitizen } from './citizens';
import { renderDocument } from './document-image';
import { framesForChallenge, renderFaceFrame, type TimedStep } from './face-frames';
import type { TestDevice } from './test-device';
import type { SoftAuthenticator } from './webauthn-authenticator';

export const REGISTRATION = '/api/device/v1/registration';

export interface OtpReaders {
  sms(phoneE164: string): Promise<string>;
  email(address: string): Promise<string>;
}

export type WalkStep =
  | 'phone'
  | 'email'
  | 'pin'
  | 'face'
  | 'liveness'
  | 'document'
  | 'details'
  | 'consent'
  | 'submit';
const ORDER: WalkStep[] = [
  'phone',
  'email',
  'pin',
  'face',
  'liveness',
  'document',
  'details',
  'consent',
  'submit',
];

export interface WalkOptions {
  otp: OtpReaders;
  language?: 'km' | 'en';
  /** Register Face ID with this authenticator (else skip Face ID). */
  authenticator?: { device: SoftAuthenticator; origin: string };
  /** Stop before this step (the flow is left waiting for it). */
  stopBefore?: WalkStep;
  /** Replace the form values sent at the details step. */
  details?: Record<string, string>;
  /** Real face media instead of the drawn face: the selfie, the liveness frames, the card portrait. */
  media?: {
    selfie?: Buffer;
    frames?: (actions: string[], steps?: TimedStep[]) => Promise<{ t: number; image: string }[]>;
    portrait?: Buffer;
    /** The document photo to send instead of the citizen's rendered card (e.g. another card, or no card). */
    documentPhoto?: Buffer;
  };
}

export interface FlowBody {
  id: string;
  state: string;
  values: Record<string, unknown>;
  account?: { id: string; status: string; reviewDeadline: string };
  [key: string]: unknown;
}

export class WalkError extends Error {
  constructor(
    readonly step: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`registration step ${step} answered ${status}: ${JSON.stringify(body)}`);
  }
}

export function detailsOf(c: SyntheticCitizen): Record<string, string> {
  return {
    khmerSurname: c.khmerSurname,
    khmerGivenName: c.khmerGivenName,
    latinSurname: c.latinSurname,
    latinGivenName: c.latinGivenName,
    documentNumber: c.documentNumber,
    birthDate: c.birthDate,
    issueDate: c.issueDate,
    expiryDate: c.expiryDate,
    gender: c.gender,
  };
}

export async function startRegistration(device: TestDevice, language: 'km' | 'en' = 'km'): Promise<FlowBody> {
  const r = await device.call<FlowBody>('POST', REGISTRATION, { language });
  if (r.status !== 201) throw new WalkError('start', r.status, r.body);
  return r.body;
}

/** Continue a started flow up to `stopBefore` (or to submission). Returns the last flow view. */
export async function walkRegistration(
  device: TestDevice,
  citizen: SyntheticCitizen,
  options: WalkOptions,
  started?: FlowBody,
): Promise<FlowBody> {
  let flow = started ?? (await startRegistration(device, options.language));
  const base = `${REGISTRATION}/${flow.id}`;
  const step = async (name: string, path: string, body: unknown = {}) => {
    const r = await device.call<FlowBody>('POST', `${base}/${path}`, body);
    if (r.status !== 200) throw new WalkError(name, r.status, r.body);
    return r.body;
  };
  const stop = (s: WalkStep) =>
    options.stopBefore !== undefined && ORDER.indexOf(s) >= ORDER.indexOf(options.stopBefore);

  if (stop('phone')) return flow;
  flow = await step('phone', 'phone', { phone: citizen.phone });
  const phone = String(flow.values.phone);
  flow = await step('phone/verify', 'phone/verify', { code: await options.otp.sms(phone) });
  if (stop('email')) return flow;
  flow = await step('email', 'email', { email: citizen.email });
  flow = await step('email/verify', 'email/verify', {
    code: await options.otp.email(String(flow.values.email)),
  });
  if (stop('pin')) return flow;
  flow = await step('pin', 'pin', { pin: citizen.pin, pinConfirmation: citizen.pin });
  if (stop('face')) return flow;
  if (options.authenticator) {
    const opts = (await step('face-id/options', 'face-id/options')) as unknown as {
      publicKey: Parameters<SoftAuthenticator['createCredential']>[0];
    };
    const credential = await options.authenticator.device.createCredential(
      opts.publicKey,
      options.authenticator.origin,
    );
    flow = await step('face-id', 'face-id', { credential });
  } else {
    flow = await step('face-id/skip', 'face-id/skip');
  }
  if (stop('liveness')) return flow;
  const issued = (await step('liveness/challenge', 'liveness/challenge')) as unknown as {
    challenge: { id: string; actions: string[]; steps?: TimedStep[] };
  };
  flow = await step('liveness', 'liveness', {
    challengeId: issued.challenge.id,
    selfie: (options.media?.selfie ?? renderFaceFrame('center')).toString('base64'),
    frames: options.media?.frames
      ? await options.media.frames(issued.challenge.actions, issued.challenge.steps)
      : framesForChallenge(issued.challenge.actions, 3, issued.challenge.steps),
  });
  if (stop('document')) return flow;
  flow = await step('document', 'document', {
    mrz: citizen.mrz.join('\n'),
    photo: (
      options.media?.documentPhoto ??
      renderDocument(citizen, {
        format: 'jpeg',
        ...(options.media?.portrait ? { portrait: options.media.portrait } : {}),
      })
    ).toString('base64'),
  });
  if (stop('details')) return flow;
  flow = await step('details', 'details', options.details ?? detailsOf(citizen));
  if (stop('consent')) return flow;
  const consent = (
    flow as unknown as { ui: { nodes: { name: string; attributes?: Record<string, string> }[] } }
  ).ui.nodes.find((n) => n.name === 'accepted');
  flow = await step('consent', 'consent', {
    accepted: true,
    consentVersion: consent?.attributes?.consentVersion ?? '',
  });
  if (stop('submit')) return flow;
  return step('submit', 'submit');
}
