/**
 * The process's Prometheus metrics (prom-client), one registry per Deps (tests build several
 * servers in one process). Three kinds:
 *
 *  - counted where they happen, in every role: HTTP requests per route (rate, errors, latency),
 *    the login funnel, job durations;
 *  - sampled at scrape time from this process: the PIN hashing pool, the database pool, the
 *    database and Redis round trip, Node's own (event loop lag, heap, GC);
 *  - read from the database by the processes that run the worker role (sql-collectors.ts), so
 *    that N web instances do not each run the same counting queries: registrations by state,
 *    the job queue (depth, oldest age), the review SLA (at risk, breached), certificate expiry.
 *
 * Names follow Prometheus conventions (`cdk_` prefix, base units, `_total` counters).
 */
import { createRequire } from 'node:module';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { mrzReaderStarted } from '../proofing/document-ocr';
import { faceEngineLoaded as faceModelsLoaded } from '../proofing/face';

export type LoginChannel = 'qr' | 'app';
export type LoginEvent = 'requested' | 'scanned' | 'approved' | 'rejected' | 'expired' | 'completed';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export interface PinPoolStats {
  threads: number;
  maxThreads: number;
  queued: number;
  maxQueue: number;
  utilization: number;
  /** Totals since start: tasks done, refused (queue full: 503), dropped (client gone). */
  completed?: number;
  refused?: number;
  abandoned?: number;
}

export interface MetricsSources {
  role: string;
  dbPool?: (() => PoolStats | undefined) | undefined;
  pinPool?: (() => PinPoolStats) | undefined;
  /** The officers' and administrators' password pool (same measures as the PIN pool). */
  passwordPool?: (() => PinPoolStats) | undefined;
  pingDb?: (() => Promise<void>) | undefined;
  pingHot?: (() => Promise<void>) | undefined;
}

/**
 * The face engine (human + tfjs, ~230 MB): loaded by the face pool's threads (face.ts), or on this
 * thread through require (its module is then cached), which the server itself never does.
 */
const faceEngineLoaded = () =>
  faceModelsLoaded() ||
  Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('@vladmandic/human'));

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Histogram<'method' | 'route' | 'status'>;
  readonly loginEvents: Counter<'channel' | 'event'>;
  readonly jobDuration: Histogram<'kind' | 'outcome'>;
  #streams: () => number = () => 0;

  constructor(sources: MetricsSources) {
    const registry = this.registry;
    registry.setDefaultLabels({ role: sources.role });
    collectDefaultMetrics({ register: registry, prefix: 'cdk_' });

    this.httpRequests = new Histogram({
      name: 'cdk_http_request_duration_seconds',
      help: 'HTTP requests by route template, method and status code: rate (count), errors (status), latency.',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.loginEvents = new Counter({
      name: 'cdk_login_events_total',
      help: 'The login funnel: cross-device (qr) and app-to-app (app) logins requested, scanned, approved, rejected, expired, completed.',
      labelNames: ['channel', 'event'],
      registers: [registry],
    });
    this.jobDuration = new Histogram({
      name: 'cdk_job_duration_seconds',
      help: 'Background jobs (e.g. registration.evidence) by kind and outcome (done, failed).',
      labelNames: ['kind', 'outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80, 160],
      registers: [registry],
    });
    const streams = () => this.#streams();
    new Gauge({
      name: 'cdk_event_streams_open',
      help: 'Server-sent event streams held open by this instance (login pages, status, approvals).',
      registers: [registry],
      collect() {
        this.set(streams());
      },
    });

    new Gauge({
      name: 'cdk_engine_loaded',
      help: 'Whether this process has loaded the face engine and the MRZ reader (1): only processes that run evidence jobs, checked a selfie at upload or served an Open KYC call, should.',
      labelNames: ['engine'],
      registers: [registry],
      collect() {
        this.set({ engine: 'face' }, faceEngineLoaded() ? 1 : 0);
        this.set({ engine: 'mrz' }, mrzReaderStarted() ? 1 : 0);
      },
    });

    if (sources.dbPool) {
      const read = sources.dbPool;
      new Gauge({
        name: 'cdk_db_pool_connections',
        help: 'PostgreSQL pool of this process: connections by state (total, idle, waiting requests, max).',
        labelNames: ['state'],
        registers: [registry],
        collect() {
          const s = read();
          if (!s) return;
          this.set({ state: 'total' }, s.total);
          this.set({ state: 'idle' }, s.idle);
          this.set({ state: 'waiting' }, s.waiting);
          this.set({ state: 'max' }, s.max);
        },
      });
    }
    const pools: [string, string, (() => PinPoolStats) | undefined][] = [
      ['cdk_pin_pool', "Citizens' PIN hashing pool", sources.pinPool],
      [
        'cdk_password_pool',
        "Officers' and administrators' password hashing pool (lowest CPU priority)",
        sources.passwordPool,
      ],
    ];
    for (const [name, what, read] of pools) {
      if (!read) continue;
      new Gauge({
        name,
        help: `${what} (Argon2id worker threads): threads, max_threads, queued, max_queue, utilization (0-1), and totals completed, refused (queue full: 503), abandoned (client gone before hashing).`,
        labelNames: ['measure'],
        registers: [registry],
        collect() {
          const s = read();
          this.set({ measure: 'threads' }, s.threads);
          this.set({ measure: 'max_threads' }, s.maxThreads);
          this.set({ measure: 'queued' }, s.queued);
          this.set({ measure: 'max_queue' }, s.maxQueue);
          this.set({ measure: 'utilization' }, s.utilization);
          if (s.completed !== undefined) this.set({ measure: 'completed' }, s.completed);
          if (s.refused !== undefined) this.set({ measure: 'refused' }, s.refused);
          if (s.abandoned !== undefined) this.set({ measure: 'abandoned' }, s.abandoned);
        },
      });
    }
    const probes: [string, (() => Promise<void>) | undefined][] = [
      ['database', sources.pingDb],
      ['redis', sources.pingHot],
    ];
    new Gauge({
      name: 'cdk_dependency_ping_seconds',
      help: 'Round trip of a trivial command to the database and the hot state, measured at scrape time (-1 = no answer within 2 s).',
      labelNames: ['dependency'],
      registers: [registry],
      async collect() {
        await Promise.all(
          probes.map(async ([dependency, ping]) => {
            if (!ping) return;
            const started = process.hrtime.bigint();
            const ok = await Promise.race([
              ping().then(
                () => true,
                () => false,
              ),
              new Promise<boolean>((resolve) => setTimeout(resolve, 2000, false).unref()),
            ]);
            this.set({ dependency }, ok ? Number(process.hrtime.bigint() - started) / 1e9 : -1);
          }),
        );
      },
    });
  }

  /** The web app tells how many event streams it holds. */
  countStreams(read: () => number): void {
    this.#streams = read;
  }

  login(channel: LoginChannel, event: LoginEvent, count = 1): void {
    this.loginEvents.inc({ channel, event }, count);
  }

  /** Times a job; the outcome label says whether it threw. */
  async timeJob<T>(kind: string, run: () => Promise<T>): Promise<T> {
    const end = this.jobDuration.startTimer({ kind });
    try {
      const result = await run();
      end({ outcome: 'done' });
      return result;
    } catch (error) {
      end({ outcome: 'failed' });
      throw error;
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
