/**
 * A small result type for the pure domain rules of packages/core.
 *
 * Domain checks never throw for bad input: they answer `ok(value)` or `err(code, detail)`,
 * where `code` is a stable snake_case error code that is also the suffix of a message id
 * (`error.<code>` in packages/messages). The server maps a failed result to its error family.
 */
export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<C extends string> = {
  readonly ok: false;
  readonly code: C;
  /** Extra, non-secret facts for the caller (for example which check digit failed). */
  readonly detail?: Readonly<Record<string, unknown>>;
};
export type Result<T, C extends string> = Ok<T> | Err<C>;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = <C extends string>(code: C, detail?: Record<string, unknown>): Err<C> =>
  detail === undefined ? { ok: false, code } : { ok: false, code, detail };
