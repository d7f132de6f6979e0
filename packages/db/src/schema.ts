/**
 * Kysely table types for the schema built by ./migrations. Keep in step with the migrations;
 * the schema test in this package compares both against a migrated database.
 */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DateOnly = ColumnType<string, string, string>;
type Json<T extends object | null> = JSONColumnType<T, string, string>;

export interface FlowsTable {
  id: string;
  kind: string;
  state: string;
  language: 'km' | 'en';
  device_thumbprint: string;
  device_jwk: Json<Record<string, unknown>>;
  data: Json<Record<string, unknown>>;
  version: Generated<number>;
  account_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  expires_at: Timestamp;
}

export interface OtpChallengesTable {
  id: string;
  flow_id: string;
  channel: 'sms' | 'email';
  /** Only in a row written before migration 0024 (cleared by the server's start-up data step). */
  target: string | null;
  /** Keyed blind index of the phone number / e-mail address (BlindIndex.phone / .email). */
  target_bidx: string | null;
  code_hash: string;
  expires_at: Timestamp;
  last_sent_at: Timestamp;
  send_count: Generated<number>;
  failed_attempts: Generated<number>;
  locked_at: Timestamp | null;
  last_failed_at: Timestamp | null;
  consumed_at: Timestamp | null;
  created_at: Timestamp;
}

export interface OtpSendsTable {
  id: Generated<number>;
  channel: string;
  /** Only in a row written before migration 0024 (cleared by the server's start-up data step). */
  target: string | null;
  /** Keyed blind index of the phone number / e-mail address (BlindIndex.phone / .email). */
  target_bidx: string | null;
  sent_at: Timestamp;
}

export type AccountStatus =
  | 'pending_review'
  | 'active'
  | 'rejected'
  | 'suspended'
  | 'locked'
  | 'resubmission_requested';

/**
 * Statuses of an account that still holds its phone, e-mail and document (the partial unique
 * indexes of migration 0001 use the same set): only a rejected account frees them.
 */
export const LIVE_ACCOUNT_STATUSES = [
  'pending_review',
  'active',
  'suspended',
  'locked',
  'resubmission_requested',
] as const satisfies readonly AccountStatus[];

export interface AccountsTable {
  id: string;
  status: AccountStatus;
  language: 'km' | 'en';
  /**
   * The personal data in clear, as written before migration 0022: null once the server's data
   * step has sealed the row into `personal_enc`. Read and written only by
   * apps/server/src/accounts/personal-data.ts.
   */
  phone_e164: string | null;
  email: string | null;
  khmer_surname: string | null;
  khmer_given_name: string | null;
  latin_surname: string | null;
  latin_given_name: string | null;
  birth_date: ColumnType<string | null, string | null, string | null>;
  nationality: string | null;
  /** Phone, e-mail, names, birth date, nationality: envelope-sealed JSON, `account:<id>:personal`. */
  personal_enc: string | null;
  /** Keyed blind indexes of the phone (E.164) and the e-mail (lower case), for look-ups and uniqueness. */
  phone_bidx: string | null;
  email_bidx: string | null;
  gender: 'male' | 'female';
  document_type: 'id_card' | 'passport';
  document_issuing_state: string;
  document_number_enc: string;
  document_number_bidx: string;
  document_number_hint: string;
  document_issue_date: DateOnly | null;
  document_expiry_date: DateOnly;
  mrz_enc: string;
  review_flags: Json<unknown[]>;
  pin_verifier: string;
  pin_failed_count: Generated<number>;
  pin_locked_until: Timestamp | null;
  submitted_at: Timestamp;
  review_deadline: Timestamp;
  decided_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** When the account was last recovered on a new phone (the cooling-off starts here). */
  recovered_at: Timestamp | null;
  /** Who locked the account: 'citizen', 'recovery_disputed', 'officer' (null when not locked). */
  locked_reason: string | null;
}

