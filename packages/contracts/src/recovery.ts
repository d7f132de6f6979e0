/**
 * The recovery flow (user guide §2, "Existing User"): a citizen who lost their phone gets the
 * account back on a new one with the registered phone number and its code, a new PIN, optionally
 * Face ID, and a liveness check matched against the face enrolled at registration. The request
 * bodies are the registration's (same rules for phone, code, PIN, Face ID and liveness).
 */
import type { FlowView } from './registration';

export {
  codeBody,
  emptyBody,
  faceIdBody,
  livenessBody,
  phoneBody,
  pinBody,
  startRegistrationBody as startRecoveryBody,
} from './registration';

export const RECOVERY_STATES = [
  'awaiting_phone',
  'awaiting_phone_code',
  'awaiting_pin',
  'awaiting_face_id',
  'awaiting_liveness',
  /** The account is back on this device: old devices, credentials, sessions and tokens revoked. */
  'recovered',
  /** Too many failed checks (or a disputed recovery): an officer must see the citizen. */
  'referred',
] as const;
export type RecoveryState = (typeof RECOVERY_STATES)[number];

export type RecoveryFlowView = FlowView<RecoveryState, 'recovery'>;

/** Why an automatic recovery stopped and was referred to an officer. */
export const RECOVERY_REFERRAL_REASONS = [
  'too_many_failures',
  'recovery_disputed',
  'no_enrolled_face',
] as const;
export type RecoveryReferralReason = (typeof RECOVERY_REFERRAL_REASONS)[number];

/** What an officer decides on a referral: the citizen may try again in the app, or must not. */
export const RECOVERY_REFERRAL_DECISIONS = ['retry_allowed', 'refused'] as const;
export type RecoveryReferralDecision = (typeof RECOVERY_REFERRAL_DECISIONS)[number];
