/**
 * The inputs both stored flows draw the same way (registration and recovery): phone number, the
 * one-time code, the PIN pad, the Face ID offer and the liveness camera. Labels are message ids.
 */
import type { UiAction, UiNode } from '@camdigikey/contracts/registration';
import type { LivenessChallenge } from './registration/liveness.steps';

export const postAction = (
  base: string,
  flowId: string,
  path: string,
  name: string,
  labelId: string,
): UiAction => ({
  name,
  method: 'POST',
  href: `${base}/${flowId}/${path}`,
  labelId,
});

export const phoneInput = (): UiNode => ({
  name: 'phone',
  type: 'tel',
  labelId: 'field.phone',
  required: true,
  attributes: { autocomplete: 'tel', defaultCountry: 'KH' },
});

export const phoneCodeNodes = (phone: string | undefined): UiNode[] => [
  { name: 'phone', type: 'tel', labelId: 'field.phone', value: phone ?? '' },
  {
    name: 'code',
    type: 'otp',
    labelId: 'field.phone_code',
    required: true,
    attributes: { length: 6, autocomplete: 'one-time-code' },
  },
];

export const pinNodes = (): UiNode[] => [
  { name: 'pin', type: 'pin', labelId: 'field.pin', required: true, attributes: { length: 6 } },
  {
    name: 'pinConfirmation',
    type: 'pin',
    labelId: 'field.pin_confirmation',
    required: true,
    attributes: { length: 6 },
  },
];

export const faceIdNode = (): UiNode => ({
  name: 'faceId',
  type: 'webauthn',
  labelId: 'field.face_id',
  attributes: { authenticatorAttachment: 'platform' },
});

export const livenessNode = (challenge: LivenessChallenge | undefined): UiNode => ({
  name: 'recording',
  type: 'camera',
  labelId: 'field.liveness_recording',
  required: true,
  attributes: {
    facing: 'user',
    ...(challenge
      ? { challengeId: challenge.id, actions: challenge.actions.join(','), expiresAt: challenge.expiresAt }
      : {}),
  },
  messages: (challenge?.actions ?? []).map((a) => ({ id: `liveness.${a}`, type: 'info' as const })),
});
