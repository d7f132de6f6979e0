/**
 * The UI of each recovery state as data, drawn by the app like the registration's (same node
 * types and message ids for the shared inputs). Nothing about the account is shown before the
 * recovery succeeds.
 */
import type { RecoveryFlowView, RecoveryState } from '@camdigikey/contracts/recovery';
import type { UiAction, UiMessage, UiNode } from '@camdigikey/contracts/registration';
import { RECOVERY_STEP } from '@camdigikey/core/flows/recovery';
import { faceIdStep, flowPost, livenessStep, phoneCodeStep, phoneStep, pinStep } from '../ui-nodes';
import type { RecoveryFlow } from './recovery-flow';

export const RECOVERY_BASE = '/api/device/v1/recovery';

function nodesFor(
  flow: RecoveryFlow,
  coolingOffHours: number,
): { nodes: UiNode[]; actions: UiAction[]; messages: UiMessage[] } {
  const d = flow.data;
  const post = flowPost(RECOVERY_BASE, flow.id);
  const state: RecoveryState = flow.state;
  const stateMessage = (context?: Record<string, string | number>): UiMessage => ({
    id: `recovery.state.${state}`,
    type: 'info',
    ...(context ? { context } : {}),
  });
  switch (state) {
    case 'awaiting_phone':
      return phoneStep(post, stateMessage());
    case 'awaiting_phone_code':
      return phoneCodeStep(post, d.phone?.e164, stateMessage);
    case 'awaiting_pin':
      return pinStep(post, stateMessage());
    case 'awaiting_face_id':
      return faceIdStep(post, stateMessage());
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
      return livenessStep(post, d.liveness?.challenge, messages);
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
