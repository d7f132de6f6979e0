/**
 * The process's face engine, off the event loop (issue 18, item 3): detection, face match, selfie
 * quality and liveness run in a small pool of worker threads (piscina, face-worker.mjs) at a lower
 * CPU priority (FACE_THREAD_NICE), never on the thread that serves requests. A face match costs up to ~0.3 s of CPU at a time and a liveness
 * recording seconds: on the main thread every other request of the instance waited that long.
 *
 * - One thread per process by default (FACE_ENGINE_THREADS): each thread loads its own models
 *   (~230 MB), on its first task only, so a web process that never sees a face loads nothing.
 * - A bounded queue in front of the threads (FACE_ENGINE_MAX_QUEUE): when it is full a task is
 *   refused at once with 503 `service_unavailable` (reason `overloaded`, Retry-After estimated from
 *   the queue and the measured task time) instead of waiting behind minutes of work. A request's
 *   task goes before an evidence job's (the citizen waits on the phone; the job is retried), and a
 *   queued task whose client has gone is dropped before it reaches a thread.
 * - Images are moved to the thread, not serialised: a caller that hands its frames over
 *   (`handOver`) gives their memory away; otherwise each image is copied once into memory of its
 *   own that is moved. An unreadable image is the engine's ImageDecodeError, as before.
 * - Thresholds, `compare` and `embeddingSize` are the main thread's engine's (sharedFaceEngine,
 *   which never loads models here): the first server built in a process sets the thresholds, and a
 *   second configuration asking for different ones is refused rather than silently judged with
 *   the first one's numbers.
 * - The pool ends when the last server of the process closes (deps.close), and starts again on
 *   the next use.
 */
import {
  type DetectResult,
  type FaceAnalysis,
  type FaceEngine,
  ImageDecodeError,
  type LivenessChallenge,
  type LivenessFrame,
  type LivenessResult,
  type MatchResult,
  type Provenance,
  type QualityAssessment,
  type RecordingJudgement,
  sharedFaceEngine,
  type Thresholds,
} from '@camdigikey/face-engine';
import { Piscina } from 'piscina';
import { AppError } from '../errors';
import { workContext } from '../observability/context';
import type { FaceAnswer, FaceTask, FaceWorkerData } from './face-task';

export interface FacePoolOptions {
  /** Worker threads, each with its own models (default 1). */
  threads?: number | undefined;
  /** Tasks that may wait for a thread; beyond that a task is refused with 503 (default 16). */
  maxQueue?: number | undefined;
}

export interface HandOverOption {
  /**
   * The frames' images are the caller's to give away: they are moved to the worker thread without
   * a copy and are empty (detached) afterwards. Only for buffers nobody reads again.
   */
  handOver?: boolean;
}

interface Pending {
  task: FaceTask;
  transfer: ArrayBuffer[];
  clientGone: (() => boolean) | undefined;
  resolve(answer: FaceAnswer): void;
  reject(error: unknown): void;
}

const DEFAULT_THREADS = 1;
/**
 * The face threads' CPU priority (nice): below the event loop and the PIN hashing threads, so that
 * on busy cores requests are served first and the face analyses take the CPU that is left (a full
 * face queue then refuses with 503). On idle cores it changes nothing.
 */
export const FACE_THREAD_NICE = 10;
const DEFAULT_MAX_QUEUE = 16;

/** The server's face engine: the engine's interface, with the heavy work in the face pool. */
export class OffThreadFaceEngine {
  readonly #local: FaceEngine;
  readonly #threads: number;
  readonly #maxQueue: number;
  #pool: Piscina | undefined;
  #running = 0;
  /** Waiting tasks of requests (served first) and of background jobs. */
  readonly #interactive: Pending[] = [];
  readonly #background: Pending[] = [];
  #provenance: Provenance | undefined;
  #loaded = false;
  /** Moving average of one task's duration (ms), for Retry-After. */
  #averageMs = 500;
  #counters = { completed: 0, refused: 0, abandoned: 0 };

  constructor(local: FaceEngine, options: FacePoolOptions = {}) {
    this.#local = local;
    this.#threads = Math.max(1, options.threads ?? DEFAULT_THREADS);
    this.#maxQueue = Math.max(0, options.maxQueue ?? DEFAULT_MAX_QUEUE);
  }

  get thresholds(): Readonly<Thresholds> {
    return this.#local.thresholds;
  }

  /** Length of this engine's embeddings; a stored embedding of another length came from another model. */
  get embeddingSize(): number {
    return this.#local.embeddingSize;
  }

  /** Cosine similarity of two descriptors (FaceEngine.compare: cheap, computed here). */
  compare(a: readonly number[], b: readonly number[]): number {
    return this.#local.compare(a, b);
  }

  /** Loads the models in a worker thread (once per thread); afterwards provenance() answers. */
  async init(): Promise<void> {
    await this.#call({ op: 'init' }, []);
  }

