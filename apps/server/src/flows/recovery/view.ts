/**
 * The UI of each recovery state as data, drawn by the app like the registration's (same node
 * types and message ids for the shared inputs). Nothing about the account is shown before the
 * recovery succeeds.
 */
import type { RecoveryFlowView, RecoveryState } from '@camdigikey/contracts/recovery';
import type { UiAction, UiMessage, UiNode } from '@camdigikey/contracts/registration';
import { RECOVERY_STEP } from '@camdigikey/core/flows/recovery';
import { maskPhone } from '@camdigikey/core/identity/phone';
import { faceIdNode, livenessNode, phoneCodeNodes, phoneInput, pinNodes, postAction } from '../ui-nodes';
import type { RecoveryFlow } from './recovery-flow';

export const RECOVERY_BASE = '/api/device/v1/recovery';
const post = (flowId: string, path: string, name: string, labelId: string) =>
  postAction(RECOVERY_BASE, flowId, path, name, labelId);

function nodesFor(
  flow: RecoveryFlow,
  coolingOffHours: number,
): { nodes: UiNode[]; actions: UiAction[]; messages: UiMessage[] } {
  const d = flow.data;
  const id = flow.id;
  const state: RecoveryState = flow.state;
  const stateMessage = (context?: Record<string, string | number>): UiMessage => ({
    id: `recovery.state.${state}`,
    type: 'info',
    ...(context ? { context } : {}),
  });
  switch (state) {
    case 'awaiting_phone':
      return {
        nodes: [phoneInput()],
        actions: [post(id, 'phone', 'send_otp', 'action.send_otp')],
        messages: [stateMessage()],
      };
    case 'awaiting_phone_code':
      return {
        nodes: phoneCodeNodes(d.phone?.e164),
        actions: [
          post(id, 'phone/verify', 'verify', 'action.verify'),
          post(id, 'phone/resend', 'resend_otp', 'action.resend_otp'),
          post(id, 'phone', 'send_otp', 'action.send_otp'),
        ],
        messages: [
          stateMessage({ phone: d.phone ? maskPhone(d.phone.e164) : '' }),
          { id: 'info.otp_sent', type: 'info' },
        ],
      };
    case 'awaiting_pin':
      return {
        nodes: pinNodes(),
        actions: [post(id, 'pin', 'next', 'action.next')],
        messages: [stateMessage()],
      };
    case 'awaiting_face_id':
      return {
        nodes: [faceIdNode()],
        actions: [
          post(id, 'face-id/options', 'enable_face_id', 'action.enable_face_id'),
          post(id, 'face-id', 'register_face_id', 'action.next'),
          post(id, 'face-id/skip', 'skip', 'action.skip'),
        ],
        messages: [stateMessage()],
      };
    case 'awaiting_liveness': {
      const messages: UiMessage[] = [stateMessage()];
      if (d.lastOutcome)
        messages.push({
          id: `recovery.failed.${d.lastOutcome}`,
          type: 'error',
          context: {
            triesLeft: d.triesLeft ?? 0,
            ...(d.lastFailedAction ? { action: d.lastFailedAction } : {}),
          },
        });
      return {
        nodes: [livenessNode(d.liveness?.challenge)],
        actions: [
          post(id, 'liveness/challenge', 'new_challenge', 'action.hold_to_record'),
          post(id, 'liveness', 'submit', 'action.next'),
        ],
        messages,
      };
    }
    case 'recovered':
      return {
        nodes: [],
        actions: [
          { name: 'status', method: 'GET', href: '/api/device/v1/account/status', labelId: 'action.next' },
        ],
        messages: [stateMessage({ hours: coolingOffHours })],
      };
    case 'referred':
      return {
        nodes: [],
        actions: [],
        messages: [
          stateMessage(),
          { id: `recovery.referred.${d.referralReason ?? 'too_many_failures'}`, type: 'info' },
        ],
      };
  }
}

export function recoveryView(flow: RecoveryFlow, coolingOffHours: number): RecoveryFlowView {
  const d = flow.data;
  return {
    id: flow.id,
    kind: 'recovery',
    state: flow.state,
    language: flow.language,
    expiresAt: flow.expiresAt.toISOString(),
    step: { ...RECOVERY_STEP[flow.state], total: 3 },
    ui: nodesFor(flow, coolingOffHours),
    values: {
      phone: d.phone?.e164,
      phoneVerified: d.phone?.verified ?? false,
      pinSet: Boolean(d.pinVerifier),
      faceId: d.faceId?.status ?? 'not_chosen',
      ...(d.triesLeft !== undefined ? { triesLeft: d.triesLeft } : {}),
    },
  };
}
