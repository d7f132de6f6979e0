/**
 * Errors of the device API as the app handles them: the server's `{error: {code, messageId,
 * message: {km, en}, fields?, details?}}` (packages/contracts/src/errors.ts), or `network_error`
 * when the phone could not reach the server at all. Screens branch on `code`, never on text.
 */
export interface FieldProblem {
  field: string;
  code: string;
  messageId: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageId: string,
    readonly text: { km: string; en: string } | undefined,
    readonly fields: FieldProblem[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(code);
    this.name = 'ApiError';
  }

  get offline(): boolean {
    return this.code === 'network_error';
  }
}

export const networkError = () => new ApiError(0, 'network_error', 'app.network_error', undefined);

export const isApiError = (value: unknown): value is ApiError => value instanceof ApiError;

/** The error code of anything thrown (unknown failures count as internal errors). */
export const codeOf = (error: unknown): string => (isApiError(error) ? error.code : 'internal_error');

export function apiErrorFrom(status: number, json: unknown): ApiError {
  const error = (json as { error?: Record<string, unknown> } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : status >= 500 ? 'internal_error' : 'not_found';
  const messageId = typeof error?.messageId === 'string' ? error.messageId : `error.${code}`;
  const message = error?.message as { km?: unknown; en?: unknown } | undefined;
  const text =
    typeof message?.km === 'string' && typeof message.en === 'string'
      ? { km: message.km, en: message.en }
      : undefined;
  const fields = Array.isArray(error?.fields) ? (error.fields as FieldProblem[]) : [];
  const details =
    error?.details && typeof error.details === 'object' ? (error.details as Record<string, unknown>) : {};
  return new ApiError(status, code, messageId, text, fields, details);
}
