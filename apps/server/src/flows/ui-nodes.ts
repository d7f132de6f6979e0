/**
 * The steps both stored flows draw the same way (registration and recovery): the phone number, its
 * one-time code, the PIN pad, the Face ID offer and the liveness camera, each with its actions.
 * Labels are message ids; each flow passes its own state message and its own action URLs.
 */

import type { UiAction, UiMessage, UiNode } from '@camdigikey/contracts/registration';
import { displayPhone } from '@camdigikey/core/identity/phone';
import type { LivenessChallenge } from './registration/liveness.steps';

export interface StepUi {
  nodes: UiNode[];
  actions: UiAction[];
  messages: UiMessage[];
}

/** An action of one flow: POST `<base>/<flowId>/<path>`. */
export type FlowPost = (path: string, name: string, labelId: string) => UiAction;

export const flowPost =
  (base: string, flowId: string): FlowPost =>
  (path, name, labelId) => ({ name, method: 'POST', href: `${base}/${flowId}/${path}`, labelId });

export const phoneStep = (post: FlowPost, message: UiMessage): StepUi => ({
  nodes: [
    {
      name: 'phone',
      type: 'tel',
      labelId: 'field.phone',
      required: true,
      attributes: { autocomplete: 'tel', defaultCountry: 'KH' },
    },
  ],
  actions: [post('phone', 'send_otp', 'action.send_otp')],
  messages: [message],
});

export const phoneCodeStep = (
  post: FlowPost,
  phone: string | undefined,
  message: (context: { phone: string }) => UiMessage,
): StepUi => ({
  nodes: [
    {
      name: 'phone',
      type: 'tel',
      labelId: 'field.phone',
      value: phone ?? '',
      ...(phone ? { attributes: { display: displayPhone(phone) } } : {}),
    },
    {
      name: 'code',
      type: 'otp',
      labelId: 'field.phone_code',
      required: true,
      attributes: { length: 6, autocomplete: 'one-time-code' },
    },
  ],
  actions: [
    post('phone/verify', 'verify', 'action.verify'),
    post('phone/resend', 'resend_otp', 'action.resend_otp'),
    post('phone', 'send_otp', 'action.send_otp'),
  ],
  // The number the citizen has just typed, in full and written as they write it (never half masked).
  messages: [message({ phone: phone ? displayPhone(phone) : '' }), { id: 'info.otp_sent', type: 'info' }],
});

export const pinStep = (post: FlowPost, message: UiMessage): StepUi => ({
  nodes: [
    { name: 'pin', type: 'pin', labelId: 'field.pin', required: true, attributes: { length: 6 } },
    {
      name: 'pinConfirmation',
      type: 'pin',
      labelId: 'field.pin_confirmation',
      required: true,
      attributes: { length: 6 },
    },
  ],
  actions: [post('pin', 'next', 'action.next')],
  messages: [message],
});

export const faceIdStep = (post: FlowPost, message: UiMessage): StepUi => ({
  nodes: [
    {
      name: 'faceId',
      type: 'webauthn',
      labelId: 'field.face_id',
      attributes: { authenticatorAttachment: 'platform' },
    },
  ],
  actions: [
    post('face-id/options', 'enable_face_id', 'action.enable_face_id'),
    post('face-id', 'register_face_id', 'action.next'),
    post('face-id/skip', 'skip', 'action.skip'),
  ],
  messages: [message],
});

export const livenessStep = (
  post: FlowPost,
  challenge: LivenessChallenge | undefined,
  messages: UiMessage[],
): StepUi => ({
  nodes: [
    {
      name: 'recording',
      type: 'camera',
      labelId: 'field.liveness_recording',
      required: true,
      attributes: {
        facing: 'user',
        ...(challenge
          ? {
              challengeId: challenge.id,
              actions: challenge.actions.join(','),
              expiresAt: challenge.expiresAt,
            }
          : {}),
      },
      messages: (challenge?.actions ?? []).map((a) => ({ id: `liveness.${a}`, type: 'info' as const })),
    },
  ],
  actions: [
    post('liveness/challenge', 'new_challenge', 'action.hold_to_record'),
    post('liveness', 'submit', 'action.next'),
  ],
  messages,
});
