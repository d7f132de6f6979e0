/**
 * PIN and password verifiers: Argon2id (≥ 19 MiB, t ≥ 2) over HMAC-SHA256(pepper, secret),
 * computed in a bounded pool of worker threads (architecture.md, decision 8). Hashing never runs
 * on the event loop.
 *
 * The server keeps two pools (deps.ts): citizens' PINs (login and signing approvals) on threads
 * sized to the cores, and officers' and administrators' passwords on a small pool of its own whose
 * threads run at the lowest CPU priority (nice 19), so that a flood of console sign-ins (e.g. with
 * unknown user names, which are hashed too so that the answer does not reveal who exists) cannot
 * slow citizens' approvals: the kernel gives those threads CPU only when the PIN threads leave some.
 * The PIN threads themselves run a little below the event loop (nice 2): when hashing fills every
 * core, the kernel still gives the event loop (JWKS, discovery, the login pages' event streams,
 * the other steps of the same logins) the CPU it asks for first; the hashing takes the rest, and
 * no core idles while there is hashing to do.
 *
 * Each pool has its own bounded queue, kept here in front of the threads (never inside piscina):
 *  - when it is full, a task is refused at once with 503 `service_unavailable` and a Retry-After
 *    estimated from the queue and the measured hashing time, instead of waiting for seconds;
 *  - a queued task whose client has gone (the HTTP connection closed while it waited) is dropped
 *    before it reaches a thread: nobody would read the answer (observability/context.ts).
 *
 * The pepper is a key from configuration (a KMS/HSM in production), so a stolen database alone
 * does not allow an offline search of the 10^6 PINs.
 */
import { createHmac } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { AppError } from '../errors';
import { currentClientGone } from '../observability/context';

export interface PinHasherOptions {
  pepper: Uint8Array;
  memoryKib: number;
  timeCost: number;
  threads?: number | undefined;
  /** Tasks that may wait for a thread; beyond that a task is refused (503). */
  maxQueue?: number | undefined;
  /** The threads' nice value (Unix; per thread on Linux): PIN_THREAD_NICE, LOW_PRIORITY_NICE. */
  nice?: number | undefined;
  /** Name of the pool in its statistics and metrics. */
  name?: string;
}

export interface HashTaskOptions {
  /** True when the client of the request has gone (default: read from the request context). */
  clientGone?: (() => boolean) | undefined;
}

interface Pending {
  task: Record<string, unknown>;
  clientGone: (() => boolean) | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Tasks a thread holds at once: the one it runs and the next one. */
const TASKS_PER_THREAD = 2;

/** The lowest CPU priority of a thread on Unix (os.setPriority in the worker, per thread on Linux). */
export const LOW_PRIORITY_NICE = 19;
/**
 * The PIN threads' priority: a little below the event loop's (nice 0). Weight 655 against 1024 in
 * Linux's scheduler, so a busy event loop wins a contended core about three times in five, and 44
 * times the password threads' weight (15), which keeps a flood of console sign-ins off the PIN
 * threads. Measured on 2 cores (issue 18): JWKS p99 with the PIN pool saturated 2.6× idle at nice
 * 0, 1.8× at 2 and 5; a password flood left the PIN verify rate at 0.95× (nice 0), 0.94× (2) and
 * 0.72× (5) of its control (`npm run bench:flood`, goal ≥ 0.8×).
 */
export const PIN_THREAD_NICE = 2;

export class PinHasher {
  private readonly pool: Piscina;
  private readonly maxThreads: number;
  private readonly maxQueue: number;
  /** Tasks handed to the threads at once (running or next in line on a thread). */
  private readonly slots: number;
  private readonly queue: Pending[] = [];
  private running = 0;
  /** Moving average of one task's duration (ms), for Retry-After. */
  private averageMs = 50;
  private counters = { completed: 0, refused: 0, abandoned: 0 };