  /** Engine, models and thresholds behind the results. Requires init() or any earlier result. */
  provenance(): Provenance {
    if (!this.#provenance) throw new Error('OffThreadFaceEngine.provenance(): call init() first');
    return this.#provenance;
  }

  /** True once a worker thread of this process has loaded the models. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** The pool right now (statistics, tests). */
  stats() {
    return {
      threads: this.#pool?.threads.length ?? 0,
      maxThreads: this.#threads,
      running: this.#running,
      queued: this.#interactive.length + this.#background.length,
      maxQueue: this.#maxQueue,
      ...this.#counters,
    };
  }

  detect(image: Buffer): Promise<DetectResult> {
    const [moved, transfer] = movable([image], false);
    return this.#call({ op: 'detect', image: moved[0]! }, transfer) as Promise<DetectResult>;
  }

  assessSelfie(image: Buffer): Promise<QualityAssessment> {
    const [moved, transfer] = movable([image], false);
    return this.#call({ op: 'assessSelfie', image: moved[0]! }, transfer) as Promise<QualityAssessment>;
  }

  /**
   * FaceEngine.matchFaces, in the pool. `selfie` may be its analysis (`detect`'s faces and image):
   * then only the reference is analysed.
   */
  matchFaces(selfie: Buffer | FaceAnalysis, reference: Buffer): Promise<MatchResult> {
    if (!Buffer.isBuffer(selfie)) {
      const [moved, transfer] = movable([reference], false);
      return this.#call(
        { op: 'matchFaces', selfie: analysisOf(selfie), reference: moved[0]! },
        transfer,
      ) as Promise<MatchResult>;
    }
    const [moved, transfer] = movable([selfie, reference], false);
    return this.#call(
      { op: 'matchFaces', selfie: moved[0]!, reference: moved[1]! },
      transfer,
    ) as Promise<MatchResult>;
  }

  /** FaceEngine.judgeLiveness, in the pool. */
  judgeLiveness(
    frames: LivenessFrame[],
    challenge: LivenessChallenge,
    options: { receivedAt?: Date } & HandOverOption = {},
  ): Promise<LivenessResult> {
    const [images, transfer] = movable(
      frames.map((f) => f.image),
      options.handOver === true,
    );
    return this.#call(
      {
        op: 'judgeLiveness',
        frames: frames.map((f, i) => ({ t: f.t, image: images[i]! })),
        challenge,
        receivedAt: options.receivedAt,
      },
      transfer,
    ) as Promise<LivenessResult>;
  }

  /**
   * face-engine's judgeRecording (liveness, selfie binding, replay signatures, PAD), in the pool.
   * `selfieAnalysis`: the selfie's analysis the caller already has (`detect`), so the binding does
   * not analyse the selfie again.
   */
  judgeRecording(
    frames: LivenessFrame[],
    challenge: LivenessChallenge,
    options: { receivedAt?: Date; selfie?: Buffer; selfieAnalysis?: FaceAnalysis } & HandOverOption = {},
  ): Promise<RecordingJudgement> {
    const [images, transfer] = movable(
      frames.map((f) => f.image),
      options.handOver === true,
    );
    const [selfie, selfieTransfer] = options.selfie ? movable([options.selfie], false) : [[], []];
    return this.#call(
      {
        op: 'judgeRecording',
        frames: frames.map((f, i) => ({ t: f.t, image: images[i]! })),
        challenge,
        receivedAt: options.receivedAt,
        selfie: selfie[0],
        selfieAnalysis: options.selfieAnalysis && analysisOf(options.selfieAnalysis),
      },
      [...transfer, ...selfieTransfer],
    ) as Promise<RecordingJudgement>;
  }

  /** Ends the worker threads; tasks still waiting are refused (503). The next task starts them again. */
  async close(): Promise<void> {
    const waiting = [...this.#interactive.splice(0), ...this.#background.splice(0)];
    for (const pending of waiting) pending.reject(new AppError('service_unavailable'));
    const pool = this.#pool;
    this.#pool = undefined;
    this.#loaded = false;
    await pool?.destroy();
  }

  /** Seconds until the queue as it stands now would have drained (≥ 1). */
  retryAfterSeconds(): number {
    const backlog = this.#running + this.#interactive.length + this.#background.length;
    return Math.max(1, Math.ceil((backlog * this.#averageMs) / this.#threads / 1000));
  }

  #poolNow(): Piscina {
    this.#pool ??= new Piscina({
      filename: new URL('./face-worker.mjs', import.meta.url).href,
      // Started on first use; a started thread keeps its models for the life of the pool.
      minThreads: this.#threads,
      maxThreads: this.#threads,
      // Our queue (above) is the bounded one: piscina only ever holds what the threads run.
      maxQueue: this.#threads,
      workerData: {
        thresholds: { ...this.#local.thresholds },
        nice: FACE_THREAD_NICE,
      } satisfies FaceWorkerData,
    });
    return this.#pool;
  }

  async #call(task: FaceTask, transfer: ArrayBuffer[]): Promise<unknown> {
    const store = workContext.getStore();
    const background = store?.jobId !== undefined && store.requestId === undefined;
    const answer = await new Promise<FaceAnswer>((resolve, reject) => {
      const pending: Pending = { task, transfer, clientGone: store?.clientGone, resolve, reject };
      const queued = this.#interactive.length + this.#background.length;
      if (pending.clientGone?.()) {
        this.#counters.abandoned++;
        reject(clientGoneError());
      } else if (this.#running < this.#threads && queued === 0) {
        this.#start(pending);
      } else if (queued >= this.#maxQueue) {
        this.#counters.refused++;
        reject(
          new AppError('service_unavailable', {
            details: { retryAfterSeconds: this.retryAfterSeconds(), reason: 'overloaded' },
          }),
        );
      } else {
        (background ? this.#background : this.#interactive).push(pending);
      }
    });
    if (!answer.ok) throw new ImageDecodeError(answer.message);
    return answer.value;
  }

  #start(pending: Pending): void {
    this.#running++;
    const started = performance.now();
    this.#poolNow()
      .run(pending.task, { transferList: pending.transfer })
      .then(
        (answer: FaceAnswer) => {
          this.#averageMs = this.#averageMs * 0.8 + (performance.now() - started) * 0.2;
          this.#counters.completed++;
          this.#loaded = true;
          if (answer.ok) this.#provenance = answer.provenance;
          this.#finish();
          pending.resolve(answer);
        },
        (error: unknown) => {
          this.#finish();
          pending.reject(error);
        },
      );
  }

  #finish(): void {
    this.#running--;
    while (this.#running < this.#threads) {
      const next = this.#interactive.shift() ?? this.#background.shift();
      if (!next) return;
      if (next.clientGone?.()) {
        this.#counters.abandoned++;
        next.reject(clientGoneError());
        continue;
      }
      this.#start(next);
    }
  }
}

