/**
 * OpenTelemetry traces, off by default (issue 15, item 4): with OTEL_EXPORTER_OTLP_ENDPOINT set,
 * every HTTP request is a server span (continuing the caller's W3C `traceparent`), every database
 * statement run while serving it a client span under it, and every background job a span of its
 * own; each span carries the request id (or job id) the log lines carry. Spans are sent in
 * batches to `<endpoint>/v1/traces` as OTLP/HTTP JSON, the protocol every OpenTelemetry collector
 * accepts; a collector that does not answer loses spans, never a request.
 *
 * Written against the OTLP specification rather than with the OpenTelemetry SDK: a few hundred
 * lines cover what the platform needs without a dependency tree in every process.
 */
import { randomBytes } from 'node:crypto';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../ports/clock';
import { workContext } from './context';

export interface SpanContext {
  traceId: string;
  spanId: string;
}

type Attribute = string | number | boolean;

/** OTLP span kinds. */
export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

export interface Span extends SpanContext {
  /** Ends the span with more attributes; `name` replaces the name it started with (e.g. the route). */
  end(attributes?: Record<string, Attribute>, options?: { error?: boolean; name?: string }): void;
}

interface Finished extends SpanContext {
  parentSpanId?: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, Attribute>;
  error: boolean;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The caller's span from a W3C `traceparent` header, or undefined. */
export function parseTraceparent(header: string | string[] | undefined): SpanContext | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const m = TRACEPARENT.exec(value?.trim().toLowerCase() ?? '');
  if (!m || /^0+$/.test(m[1] as string) || /^0+$/.test(m[2] as string)) return undefined;
  return { traceId: m[1] as string, spanId: m[2] as string };
}

const MAX_QUEUE = 4096;
const BATCH = 512;

export class Tracer {
  readonly enabled: boolean;
  #queue: Finished[] = [];
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<void> = Promise.resolve();
  #dropped = 0;
  /** Span times: the clock port's time when the tracer was made plus the monotonic clock since. */
  readonly #originNs: bigint;

  constructor(
    private readonly options: {
      endpoint: string | undefined;
      serviceName: string;
      role: string;
      logger: Logger;
      clock: Clock;
      flushEveryMs?: number;
    },
  ) {
    this.#originNs = BigInt(options.clock.now().getTime()) * 1_000_000n - process.hrtime.bigint();
    this.enabled = Boolean(options.endpoint);
    if (this.enabled) {
      this.#timer = setInterval(() => void this.flush(), options.flushEveryMs ?? 2000);
      this.#timer.unref();
    }
  }

  /**
   * A new span. Its parent: the given one; `null` starts a new trace; by default the current
   * request's or job's span (a new trace outside any).
   */
  start(
    name: string,
    kind: number,
    attributes: Record<string, Attribute> = {},
    parentSpan?: SpanContext | null,
  ): Span {
    const parent = parentSpan === undefined ? workContext.getStore()?.span : (parentSpan ?? undefined);
    const traceId = parent?.traceId ?? randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const startNs = this.#nowNs();
    return {
      traceId,
      spanId,
      end: (more = {}, options = {}) => {
        if (!this.enabled) return;
        this.#record({
          traceId,
          spanId,
          ...(parent ? { parentSpanId: parent.spanId } : {}),
          name: options.name ?? name,
          kind,
          startNs,
          endNs: this.#nowNs(),
          attributes: { ...attributes, ...more },
          error: options.error ?? false,
        });
      },
    };
  }

  #nowNs(): bigint {
    return this.#originNs + process.hrtime.bigint();
  }

  #record(span: Finished): void {
    if (this.#queue.length >= MAX_QUEUE) {
      this.#dropped++;
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= BATCH) void this.flush();
  }

  /** Sends what is queued (one request per batch); resolves when the sends are done. */
  flush(): Promise<void> {
    const spans = this.#queue.splice(0);
    if (spans.length === 0 || !this.options.endpoint) return this.#sending;
    const url = `${this.options.endpoint.replace(/\/+$/, '')}/v1/traces`;
    this.#sending = this.#sending.then(async () => {
      for (let i = 0; i < spans.length; i += BATCH) {
        const body = JSON.stringify(this.#otlp(spans.slice(i, i + BATCH)));
        const ok = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(5000),
        })
          .then((r) => r.ok)
          .catch(() => false);
        if (!ok) {
          this.#dropped += spans.length - i;
          this.options.logger.warn({ dropped: this.#dropped }, 'trace export failed: spans dropped');
          return;
        }
      }
    });
    return this.#sending;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.flush();
  }

  #otlp(spans: Finished[]) {
    const value = (v: Attribute) =>
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'boolean'
          ? { boolValue: v }
          : Number.isInteger(v)
            ? { intValue: String(v) }
            : { doubleValue: v };
    const attrs = (a: Record<string, Attribute>) =>
      Object.entries(a).map(([key, v]) => ({ key, value: value(v) }));
    return {
      resourceSpans: [
        {
          resource: {
            attributes: attrs({
              'service.name': this.options.serviceName,
              'camdigikey.role': this.options.role,
            }),
          },
          scopeSpans: [
            {
              scope: { name: 'camdigikey' },
              spans: spans.map((s) => ({
                traceId: s.traceId,
                spanId: s.spanId,
                ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
                name: s.name,
                kind: s.kind,
                startTimeUnixNano: String(s.startNs),
                endTimeUnixNano: String(s.endNs),
                attributes: attrs(s.attributes),
                status: { code: s.error ? 2 : 0 },
              })),
            },
          ],
        },
      ],
    };
  }
}

const OPERATIONS: Record<string, string> = {
  SelectQueryNode: 'SELECT',
  InsertQueryNode: 'INSERT',
  UpdateQueryNode: 'UPDATE',
  DeleteQueryNode: 'DELETE',
  MergeQueryNode: 'MERGE',
  RawNode: 'SQL',
};

/**
 * A client span per database statement run inside a request or a job (statements outside any,
 * e.g. start-up and clean-up timers, are not traced). The span names the operation, never the
 * statement's values. A statement that throws ends without a span (Kysely calls no plugin then).
 */
export function databaseTracing(tracer: Tracer): KyselyPlugin {
  const open = new WeakMap<object, Span>();
  return {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      const parent = workContext.getStore()?.span;
      if (parent) {
        const operation = OPERATIONS[args.node.kind] ?? 'SQL';
        open.set(
          args.queryId,
          tracer.start(
            operation,
            SPAN_KIND.client,
            { 'db.system': 'postgresql', 'db.operation': operation },
            parent,
          ),
        );
      }
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const span = open.get(args.queryId);
      if (span) {
        open.delete(args.queryId);
        span.end({ 'db.rows': args.result.rows.length });
      }
      return args.result;
    },
  };
}
