/**
 * The recovery flow's states and transition table, like the registration's (house-style rule 4):
 * the one place that says which action may run in which state and where it leads.
 *
 * The liveness step is where recovery is decided: a pass ends in `recovered`; a failure stays in
 * `awaiting_liveness` while tries are left today and ends in `referred` when they are not.
 * Verifying the phone can also end in `referred` when the account already has an open referral
 * or no tries left, so the citizen learns it before choosing a new PIN.
 */
import type { RecoveryState } from '@camdigikey/contracts/recovery';

export type RecoveryAction =
  | 'submit_phone'
  | 'resend_phone_code'
  | 'verify_phone_code'
  | 'set_pin'
  | 'face_id_options'
  | 'register_face_id'
  | 'skip_face_id'
  | 'liveness_challenge'
  | 'submit_liveness';

export const RECOVERY_TRANSITIONS: Record<
  RecoveryAction,
  { from: readonly RecoveryState[]; to: readonly RecoveryState[] }
> = {
  submit_phone: { from: ['awaiting_phone', 'awaiting_phone_code'], to: ['awaiting_phone_code'] },
  resend_phone_code: { from: ['awaiting_phone_code'], to: ['awaiting_phone_code'] },
  verify_phone_code: { from: ['awaiting_phone_code'], to: ['awaiting_pin', 'referred'] },
  set_pin: { from: ['awaiting_pin'], to: ['awaiting_face_id'] },
  face_id_options: { from: ['awaiting_face_id'], to: ['awaiting_face_id'] },
  register_face_id: { from: ['awaiting_face_id'], to: ['awaiting_liveness'] },
  skip_face_id: { from: ['awaiting_face_id'], to: ['awaiting_liveness'] },
  liveness_challenge: { from: ['awaiting_liveness'], to: ['awaiting_liveness'] },
  submit_liveness: { from: ['awaiting_liveness'], to: ['recovered', 'awaiting_liveness', 'referred'] },
};

/** States a recovery flow ends in; they never expire. */
export const RECOVERY_FINAL_STATES: readonly RecoveryState[] = ['recovered', 'referred'];

/** The guide's steps of recovery: 1 phone, 2 PIN and Face ID, 3 the face check. */
export const RECOVERY_STEP: Record<RecoveryState, { index: number; titleId: string }> = {
  awaiting_phone: { index: 1, titleId: 'recovery.step.phone' },
  awaiting_phone_code: { index: 1, titleId: 'recovery.step.phone' },
  awaiting_pin: { index: 2, titleId: 'recovery.step.pin' },
  awaiting_face_id: { index: 2, titleId: 'recovery.step.face_id' },
  awaiting_liveness: { index: 3, titleId: 'recovery.step.face' },
  recovered: { index: 3, titleId: 'recovery.step.done' },
  referred: { index: 3, titleId: 'recovery.step.referred' },
};

/** A Mermaid state diagram of the table, for docs/flows/recovery.md. */
export function recoveryDiagram(): string {
  const lines = ['stateDiagram-v2', '  [*] --> awaiting_phone: start'];
  for (const [action, { from, to }] of Object.entries(RECOVERY_TRANSITIONS)) {
    for (const f of from) for (const t of to) lines.push(`  ${f} --> ${t}: ${action}`);
  }
  for (const s of RECOVERY_FINAL_STATES) lines.push(`  ${s} --> [*]`);
  return lines.join('\n');
}
