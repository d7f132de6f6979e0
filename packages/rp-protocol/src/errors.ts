/**
 * Error types of the relying-party protocol, each with a stable code.
 *
 * Why: rp-protocol.md §2.4 fixes the client-side error codes (100–107) that the official Node and
 * Java libraries share; token and chain failures reuse them so that our SDK reports what an
 * integrator already knows. Envelope failures (§2.3) have no published server code, so they get
 * string codes of our own; a bad signature and an unknown client share one public code and
 * message, and only `auditReason` (for server logs, never for the wire) tells them apart.
 */

/** §2.4: `ErrorCode` / `ExceptionCode`, identical in Node and Java. */
export const CLIENT_ERROR_CODES = {
  INVALID_CERTIFICATE_CHAIN: 100,
  INVALID_TOKEN_SIGNATURE: 101,
  INVALID_CLIENT_DOMAIN: 102,
  EXPIRED_ACCESS_TOKEN: 103,
  DISABLED_ACCESS_TOKEN: 104,
  DECRYPT_PAYLOAD_ERROR: 105,
  INVALID_ACCESS_TOKEN_TYPE: 106,
  ACCESS_TOKEN_ID_EMPTY: 107,
} as const;
export type ClientErrorName = keyof typeof CLIENT_ERROR_CODES;

/**
 * This platform's own inner `error` codes (rp-protocol.md leaves server codes undocumented;
 * ADR 0011), next to the §2.4 ones above, which the server uses for token problems.
 */
export const SERVER_ERROR_CODES = {
  INVALID_REQUEST: 110,
  STALE_REQUEST: 111,
  RETURN_URL_NOT_REGISTERED: 112,
  USER_NOT_FOUND: 113,
  NOT_PERMITTED: 114,
  CLIENT_SUSPENDED: 115,
  USER_NOT_ACTIVE: 116,
  /** The account is active but holds no face photo to release (`getUserFace`). */
  FACE_NOT_AVAILABLE: 117,
  /** Signature requests (issue 17): the citizen cannot take one now (pending, blocked, rate). */
  SIGN_REQUEST_REFUSED: 118,
  /** Signature requests: no such request for this client. */
  SIGN_REQUEST_NOT_FOUND: 119,
} as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[ClientErrorName];

/** Public envelope failure codes (§2.3). */
export type EnvelopeErrorCode =
  | 'malformed_envelope'
  | 'invalid_signature'
  | 'invalid_ciphertext'
  | 'invalid_json';

/** Why an `invalid_signature` really happened; for audit logs only, never sent to a client. */
export type EnvelopeAuditReason = 'bad_signature' | 'unknown_client';

const ENVELOPE_MESSAGES: Record<EnvelopeErrorCode, string> = {
  malformed_envelope: 'Malformed request envelope',
  // the Node library's wording for a response MAC mismatch (§2.3)
  invalid_signature: 'Signatures not match',
  invalid_ciphertext: 'Unable to decrypt the payload',
  invalid_json: 'The decrypted payload is not a JSON object',
};

export class EnvelopeError extends Error {
  override readonly name = 'EnvelopeError';
  readonly code: EnvelopeErrorCode;
  readonly auditReason: EnvelopeAuditReason | undefined;

  constructor(code: EnvelopeErrorCode, auditReason?: EnvelopeAuditReason) {
    super(ENVELOPE_MESSAGES[code]);
    this.code = code;
    this.auditReason = auditReason;
  }
}

/** What went wrong with a token; `code` is the §2.4 number the official libraries would use. */
export type TokenFailure =
  | 'not_a_string'
  | 'bad_format'
  | 'bad_header'
  | 'bad_signature'
  | 'signer_certificate'
  | 'empty_id'
  | 'undecryptable_payload'
  | 'wrong_type'
  | 'expired'
  | 'not_yet_valid';

const TOKEN_FAILURES: Record<TokenFailure, [ClientErrorCode, string]> = {
  // §2.4 messages where the libraries have one
  not_a_string: [101, 'invalid.token.type'],
  bad_format: [101, 'invalid.token.format'],
  bad_header: [101, 'Invalid access token signature'],
  bad_signature: [101, 'Invalid access token signature'],
  signer_certificate: [100, 'Invalid certificate chain validation of signer certificate'],
  empty_id: [107, 'Access token ID must not be null or empty.'],
  undecryptable_payload: [105, 'Unable to decrypt the payload in access token.'],
  wrong_type: [106, 'Invalid access token type.'],
  expired: [103, 'Access token is expired.'],
  not_yet_valid: [103, 'Access token is not valid yet.'],
};

export class TokenError extends Error {
  override readonly name = 'TokenError';
  readonly code: ClientErrorCode;
  readonly reason: TokenFailure;

  constructor(reason: TokenFailure, detail?: string) {
    const [code, message] = TOKEN_FAILURES[reason];
    super(detail ? `${message} (${detail})` : message);
    this.code = code;
    this.reason = reason;
  }
}

/** A certificate chain that does not verify (§4.3); code 100 as in the official libraries. */
export class ChainError extends Error {
  override readonly name = 'ChainError';
  readonly code = CLIENT_ERROR_CODES.INVALID_CERTIFICATE_CHAIN;
  /** Position in the chain (0 = leaf) of the certificate that failed, when there is one. */
  readonly index: number | undefined;

  constructor(detail: string, index?: number) {
    super(`Invalid certificate chain: ${detail}${index === undefined ? '' : ` (certificate ${index})`}`);
    this.index = index;
  }
}
