/**
 * Errors of the SDK, as the official libraries raise them (rp-protocol.md §2.3, §2.4): a reply
 * with a non-zero `error` becomes a {@link CamDigiKeyError} carrying that code; local token and
 * chain checks use the §2.4 codes 100–107.
 *
 * @example
 * ```ts
 * try {
 *   await client.getUserAccessToken(authToken);
 * } catch (error) {
 *   if (error instanceof CamDigiKeyError && error.errorCode === ERROR_CODES.DISABLED_ACCESS_TOKEN) {
 *     // the auth token was already used
 *   }
 * }
 * ```
 */
export const ERROR_CODES = {
  INVALID_CERTIFICATE_CHAIN: 100,
  INVALID_TOKEN_SIGNATURE: 101,
  INVALID_CLIENT_DOMAIN: 102,
  EXPIRED_ACCESS_TOKEN: 103,
  DISABLED_ACCESS_TOKEN: 104,
  DECRYPT_PAYLOAD_ERROR: 105,
  INVALID_ACCESS_TOKEN_TYPE: 106,
  ACCESS_TOKEN_ID_EMPTY: 107,
  /** The platform's own codes (ADR 0011). */
  INVALID_REQUEST: 110,
  STALE_REQUEST: 111,
  RETURN_URL_NOT_REGISTERED: 112,
  USER_NOT_FOUND: 113,
  NOT_PERMITTED: 114,
  CLIENT_SUSPENDED: 115,
  USER_NOT_ACTIVE: 116,
  /** Transport: the server refused the envelope (bad MAC, unknown client) or did not answer. */
  TRANSPORT: 1000,
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES] | number;

export class CamDigiKeyError extends Error {
  override readonly name = 'CamDigiKeyError';
  constructor(
    message: string,
    readonly errorCode: ErrorCode,
  ) {
    super(message);
  }
}
