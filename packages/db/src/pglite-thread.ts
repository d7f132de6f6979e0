/**
 * The embedded PGlite database, run on a worker thread of its own (pglite-worker.mjs).
 *
 * PGlite is PostgreSQL compiled to WebAssembly: every statement runs synchronously on the thread
 * that calls it. In the server's process that thread was the event loop, which a login's dozens of
 * statements stalled for every other request (issue 18: 107–258 ms per second under /oidc/auth
 * load). On a thread of its own the database works while the event loop serves requests, and on a
 * machine with more than one core the two run at once.
 *
 * This side sends each request as a message and matches the answer by id. Values cross by
 * structured clone, which keeps Date (TIMESTAMPTZ) and Uint8Array (BYTEA) as they are (a Buffer
 * parameter arrives as a Uint8Array, which PGlite writes the same way). A PostgreSQL error arrives
 * as plain data and is rebuilt here with its fields (code = SQLSTATE, detail, constraint, …), so
 * application code that tests `error.code === '23505'` behaves as with node-postgres.
 *
 * If the thread dies (an abort inside the engine, out of memory, terminated), every pending request
 * and every later one is rejected with a `PgliteThreadError`: a caller never waits forever.
 */
import { Worker } from 'node:worker_threads';

/** The fields of a PostgreSQL error report carried across the thread boundary. */
export interface PgliteErrorFields {
  severity?: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
  internalPosition?: string;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  file?: string;
  line?: string;
  routine?: string;
}

interface PlainError extends PgliteErrorFields {
  name: string;
  message: string;
  stack?: string;
}

/** The PostgreSQL fields of a failed statement, as reported (declared once, in PgliteErrorFields). */
export interface PgliteQueryError extends PgliteErrorFields {}

/** A statement failed inside the embedded database; the PostgreSQL fields are set as reported. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the fields are declared by the interface above.
export class PgliteQueryError extends Error {
  /** The stack inside the database thread, for diagnosis. */
  threadStack?: string;

  constructor(plain: PlainError) {
    super(plain.message);
    const { name: _name, message: _message, stack, ...fields } = plain;
    Object.assign(this, fields);
    this.name = plain.name === 'error' ? 'DatabaseError' : plain.name;
    if (stack) this.threadStack = stack;
  }
}

/** The database thread stopped or is closed: nothing sent to it can be answered. */
export class PgliteThreadError extends Error {
  override name = 'PgliteThreadError';
}

export interface PgliteQueryResult {
  rows: unknown[];
  affectedRows?: number;
}

export interface PgliteThreadOptions {
  /** PGlite data folder; `memory://` or undefined keeps it in memory. */
  dataDir?: string | undefined;
  /** A PGlite dump (from `dumpDataDir`) to start from. */
  loadDataDir?: Blob | undefined;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** The engine's compiled WebAssembly, shared by every thread of the process (pglite-worker.mjs). */
interface CompiledEngine {
  pgliteWasmModule: unknown; // WebAssembly.Module (no DOM types in this build)
  initdbWasmModule: unknown;
}
let compiledEngine: CompiledEngine | undefined;

type Answer =
  | { ready: true; engine: CompiledEngine }
  | { ready: false; error: PlainError }
  | { id: number; result?: unknown; error?: PlainError };

export class PgliteThread {
  /** The worker thread (for diagnosis and tests: terminating it is how a crash looks). */
  readonly worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #stopped: PgliteThreadError | undefined;
  #closing: Promise<void> | undefined;

  private constructor(worker: Worker) {
    this.worker = worker;
  }

  /** Starts the thread and opens the database in it; rejects when PGlite cannot start. */
  static async start(options: PgliteThreadOptions): Promise<PgliteThread> {
    const dump = options.loadDataDir ? await options.loadDataDir.arrayBuffer() : undefined;
    const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
      workerData: { dataDir: options.dataDir, loadDataDir: dump, engine: compiledEngine },
      transferList: dump ? [dump] : [],
      // Plain JavaScript: none of the parent's loaders or flags (tsx, --cpu-prof) are needed.
      execArgv: [],
    });
    const thread = new PgliteThread(worker);
    const opened = new Promise<void>((resolve, reject) => {
      const onExit = (code: number) =>
        reject(new PgliteThreadError(`the PGlite thread exited (code ${code}) before the database opened`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (answer: Answer) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if ('ready' in answer && answer.ready) {
          compiledEngine ??= answer.engine;
          resolve();
        } else if ('ready' in answer) reject(new PgliteQueryError(answer.error));
        else reject(new PgliteThreadError('the PGlite thread answered before it was ready'));
      });
    });
    try {
      await opened;
    } catch (error) {
      // Whatever the engine left behind, the thread must not outlive a failed open.
      await worker.terminate();
      throw error;
    }
    worker.on('message', (answer: Answer) => thread.#answer(answer));
    worker.on('error', (error) => thread.#stop(`the PGlite thread failed: ${error.message}`));
    worker.on('exit', (code) => thread.#stop(`the PGlite thread exited (code ${code})`));
    // An idle database keeps no process alive (as PGlite in the main thread did not); a pending
    // request does (see #send), so a command-line tool awaiting an answer is not cut short.
    worker.unref();
    return thread;
  }

  query(text: string, params: readonly unknown[] = []): Promise<PgliteQueryResult> {
    return this.#send({ op: 'query', text, params }) as Promise<PgliteQueryResult>;
  }

  async ping(): Promise<void> {
    await this.#send({ op: 'ping' });
  }

  /** A tarball of the data folder (uncompressed), e.g. to clone a migrated template quickly. */
  async dump(): Promise<Blob> {
    return new Blob([(await this.#send({ op: 'dump' })) as ArrayBuffer]);
  }

  /** Closes the database (a clean shutdown of the data folder) and ends the thread. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#stopped) return;
      try {
        await this.#send({ op: 'close' });
      } finally {
        this.#stop('the PGlite database is closed');
        await this.worker.terminate();
      }
    })();
    return this.#closing;
  }

  #send(request: Record<string, unknown>): Promise<unknown> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.worker.ref();
      try {
        this.worker.postMessage({ id, ...request });
      } catch (error) {
        // A parameter structured clone cannot carry (a function, a class with private state).
        this.#settle(id);
        reject(error as Error);
      }
    });
  }

  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.worker.unref();
    return pending;
  }

  #answer(answer: Answer): void {
    if (!('id' in answer)) return;
    const pending = this.#settle(answer.id);
    if (!pending) return;
    if (answer.error) pending.reject(new PgliteQueryError(answer.error));
    else pending.resolve(answer.result);
  }

  #stop(reason: string): void {
    if (this.#stopped) return;
    this.#stopped = new PgliteThreadError(reason);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.worker.unref();
    for (const p of pending) p.reject(this.#stopped);
  }
}
