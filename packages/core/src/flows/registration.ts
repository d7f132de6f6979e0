/**
 * The registration flow's states and transition table (house-style rule 4): the one place that
 * says which action may run in which state and where it leads. The diagram in
 * docs/flows/registration.md is generated from this table and checked by a test.
 *
 * States are named by what the citizen is waiting for. Never give an old state name a new
 * meaning: flows in progress are stored with these names.
 */
import type { RegistrationState } from '@camdigikey/contracts/registration';

export type RegistrationAction =
  | 'submit_phone'
  | 'resend_phone_code'
  | 'verify_phone_code'
  | 'submit_email'
  | 'resend_email_code'
  | 'verify_email_code'
  | 'set_pin'
  | 'face_id_options'
  | 'register_face_id'
  | 'skip_face_id'
  | 'liveness_challenge'
  | 'submit_liveness'
  | 'submit_document'
  | 'submit_details'
  | 'accept_consent'
  | 'submit';

/** For each action: the states it may start from and the states it may end in. */
export const REGISTRATION_TRANSITIONS: Record<
  RegistrationAction,
  { from: readonly RegistrationState[]; to: readonly RegistrationState[] }
> = {
  submit_phone: { from: ['awaiting_phone', 'awaiting_phone_code'], to: ['awaiting_phone_code'] },
  resend_phone_code: { from: ['awaiting_phone_code'], to: ['awaiting_phone_code'] },
  verify_phone_code: { from: ['awaiting_phone_code'], to: ['awaiting_email'] },
  submit_email: { from: ['awaiting_email', 'awaiting_email_code'], to: ['awaiting_email_code'] },
  resend_email_code: { from: ['awaiting_email_code'], to: ['awaiting_email_code'] },
  verify_email_code: { from: ['awaiting_email_code'], to: ['awaiting_pin'] },
  set_pin: { from: ['awaiting_pin', 'awaiting_new_pin'], to: ['awaiting_face_id', 'awaiting_consent'] },
  face_id_options: { from: ['awaiting_face_id'], to: ['awaiting_face_id'] },
  register_face_id: { from: ['awaiting_face_id'], to: ['awaiting_liveness'] },
  skip_face_id: { from: ['awaiting_face_id'], to: ['awaiting_liveness'] },
  liveness_challenge: { from: ['awaiting_liveness'], to: ['awaiting_liveness'] },
  submit_liveness: { from: ['awaiting_liveness'], to: ['awaiting_document'] },
  submit_document: {
    from: ['awaiting_document', 'awaiting_details', 'awaiting_consent', 'awaiting_submission'],
    to: ['awaiting_details'],
  },
  submit_details: {
    from: ['awaiting_details', 'awaiting_consent', 'awaiting_submission'],
    to: ['awaiting_consent', 'awaiting_new_pin'],
  },
  accept_consent: { from: ['awaiting_consent'], to: ['awaiting_submission'] },
  submit: { from: ['awaiting_submission'], to: ['submitted'] },
};

export const canRun = (state: RegistrationState, action: RegistrationAction) =>
  REGISTRATION_TRANSITIONS[action].from.includes(state);

export const canEndIn = (action: RegistrationAction, state: RegistrationState) =>
  REGISTRATION_TRANSITIONS[action].to.includes(state);

/** The guide's "Step n/4" for each state. */
export const REGISTRATION_STEP: Record<RegistrationState, { index: number; titleId: string }> = {
  awaiting_phone: { index: 1, titleId: 'registration.step.contacts' },
  awaiting_phone_code: { index: 1, titleId: 'registration.step.contacts' },
  awaiting_email: { index: 1, titleId: 'registration.step.contacts' },
  awaiting_email_code: { index: 1, titleId: 'registration.step.contacts' },
  awaiting_pin: { index: 1, titleId: 'registration.step.pin' },
  awaiting_face_id: { index: 2, titleId: 'registration.step.face_id' },
  awaiting_liveness: { index: 2, titleId: 'registration.step.face' },
  awaiting_document: { index: 3, titleId: 'registration.step.document' },
  awaiting_details: { index: 4, titleId: 'registration.step.details' },
  awaiting_new_pin: { index: 4, titleId: 'registration.step.details' },
  awaiting_consent: { index: 4, titleId: 'registration.step.details' },
  awaiting_submission: { index: 4, titleId: 'registration.step.details' },
  submitted: { index: 4, titleId: 'registration.step.submitted' },
};

/** A Mermaid state diagram of the table, for docs/flows/registration.md. */
export function registrationDiagram(): string {
  const lines = ['stateDiagram-v2', '  [*] --> awaiting_phone: start'];
  for (const [action, { from, to }] of Object.entries(REGISTRATION_TRANSITIONS)) {
    for (const f of from) for (const t of to) lines.push(`  ${f} --> ${t}: ${action}`);
  }
  lines.push('  submitted --> [*]');
  return lines.join('\n');
}
