/**
 * FaceEngine: server-side face detection, face match and active liveness for identity proofing.
 *
 * One instance per process (models take ~100 MB of WASM heap; `sharedFaceEngine()` gives the process
 * singleton). `init()` is lazy and idempotent; every public call initialises on first use. Model
 * inference is serialised through a queue because the tfjs WASM backend is single-threaded and human
 * keeps per-call state; image decoding (sharp, native threads) runs outside the queue.
 * Every result carries a Provenance block (engine, model files digest, thresholds and their version).
 */
import { createHash } from 'node:crypto';
import type { Input } from '@vladmandic/human';
import { type FaceEngineOptions, resolveThresholds, THRESHOLDS_VERSION, type Thresholds } from './config';
import { type Observation, publicFace, toObservation } from './face-metrics';
import { decodeImage, ImageDecodeError, toTensor } from './image';
import { judgeObservations, precheck, type TimedObservation } from './liveness-judge';
import { createRuntime, loadHumanModule, MODEL_FILES, modelDigest, type Runtime } from './runtime';
import type {
  DetectResult,
  FrameDiagnostics,
  LivenessChallenge,
  LivenessFrame,
  LivenessReason,
  LivenessResult,
  MatchResult,
  Provenance,
} from './types';

interface Analysis {
  faces: Observation[];
  width: number;
  height: number;
}

