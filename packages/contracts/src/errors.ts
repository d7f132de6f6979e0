/**
 * The error codes of the platform: the contract between the server and every client.
 *
 * A code never changes meaning once released (add a new one instead). Each code has an HTTP
 * status and a message id `error.<code>` with Khmer and English text in packages/messages; a
 * test fails when one is missing. Clients branch on `code`, never on the text.
 */
export const ERROR_STATUS = {
  // generic
  validation_failed: 400,
  /** The request itself is malformed (bad UTF-8, NUL bytes, bad percent-encoding or cookies, oversized headers). */
  request_malformed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
  // flows
  flow_not_found: 404,
  flow_expired: 410,
  flow_step_out_of_order: 409,
  flow_conflict: 409,
  // device binding
  device_proof_missing: 401,
  device_proof_invalid: 401,
  device_proof_expired: 401,
  device_proof_replayed: 401,
  device_proof_nonce_invalid: 401,
  device_proof_mismatch: 401,
  device_key_unknown: 401,
  device_key_mismatch: 403,
  // contacts and OTP
  phone_invalid: 400,
  phone_not_mobile: 400,
  email_invalid: 400,
  otp_not_sent: 409,
  otp_invalid: 400,
  otp_expired: 400,
  otp_locked: 429,
  otp_resend_too_soon: 429,
  otp_send_limit: 429,
  // PIN
  pin_format: 400,
  pin_mismatch: 400,
  pin_too_simple: 400,
  pin_is_birth_date: 400,
  // Face ID
  webauthn_failed: 400,
  // liveness and uploads
  liveness_challenge_invalid: 400,
  liveness_challenge_expired: 400,
  liveness_recording_invalid: 400,
  // selfie quality at capture (face-engine quality.ts): what the citizen must fix
  selfie_no_face: 422,
  selfie_multiple_faces: 422,
  selfie_face_too_small: 422,
  selfie_face_off_axis: 422,
  selfie_blurred: 422,
  selfie_too_dark: 422,
  selfie_overexposed: 422,
  selfie_eyes_closed: 422,
  liveness_challenge_limit: 429,
  upload_too_large: 413,
  upload_not_image: 415,
  // identity document
  mrz_format: 400,
  mrz_check_digit: 400,
  mrz_date_invalid: 400,
  document_type_unsupported: 400,
  document_expired: 400,
  holder_under_age: 400,
  document_already_registered: 409,
  // the form of step 4/4
  khmer_name_required: 400,
  khmer_name_invalid: 400,
  khmer_name_too_long: 400,
  latin_name_required: 400,
  latin_name_invalid: 400,
  latin_name_too_long: 400,
  date_invalid: 400,
  document_number_invalid: 400,
  gender_invalid: 400,
  // consent and submission
  consent_required: 400,
  consent_version_outdated: 409,
  registration_incomplete: 409,
  // administration
  holiday_invalid: 400,
  relying_party_invalid: 400,
  /** A registration the OpenID provider could not serve (refused when saved, never stored). */
  relying_party_unservable: 400,
  // web login (QR, number matching, PIN)
  login_request_not_found: 404,
  login_request_expired: 410,
  login_request_claimed: 409,
  /** The login ended (wrong number, locked PIN, refused on the phone): start again on the website. */
  login_request_cancelled: 409,
  /** App-to-app: the relying party registered no iOS bundle id / Android app id to return to. */
  app_login_not_registered: 409,
  login_not_approved: 409,
  qr_invalid: 400,
  qr_expired: 400,
  login_wrong_code: 400,
  account_not_active: 403,
  pin_invalid: 400,
  pin_locked: 429,
  pin_blocked: 403,
  // officer console
  officer_login_failed: 401,
  officer_locked: 429,
  case_not_pending: 409,
  case_claimed_by_other: 409,
  case_not_claimed: 409,
  second_officer_required: 409,
  // resubmission of one part
  resubmission_not_requested: 409,
  resubmission_part_mismatch: 409,
  // recovery and the citizen's control
  recovery_cooling_off: 403,
  // signature requests (issue 17)
  signing_request_not_found: 404,
  signing_request_expired: 410,
  signing_request_stale: 409,
  signature_invalid: 400,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);

/** The message id that carries the Khmer and English text of an error code. */
export const errorMessageId = (code: ErrorCode) => `error.${code}` as const;

/** One field-level problem inside a `validation_failed` (or other 4xx) answer. */
export interface FieldIssue {
  /** Dotted path of the field in the request body, e.g. `latinSurname`. */
  field: string;
  code: ErrorCode;
  messageId: string;
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    messageId: string;
    message: { km: string; en: string };
    requestId: string;
    fields?: FieldIssue[];
    details?: Record<string, unknown>;
  };
}
