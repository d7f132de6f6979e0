import { CLIENT_ERROR_CODES, SERVER_ERROR_CODES } from '@camdigikey/rp-protocol';

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
  ...CLIENT_ERROR_CODES,
  ...SERVER_ERROR_CODES,
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