export class FaceEngine {
  readonly thresholds: Readonly<Thresholds>;
  readonly #custom: boolean;
  readonly #maxSide: number;
  readonly #maxFaces: number;
  readonly #mirrored: boolean;
  #runtime: Runtime | undefined;
  #loading: Promise<Runtime> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: FaceEngineOptions = {}) {
    const { thresholds, custom } = resolveThresholds(options.thresholds);
    this.thresholds = Object.freeze(thresholds);
    this.#custom = custom;
    this.#maxSide = options.maxImageSide ?? 1280;
    this.#maxFaces = options.maxFaces ?? 5;
    this.#mirrored = options.framesMirrored ?? false;
  }

  /** Loads the models (about 0.3-0.5 s). Safe to call repeatedly and concurrently. */
  async init(): Promise<void> {
    await this.#rt();
  }

  /** Disposes the models. The engine can be initialised again afterwards. */
  async close(): Promise<void> {
    const loading = this.#loading;
    this.#loading = undefined;
    this.#runtime = undefined;
    const rt = await loading?.catch(() => undefined);
    await this.#queue.catch(() => undefined);
    if (!rt) return;
    for (const model of Object.values(rt.human.models.models)) model?.dispose();
    rt.human.models.reset();
  }

  /** Engine, models and thresholds behind this instance's results. Requires init(). */
  provenance(): Provenance {
    const rt = this.#runtime;
    if (!rt) throw new Error('FaceEngine.provenance(): call init() first');
    return {
      engine: `human@${rt.human.version}`,
      backend: rt.tf.getBackend(),
      model: 'faceres',
      models: Object.values(MODEL_FILES),
      modelDigest: modelDigest(),
      thresholdsVersion: THRESHOLDS_VERSION,
      customThresholds: this.#custom,
      thresholds: { ...this.thresholds },
    };
  }

  /** Live tensors and their bytes in the tfjs engine (models included), for leak checks and metrics. */
  stats(): { tensors: number; bytes: number } {
    const rt = this.#runtime;
    if (!rt) return { tensors: 0, bytes: 0 };
    const m = rt.tf.memory();
    return { tensors: m.numTensors, bytes: m.numBytes };
  }

  /** Faces in a JPEG/PNG image, largest first. Throws ImageDecodeError for unreadable images. */
  async detect(image: Buffer): Promise<DetectResult> {
    const a = await this.#analyse(image);
    return {
      faces: a.faces.map(publicFace),
      image: { width: a.width, height: a.height },
      provenance: this.provenance(),
    };
  }

  /** `human.match.similarity` of two descriptors, in [0,1]; 0 when they are not comparable. */
  compare(a: readonly number[], b: readonly number[]): number {
    if (a.length === 0 || a.length !== b.length) return 0;
    return loadHumanModule().match.similarity(a as number[], b as number[]);
  }

  /**
   * Selfie vs reference (ID document / chip) portrait. The selfie must show exactly one face; the
   * reference's largest face is used (ID cards often carry a small secondary "ghost" portrait).
   */
  async matchFaces(selfie: Buffer, reference: Buffer): Promise<MatchResult> {
    const s = await this.#analyse(selfie);
    const r = await this.#analyse(reference);
    const provenance = this.provenance();
    if (s.faces.length === 0) return { error: 'no_face_in_selfie', provenance };
    if (s.faces.length > 1) return { error: 'multiple_faces_in_selfie', provenance };
    const referenceFace = r.faces[0];
    if (!referenceFace) return { error: 'no_face_in_reference', provenance };
    const selfieFace = s.faces[0]!;
    const similarity = this.compare(selfieFace.embedding, referenceFace.embedding);
    return {
      similarity,
      decision:
        similarity >= this.thresholds.match
          ? 'match'
          : similarity >= this.thresholds.matchReview
            ? 'review'
            : 'no_match',
      selfieFace: publicFace(selfieFace),
      referenceFace: publicFace(referenceFace),
      provenance,
    };
  }

  /**
   * Judges an active-liveness capture against the challenge the server issued (see liveness-judge.ts
   * for the rules). `receivedAt` (server time the upload arrived) guards against forged timestamps.
   */
  async judgeLiveness(
    frames: LivenessFrame[],
    challenge: LivenessChallenge,
    options: { receivedAt?: Date } = {},
  ): Promise<LivenessResult> {
    await this.#rt();
    const th = this.thresholds;
    const diag: FrameDiagnostics[] = [];
    const fail = (reason: LivenessReason, frameIndex?: number): LivenessResult => ({
      score: 0,
      passed: false,
      reason,
      ...(frameIndex === undefined ? {} : { frameIndex }),
      perAction: (Array.isArray(challenge.actions) ? challenge.actions : []).map((action) => ({
        action,
        status: action === 'blink' && th.blinkMode === 'undetermined' ? 'undetermined' : 'not_detected',
      })),
      sameFace: false,
      antispoof: 0,
      live: 0,
      observedActions: [],
      frames: diag,
      provenance: this.provenance(),
    });
    const pre = precheck(
      frames.map((f) => f.t),
      challenge,
      th,
      options.receivedAt,
    );
    if (pre) return fail(pre.reason, pre.frameIndex);

    // Identical uploads are analysed once (a repeated still photo costs one detection).
    const cache = new Map<string, Analysis>();
    const obs: TimedObservation[] = [];
    for (const [i, frame] of frames.entries()) {
      if (!Buffer.isBuffer(frame.image)) return fail('invalid_frame', i);
      const key = createHash('sha256').update(frame.image).digest('hex');
      let a = cache.get(key);
      if (!a) {
        try {
          a = await this.#analyse(frame.image);
        } catch (e) {
          if (e instanceof ImageDecodeError) return fail('invalid_frame', i);
          throw e;
        }
        cache.set(key, a);
      }
      const face = a.faces[0];
      diag.push({
        t: frame.t,
        faces: a.faces.length,
        pose: face?.pose ?? null,
        eyes: null,
        similarityToFirst: null,
      });
      if (!face) return fail('no_face_in_frame', i);
      if (a.faces.length > 1) return fail('multiple_faces_in_frame', i);
      obs.push({ ...face, t: frame.t });
    }
    const result = judgeObservations(obs, challenge, th, (x, y) => this.compare(x, y));
    return { ...result, provenance: this.provenance() };
  }

  #rt(): Promise<Runtime> {
    if (this.#runtime) return Promise.resolve(this.#runtime);
    this.#loading ??= createRuntime(this.#maxFaces).then(
      (rt) => {
        this.#runtime = rt;
        return rt;
      },
      (e: unknown) => {
        this.#loading = undefined;
        throw e;
      },
    );
    return this.#loading;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #analyse(image: Buffer): Promise<Analysis> {
    const rt = await this.#rt();
    const img = await decodeImage(image, this.#maxSide);
    return this.#serial(async () => {
      const tensor = toTensor(rt.tf, img);
      try {
        const result = await rt.human.detect(tensor as unknown as Input);
        const th = this.thresholds;
        const faces = result.face
          .filter((f) => f.score >= th.minFaceScore && Math.min(f.box[2], f.box[3]) >= th.minFaceSizePx)
          .map((f) => toObservation(f, this.#mirrored))
          .sort((p, q) => q.box.width * q.box.height - p.box.width * p.box.height);
        return { faces, width: img.width, height: img.height };
      } finally {
        rt.tf.dispose(tensor);
      }
    });
  }
}

let shared: FaceEngine | undefined;

/** The process-wide engine. The options of the first call win; later calls get the same instance. */
export function sharedFaceEngine(options?: FaceEngineOptions): FaceEngine {
  shared ??= new FaceEngine(options);
  return shared;
}
