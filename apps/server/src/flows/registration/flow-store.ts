/**
 * The registration's stored flow (flows/flow-store.ts with the registration's transition table).
 * The details draft is saved outside the table (it keeps the state) and audited as
 * `registration.details_draft_saved`.
 */
import type { RegistrationState } from '@camdigikey/contracts/registration';
import { REGISTRATION_TRANSITIONS, type RegistrationAction } from '@camdigikey/core/flows/registration';
import type { Deps } from '../../deps';
import { type FlowChange, flowStore, type StoredFlow } from '../flow-store';
import type { RegistrationData } from './flow-data';

export type { RequestContext } from '../flow-store';

export type RegistrationFlow = StoredFlow<RegistrationState, RegistrationData>;

const store = flowStore<RegistrationState, RegistrationAction, RegistrationData>({
  kind: 'registration',
  initial: 'awaiting_phone',
  transitions: REGISTRATION_TRANSITIONS,
  finalStates: ['submitted'],
});

export const createFlow = store.create;
export const loadFlow = store.load;

/** Persist a step (see flowStore.save); `draft` saves the details without a transition. */
export function saveFlow(
  deps: Deps,
  flow: RegistrationFlow,
  change: Omit<FlowChange<RegistrationState, RegistrationAction, RegistrationData>, 'action'> & {
    action: RegistrationAction | 'draft';
  },
): Promise<RegistrationFlow> {
  const action = change.action === 'draft' ? { name: 'details_draft_saved' } : change.action;
  return store.save(deps, flow, { ...change, action });
}
