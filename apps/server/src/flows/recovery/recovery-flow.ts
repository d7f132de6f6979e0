/**
 * The recovery flow's record and store (flows/flow-store.ts with the recovery's transition table).
 * The account found for the phone number is kept in the flow row (account_id), never shown to the
 * app before the recovery succeeds.
 */
import type { RecoveryState } from '@camdigikey/contracts/recovery';
import {
  RECOVERY_FINAL_STATES,
  RECOVERY_TRANSITIONS,
  type RecoveryAction,
} from '@camdigikey/core/flows/recovery';
import type { LivenessChallenge } from '../../proofing/liveness-challenge';
import { flowStore, type StoredFlow } from '../flow-store';
import type { RegistrationData } from '../registration/flow-data';

export interface RecoveryData {
  phone?: { e164: string; national: string; verified: boolean };
  pinVerifier?: string;
  faceId?: RegistrationData['faceId'];
  liveness?: { challenge: LivenessChallenge };
  /** Failed face checks left today after the last judged attempt (shown to the citizen). */
  triesLeft?: number;
  /** The last judged attempt's outcome (no scores: those stay in recovery_attempts). */
  lastOutcome?: 'liveness_failed' | 'face_mismatch';
  lastFailedAction?: string | null;
  referralReason?: 'too_many_failures' | 'recovery_disputed' | 'no_enrolled_face' | 'face_check_review';
}

export type RecoveryFlow = StoredFlow<RecoveryState, RecoveryData>;

export const recoveryStore = flowStore<RecoveryState, RecoveryAction, RecoveryData>({
  kind: 'recovery',
  initial: 'awaiting_phone',
  transitions: RECOVERY_TRANSITIONS,
  finalStates: RECOVERY_FINAL_STATES,
});
