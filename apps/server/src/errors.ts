/**
 * The one error family of the server (house-style rule 7). Code throws `AppError`; the HTTP
 * error handler turns it into `{ error: { code, messageId, message: {km, en}, … } }` with the
 * code's status. Anything else that escapes becomes `internal_error` without detail.
 */
import { ERROR_STATUS, type ErrorCode, errorMessageId, type FieldIssue } from '@camdigikey/contracts/errors';
import type { MessageParams } from '@camdigikey/messages';

export interface AppErrorOptions {
  /** Non-secret facts the client may use (e.g. retryAfterSeconds). Also fill message placeholders. */
  details?: Record<string, string | number | boolean | string[]>;
  fields?: FieldIssue[];
  /** Override of the code's default status (rarely needed). */
  status?: number;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly messageId: string;
  readonly details: AppErrorOptions['details'];
  readonly fields: FieldIssue[] | undefined;

  constructor(
    readonly code: ErrorCode,
    options: AppErrorOptions = {},
  ) {
    super(code, { cause: options.cause });
    this.name = 'AppError';
    this.status = options.status ?? ERROR_STATUS[code];
    this.messageId = errorMessageId(code);
    this.details = options.details;
    this.fields = options.fields;
  }

  /** Values for the `{placeholders}` of the message. */
  get params(): MessageParams {
    const params: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(this.details ?? {})) {
      if (typeof v === 'string' || typeof v === 'number') params[k] = v;
    }
    return params;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** A field-level issue with the message id of its code. */
export const fieldIssue = (field: string, code: ErrorCode): FieldIssue => ({
  field,
  code,
  messageId: errorMessageId(code),
});