/** The client left before its picture was analysed: the answer goes nowhere (503, logged at info). */
const clientGoneError = () => new AppError('service_unavailable', { details: { reason: 'client_gone' } });

/**
 * Images ready to move to a worker thread, and the memory to move. A handed-over image that owns
 * its whole ArrayBuffer moves as it is; any other is copied once into memory of its own (a Buffer
 * may be a view into a larger shared pool, and the caller may still need its bytes). Anything that
 * is not bytes goes as it is, so the engine refuses it as it always did.
 */
function movable(images: unknown[], handOver: boolean): [Uint8Array[], ArrayBuffer[]] {
  const transfer = new Set<ArrayBuffer>();
  const moved = images.map((image) => {
    if (!(image instanceof Uint8Array)) return image as Uint8Array;
    const buffer = image.buffer;
    const own =
      handOver &&
      buffer instanceof ArrayBuffer &&
      image.byteOffset === 0 &&
      image.byteLength === buffer.byteLength;
    const bytes = own ? image : new Uint8Array(image);
    transfer.add(bytes.buffer as ArrayBuffer);
    return bytes;
  });
  return [moved, [...transfer]];
}

/** Only a picture's faces and size go to the face thread (a DetectResult's provenance stays here). */
const analysisOf = (a: FaceAnalysis): FaceAnalysis => ({ faces: a.faces, image: a.image });

let engine: OffThreadFaceEngine | undefined;
let users = 0;

/**
 * The process's face engine with the thresholds from configuration (FACE_MATCH_THRESHOLD, ...) and
 * its pool's size; each server that calls this releases it when it closes (releaseFaceEngine).
 */
export function configureFaceEngine(
  thresholds: Partial<Thresholds>,
  pool: FacePoolOptions = {},
): OffThreadFaceEngine {
  const local = sharedFaceEngine({ thresholds });
  const clash = (Object.keys(thresholds) as (keyof Thresholds)[]).filter(
    (k) => thresholds[k] !== undefined && local.thresholds[k] !== thresholds[k],
  );
  if (clash.length > 0) {
    throw new Error(
      `The face engine of this process already runs with other thresholds (${clash.join(', ')}); one process, one set`,
    );
  }
  engine ??= new OffThreadFaceEngine(local, pool);
  users++;
  return engine;
}

/** The process's face engine (the one configureFaceEngine set up, else one with the defaults). */
export function serverFaceEngine(): OffThreadFaceEngine {
  engine ??= new OffThreadFaceEngine(sharedFaceEngine());
  return engine;
}

/** One server of the process has closed: the last one ends the face pool's threads. */
export async function releaseFaceEngine(): Promise<void> {
  users = Math.max(0, users - 1);
  if (users === 0) await engine?.close();
}

/** True once this process's face pool has loaded the models (metrics: cdk_engine_loaded). */
export const faceEngineLoaded = (): boolean => engine?.loaded === true;

export type ServerFaceEngine = OffThreadFaceEngine;
