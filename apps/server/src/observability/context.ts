/**
 * The request (or job) a piece of work belongs to, carried across awaits by AsyncLocalStorage,
 * so that every log line written while serving it names it (logging.ts mixes it in) even when the
 * code logs through the process logger rather than `request.log`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SpanContext } from './tracing';

export interface WorkContext {
  requestId?: string;
  jobId?: string;
  /** For a request: true once its client has gone (the connection closed before the answer). */
  clientGone?: () => boolean;
  /** The request's or job's trace span, when tracing is on (tracing.ts). */
  span?: SpanContext;
  /**
   * oidc-provider payloads this request has read or written (oidc/pg-adapter.ts): the provider
   * reads the same interaction or session several times while serving one request.
   */
  oidcPayloads?: Map<string, unknown>;
}

export const workContext = new AsyncLocalStorage<WorkContext>();

/** Fields for a log line: the current request id or job id, if any, and its trace id when traced. */
export function currentWorkFields(): { requestId?: string; jobId?: string; traceId?: string } {
  const store = workContext.getStore();
  if (!store) return {};
  const trace = store.span ? { traceId: store.span.traceId } : {};
  return store.jobId ? { jobId: store.jobId, ...trace } : { requestId: store.requestId as string, ...trace };
}

/** The current request's "has the client gone?" test (undefined outside a request). */
export const currentClientGone = (): (() => boolean) | undefined => workContext.getStore()?.clientGone;

/**
 * Whether the client of a response has gone: the connection closed (or the response was
 * destroyed) before the answer was written. Expensive work for such a request can be skipped.
 */
export function responseAbandoned(response: {
  writableEnded: boolean;
  destroyed: boolean;
  socket: { destroyed: boolean } | null;
}): boolean {
  if (response.writableEnded) return false;
  return response.destroyed || response.socket?.destroyed === true;
}