  constructor(private readonly options: PinHasherOptions) {
    if (options.memoryKib < 19_456 || options.timeCost < 2)
      throw new Error('Argon2id parameters below the minimum');
    this.maxThreads = options.threads ?? availableParallelism();
    this.maxQueue = options.maxQueue ?? 128;
    this.slots = this.maxThreads * TASKS_PER_THREAD;
    this.pool = new Piscina({
      filename: new URL('./argon2-worker.mjs', import.meta.url).href,
      minThreads: 1,
      maxThreads: this.maxThreads,
      // Each thread holds its next task already: it starts it as soon as the current one ends,
      // even while the event loop is busy (a flood of requests), instead of idling until the main
      // thread hands it one. Nothing else queues inside piscina: our queue (above) is bounded and
      // drops abandoned work.
      concurrentTasksPerWorker: TASKS_PER_THREAD,
      maxQueue: this.slots,
      idleTimeout: 60_000,
    });
  }

  get name(): string {
    return this.options.name ?? 'pin';
  }

  get threads(): number {
    return this.maxThreads;
  }

  /** The pool right now: its saturation is a metric (a full queue answers 503). */
  stats() {
    return {
      threads: this.pool.threads.length,
      maxThreads: this.maxThreads,
      slots: this.slots,
      running: this.running,
      queued: this.queue.length,
      maxQueue: this.maxQueue,
      utilization: this.pool.utilization,
      ...this.counters,
    };
  }

  private peppered(secret: string): string {
    return createHmac('sha256', this.options.pepper).update(secret, 'utf8').digest('hex');
  }

  async hash(secret: string, options: HashTaskOptions = {}): Promise<string> {
    return this.run<string>(
      {
        op: 'hash',
        input: this.peppered(secret),
        memoryKib: this.options.memoryKib,
        timeCost: this.options.timeCost,
      },
      options,
    );
  }

  async verify(verifier: string, secret: string, options: HashTaskOptions = {}): Promise<boolean> {
    return this.run<boolean>({ op: 'verify', input: this.peppered(secret), verifier }, options);
  }

  async close(): Promise<void> {
    for (const pending of this.queue.splice(0)) pending.reject(new AppError('service_unavailable'));
    await this.pool.destroy();
  }

  /**
   * Refuses (503 with Retry-After) when a task given now would be refused: lets a request that
   * would end in hashing skip its other work (database look-ups) when the pool is full.
   */
  ensureCapacity(): void {
    if (this.running >= this.slots && this.queue.length >= this.maxQueue) {
      this.counters.refused++;
      throw this.fullError();
    }
  }

  private fullError(): AppError {
    return new AppError('service_unavailable', { details: { retryAfterSeconds: this.retryAfterSeconds() } });
  }

  /** Seconds until the queue as it stands now would have drained (≥ 1). */
  retryAfterSeconds(): number {
    const backlog = this.running + this.queue.length;
    return Math.max(1, Math.ceil((backlog * this.averageMs) / this.maxThreads / 1000));
  }

  private run<T>(task: Record<string, unknown>, options: HashTaskOptions): Promise<T> {
    const clientGone = options.clientGone ?? currentClientGone();
    if (this.options.nice) task.nice = this.options.nice;
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = { task, clientGone, resolve: resolve as (v: unknown) => void, reject };
      if (clientGone?.()) {
        this.counters.abandoned++;
        reject(clientGoneError());
      } else if (this.running < this.slots) {
        this.start(pending);
      } else if (this.queue.length >= this.maxQueue) {
        this.counters.refused++;
        reject(this.fullError());
      } else {
        this.queue.push(pending);
      }
    });
  }

  private start(pending: Pending): void {
    this.running++;
    const started = performance.now();
    this.pool.run(pending.task).then(
      (value) => {
        this.averageMs = this.averageMs * 0.9 + (performance.now() - started) * 0.1;
        this.counters.completed++;
        this.finish();
        pending.resolve(value);
      },
      (error: unknown) => {
        this.finish();
        pending.reject(error);
      },
    );
  }

  private finish(): void {
    this.running--;
    while (this.running < this.slots && this.queue.length > 0) {
      const next = this.queue.shift() as Pending;
      if (next.clientGone?.()) {
        this.counters.abandoned++;
        next.reject(clientGoneError());
        continue;
      }
      this.start(next);
    }
  }
}

/** The client left before its secret was hashed: the answer goes nowhere (503, logged at info). */
const clientGoneError = () => new AppError('service_unavailable', { details: { reason: 'client_gone' } });