export interface DevicesTable {
  id: string;
  account_id: string;
  thumbprint: string;
  public_jwk: Json<Record<string, unknown>>;
  status: 'active' | 'revoked';
  created_at: Timestamp;
  last_seen_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface WebauthnCredentialsTable {
  id: string;
  account_id: string;
  device_id: string;
  public_key: Uint8Array;
  counter: number;
  transports: Json<string[]>;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface BlobsTable {
  id: string;
  owner_type: 'flow' | 'account';
  owner_id: string;
  purpose: 'document_photo' | 'selfie' | 'liveness_recording';
  media_type: string;
  byte_size: number;
  sealed: string;
  created_at: Timestamp;
}

export interface ConsentsTable {
  id: string;
  account_id: string;
  purpose: string;
  text_version: string;
  language: string;
  accepted_at: Timestamp;
}

export interface AuditEventsTable {
  seq: Generated<number>;
  id: string;
  occurred_at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
  device: string | null;
  request_id: string | null;
  details: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
  /** The AUDIT_KEYS id the row was chained with (HMAC-SHA-256); 'legacy' = plain SHA-256. */
  key_id: string;
}

/** The pairwise `sub` each relying-party sector received for an account (migration 0020). */
export interface PairwiseSubjectsTable {
  sector: string;
  sub: string;
  account_id: string;
  created_at: Timestamp;
}

/** A fixed window of a hot-state counter (migration 0022; used when no Redis is configured). */
export interface HotCountersTable {
  key: string;
  window_seconds: number;
  window_index: number;
  count: number;
  expires_at: Timestamp;
}

/** A one-time value (`once:…`) or a claim (`claim:…`) of the hot state (migration 0022). */
export interface HotOnceTable {
  key: string;
  expires_at: Timestamp;
}

/**
 * Failed credential checks of a client id from one source address (Open KYC secret, client-API
 * signature, OIDC client secret) in the current window, the checks in flight, and the lock
 * (migration 0025).
 */
export interface ClientAuthAttemptsTable {
  client_id: string;
  /** The caller's IP address (IPv4-mapped IPv6 written as IPv4). */
  source: string;
  failures: Generated<number>;
  pending: Generated<number>;
  window_started_at: Timestamp;
  locked_until: Timestamp | null;
}

export interface PublicHolidaysTable {
  holiday_date: DateOnly;
  name_km: string;
  name_en: string;
  updated_at: Timestamp;
  updated_by: string;
}

export interface OidcPayloadsTable {
  kind: string;
  id: string;
  payload: Json<Record<string, unknown>>;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: Timestamp | null;
  consumed_at: Timestamp | null;
}

export interface RelyingPartiesTable {
  client_id: string;
  organisation: string;
  /** The organisation's name in Khmer (migration 0015). */
  organisation_km: string | null;
  app_name: string;
  app_name_km: string | null;
  logo_url: string | null;
  domain: string;
  privacy_policy_url: string | null;
  redirect_uris: Json<string[]>;
  post_logout_redirect_uris: Json<string[]>;
  backchannel_logout_uri: string | null;
  android_app_id: string | null;
  ios_bundle_id: string | null;
  allowed_scopes: Json<string[]>;
  token_endpoint_auth_method: 'client_secret_basic' | 'private_key_jwt' | 'none';
  client_secret_enc: string | null;
  jwks: Json<{ keys: Record<string, unknown>[] }> | null;
  subject_type: 'public' | 'pairwise';
  sector_identifier: string | null;
  status: 'active' | 'suspended';
  created_at: Timestamp;
  updated_at: Timestamp;
  /** FAPI 2.0 security profile: PAR, private_key_jwt and DPoP-bound tokens (migration 0019). */
  financial_grade: Generated<boolean>;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk_enc: string;
  public_jwk: Json<Record<string, unknown>>;
  created_at: Timestamp;
  retired_at: Timestamp | null;
  expires_at: Timestamp | null;
}

export type LoginRequestState = 'pending' | 'claimed' | 'approved' | 'rejected' | 'expired' | 'completed';

export interface LoginRequestsTable {
  id: string;
  interaction_uid: string;
  client_id: string;
  qr_secret_enc: string;
  browser_binding: string;
  state: LoginRequestState;
  device_id: string | null;
  account_id: string | null;
  match_code: string;
  match_choices: Json<string[]>;
  webauthn_challenge: string | null;
  method: string | null;
  reason: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  claimed_at: Timestamp | null;
  decided_at: Timestamp | null;
}

export interface JobsTable {
  id: string;
  kind: string;
  payload: Json<Record<string, unknown>>;
  state: 'queued' | 'running' | 'done' | 'failed';
  attempts: Generated<number>;
  max_attempts: number;
  run_after: Timestamp;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type EvidenceStatus = 'pass' | 'review' | 'fail' | 'error';

export interface EvidenceTable {
  account_id: string;
  kind: string;
  status: EvidenceStatus;
  score: number | null;
  details: Json<Record<string, unknown>>;
  provenance: Json<Record<string, unknown>>;
  computed_at: Timestamp;
}

export interface FaceEmbeddingsTable {
  account_id: string;
  embedding: Json<number[]>;
  model: string;
  created_at: Timestamp;
}

export type OfficerRole = 'officer' | 'supervisor' | 'administrator';

export interface OfficersTable {
  id: string;
  username: string;
  display_name: string;
  role: OfficerRole;
  password_verifier: string;
  totp_secret_enc: string;
  status: 'active' | 'disabled';
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  last_totp_step: number | null;
  created_at: Timestamp;
}

export interface OfficerSessionsTable {
  token_hash: string;
  officer_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface CaseClaimsTable {
  account_id: string;
  officer_id: string;
  claimed_at: Timestamp;
  expires_at: Timestamp;
}

export interface ReviewDecisionsTable {
  id: string;
  account_id: string;
  officer_id: string;
  decision: 'approve' | 'reject' | 'resubmit';
  reason_code: string | null;
  note: string | null;
  part: string | null;
  state: 'final' | 'awaiting_second_officer' | 'confirmed' | 'overruled';
  second_officer_id: string | null;
  created_at: Timestamp;
  decided_at: Timestamp | null;
}

/** An officer's request to redo one part of a registration (migration 0005). */
export interface ResubmissionRequestsTable {
  id: string;
  account_id: string;
  decision_id: string;
  part: 'document_photo' | 'liveness';
  /** The fresh liveness challenge issued when the app started the resubmission. */
  challenge: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  requested_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface PlatformKeysTable {
  name: string;
  certificate_pem: string | null;
  chain: Json<string[]>;
  private_key_enc: string;
  created_at: Timestamp;
}

export interface ApiClientsTable {
  client_id: string;
  rp_client_id: string;
  hmac_key_enc: string;
  secret_key_enc: string;
  iv_enc: string;
  success_callback_url: string;
  error_callback_url: string;
  return_urls: Json<string[]>;
  certificate_fingerprint: string;
  certificate_not_after: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type ApiTokenKind = 'LOGIN' | 'AUTH' | 'USER' | 'ORGANIZATION' | 'PROFILE_LOOKUP';
export type ApiTokenState = 'active' | 'used' | 'refreshed' | 'logged_out';

export interface ApiTokensTable {
  jti: string;
  kind: ApiTokenKind;
  client_id: string;
  account_id: string | null;
  state: ApiTokenState;
  parent_jti: string | null;
  data_enc: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
}

export interface DeviceApprovalsTable {
  id: string;
  account_id: string;
  client_id: string;
  binding_message: string;
  scope: string;
  state: 'pending' | 'approved' | 'rejected';
  not_me: Generated<boolean>;
  created_at: Timestamp;
  expires_at: Timestamp;
  decided_at: Timestamp | null;
}

export interface PushSubscriptionsTable {
  device_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RecoveryAttemptsTable {
  id: string;
  account_id: string;
  flow_id: string;
  /** 'referred': the face check ended in an officer referral (0010). */
  outcome: 'passed' | 'liveness_failed' | 'face_mismatch' | 'referred';
  details: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface RecoveryReferralsTable {
  id: string;
  account_id: string;
  flow_id: string | null;
  reason: 'too_many_failures' | 'recovery_disputed' | 'no_enrolled_face' | 'face_check_review';
  created_at: Timestamp;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  decision: 'retry_allowed' | 'refused' | null;
  note: string | null;
}

export interface AccountActionTokensTable {
  id: string;
  account_id: string;
  purpose: 'lock_account';
  token_hash: string;
  details: Json<Record<string, unknown>>;
  created_at: Timestamp;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
}

/** 0010: challenges issued per flow (or resubmission) in the last hour. */
export interface LivenessChallengeQuotaTable {
  subject: string;
  issued_at: Timestamp[];
  updated_at: Timestamp;
}

/** 0010: per upload, the sealed face embedding and perceptual hash the replay check compares with. */
export interface FaceSignaturesTable {
  id: string;
  account_id: string | null;
  source: 'registration' | 'recovery' | 'resubmission' | 'enrolment';
  signature_enc: string;
  model: string;
  created_at: Timestamp;
}

/** A citizen's signing certificate for a device key (migration 0018). */
export interface CitizenCertificatesTable {
  serial: string;
  account_id: string;
  device_id: string;
  certificate_der: Uint8Array;
  not_before: Timestamp;
  not_after: Timestamp;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  revocation_reason: string | null;
}

export type SigningRequestState = 'pending' | 'signed' | 'declined' | 'expired';

/** A relying party's request for a citizen's signature, and its result (migration 0018). */
export interface SigningRequestsTable {
  id: string;
  channel: 'ciba' | 'client_api';
  client_id: string;
  account_id: string;
  state: SigningRequestState;
  statement: Json<Record<string, unknown>>;
  document_name: string | null;
  verification_code: string;
  to_be_signed: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  device_id: string | null;
  certificate_serial: string | null;
  signature: Uint8Array | null;
  pades_signature: Uint8Array | null;
  not_me: Generated<boolean>;
  created_at: Timestamp;
  expires_at: Timestamp;
  decided_at: Timestamp | null;
}

export interface Database {
  liveness_challenge_quota: LivenessChallengeQuotaTable;
  face_signatures: FaceSignaturesTable;
  citizen_certificates: CitizenCertificatesTable;
  signing_requests: SigningRequestsTable;
  recovery_attempts: RecoveryAttemptsTable;
  recovery_referrals: RecoveryReferralsTable;
  account_action_tokens: AccountActionTokensTable;
  push_subscriptions: PushSubscriptionsTable;
  device_approvals: DeviceApprovalsTable;
  platform_keys: PlatformKeysTable;
  api_clients: ApiClientsTable;
  api_tokens: ApiTokensTable;
  officers: OfficersTable;
  officer_sessions: OfficerSessionsTable;
  case_claims: CaseClaimsTable;
  review_decisions: ReviewDecisionsTable;
  resubmission_requests: ResubmissionRequestsTable;
  jobs: JobsTable;
  evidence: EvidenceTable;
  face_embeddings: FaceEmbeddingsTable;
  oidc_payloads: OidcPayloadsTable;
  relying_parties: RelyingPartiesTable;
  signing_keys: SigningKeysTable;
  login_requests: LoginRequestsTable;
  flows: FlowsTable;
  otp_challenges: OtpChallengesTable;
  otp_sends: OtpSendsTable;
  accounts: AccountsTable;
  devices: DevicesTable;
  webauthn_credentials: WebauthnCredentialsTable;
  blobs: BlobsTable;
  consents: ConsentsTable;
  audit_events: AuditEventsTable;
  public_holidays: PublicHolidaysTable;
  pairwise_subjects: PairwiseSubjectsTable;
  hot_counters: HotCountersTable;
  hot_once: HotOnceTable;
  client_auth_attempts: ClientAuthAttemptsTable;
}
