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
import type { FaceResult, Input } from '@vladmandic/human';
import { alignedCrop, fivePointsFromMesh, interEyeDistance } from './align';
import {
  type FaceEngineOptions,
  qualityThresholds,
  resolveThresholds,
  THRESHOLDS_VERSION,
  type Thresholds,
} from './config';
import { stage } from './cost';
import { type Observation, publicFace, toObservation } from './face-metrics';
import { type DecodedImage, decodeImage, ImageDecodeError, toTensor } from './image';
import { judgeObservations, precheck, type TimedObservation } from './liveness-judge';
import { type GreyPlane, greyFromRgb } from './pad';
import { assessSelfieQuality, measureFaceCrop, measuresOf, type QualityAssessment } from './quality';
import { createRuntime, MODEL_FILES, modelDigest, RECOGNISER, type Runtime } from './runtime';
import type {
  DetectedFace,
  DetectResult,
  FaceAnalysis,
  FaceQuality,
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

/**
 * A picture's faces before their embeddings (`FaceEngine.detectDeferred`): `embedding` is empty
 * and `quality` null until `describe(i)` runs the recogniser on face i's aligned crop.
 */
export interface DeferredDetection {
  faces: DetectedFace[];
  image: { width: number; height: number };
  /**
   * The picture's grey plane made from this decode (asked with `{ grey: true }`), for the passive
   * signal (pad.ts); absent when the decode was not the picture's plain one (`DecodedImage.exact`).
   */
  grey?: GreyPlane;
  /** Face i with its embedding and quality (computed once; later calls return the same). */
  describe(index: number): Promise<DetectedFace>;
}

export class FaceEngine {
  readonly thresholds: Readonly<Thresholds>;
  /** Length of this engine's embeddings; a stored embedding of another length came from another model. */
  readonly embeddingSize: number = RECOGNISER.dims;
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
    await rt.recogniser.dispose();
  }

  /** Engine, models and thresholds behind this instance's results. Requires init(). */
  provenance(): Provenance {
    const rt = this.#runtime;
    if (!rt) throw new Error('FaceEngine.provenance(): call init() first');
    return {
      engine: `human@${rt.human.version}`,
      backend: rt.tf.getBackend(),
      model: RECOGNISER.name,
      models: [...Object.values(MODEL_FILES), RECOGNISER.name],
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

  /**
   * Like `detect`, without running the recogniser: a recording's frames all need detection, mesh
   * and pose, but only some of them an embedding (recording.ts chooses which), and the recogniser
   * is a sixth of a frame's cost. The aligned crop is taken now, so the decoded picture is not kept.
   */
  async detectDeferred(image: Buffer, options: { grey?: boolean } = {}): Promise<DeferredDetection> {
    const rt = await this.#rt();
    const a = await this.#analyse(image, false, options.grey === true);
    const grey = a.grey;
    const done = new Map<number, Promise<DetectedFace>>();
    return {
      faces: a.faces.map(publicFace),
      image: { width: a.width, height: a.height },
      ...(grey ? { grey } : {}),
      describe: (index) => {
        let face = done.get(index);
        if (!face) {
          const o = a.faces[index];
          if (!o) return Promise.reject(new RangeError(`no face ${index}`));
          const crop = a.crops[index] ?? null;
          face = this.#serial(() => stage('embed', () => this.#embedCrop(rt, crop))).then((d) =>
            publicFace({ ...o, ...d }),
          );
          done.set(index, face);
        }
        return face;
      },
    };
  }

  /**
   * Cosine similarity of two descriptors, clamped to [0,1] (unrelated faces score around 0, the
   * same photo 1); 0 when they are not comparable (empty, or of another model's length, such as a
   * 1024-d faceres embedding stored before fe-thresholds-2026.1).
   */
  compare(a: readonly number[], b: readonly number[]): number {
    if (a.length === 0 || a.length !== b.length) return 0;
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
      dot += a[i]! * b[i]!;
      na += a[i]! * a[i]!;
      nb += b[i]! * b[i]!;
    }
    if (na === 0 || nb === 0) return 0;
    return Math.min(1, Math.max(0, dot / Math.sqrt(na * nb)));
  }

  /**
   * Capture quality of a selfie (ISO/IEC 29794-5-style checks, see quality.ts): exactly one face,
   * large enough, frontal, sharp, well exposed, eyes open. Throws ImageDecodeError for unreadable images.
   */
  async assessSelfie(image: Buffer): Promise<QualityAssessment> {
    const a = await this.#analyse(image);
    return assessSelfieQuality(measuresOf(a.faces), qualityThresholds(this.thresholds));
  }

  /**
   * Selfie vs reference (ID document / chip) portrait. The selfie must show exactly one face; the
   * reference's largest face is used (ID cards often carry a small secondary "ghost" portrait).
   * `selfie` may be the selfie's analysis by this engine (`detect`): then it is not analysed again
   * and the result is the same as for the picture.
   */
  async matchFaces(selfie: Buffer | FaceAnalysis, reference: Buffer): Promise<MatchResult> {
    const s = Buffer.isBuffer(selfie) ? await this.#analyse(selfie) : selfie;
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
      selfieFace: 'shape' in selfieFace ? publicFace(selfieFace) : selfieFace,
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

  async #analyse(image: Buffer): Promise<Analysis>;
  async #analyse(
    image: Buffer,
    describe: false,
    grey: boolean,
  ): Promise<Analysis & { crops: (AlignedCrop | null)[]; grey: GreyPlane | undefined }>;
  async #analyse(
    image: Buffer,
    describe = true,
    grey = false,
  ): Promise<Analysis & { crops?: (AlignedCrop | null)[]; grey?: GreyPlane | undefined }> {
    const rt = await this.#rt();
    const img = await stage('decode', () => decodeImage(image, this.#maxSide, { exactness: grey }));
    // The grey plane from these pixels; on any failure none, and the passive signal decodes the
    // picture itself as before.
    const plane =
      grey && img.exact ? await stage('grey', () => greyFromRgb(img)).catch(() => undefined) : undefined;
    return this.#serial(async () => {
      const tensor = toTensor(rt.tf, img);
      try {
        const result = await stage('detect', () => rt.human.detect(tensor as unknown as Input));
        const th = this.thresholds;
        const kept = result.face.filter(
          (f) => f.score >= th.minFaceScore && Math.min(f.box[2], f.box[3]) >= th.minFaceSizePx,
        );
        const described: { face: Observation; crop: AlignedCrop | null }[] = [];
        for (const f of kept) {
          const crop = alignFace(img, f);
          const { embedding, quality } = describe
            ? await stage('embed', () => this.#embedCrop(rt, crop))
            : { embedding: [], quality: null };
          described.push({ face: toObservation(f, this.#mirrored, embedding, quality), crop });
        }
        described.sort((p, q) => q.face.box.width * q.face.box.height - p.face.box.width * p.face.box.height);
        return {
          faces: described.map((d) => d.face),
          width: img.width,
          height: img.height,
          ...(describe ? {} : { crops: described.map((d) => d.crop), grey: plane }),
        };
      } finally {
        rt.tf.dispose(tensor);
      }
    });
  }

  /** Embedding and quality measures from the five-point aligned crop of one face (none without one). */
  async #embedCrop(
    rt: Runtime,
    crop: AlignedCrop | null,
  ): Promise<{ embedding: number[]; quality: FaceQuality | null }> {
    if (!crop) return { embedding: [], quality: null };
    const embedding = await rt.recogniser.embed(crop.rgb);
    return {
      embedding,
      quality: { interEyePx: crop.interEyePx, ...measureFaceCrop(crop.rgb, RECOGNISER.inputSize) },
    };
  }
}

interface AlignedCrop {
  rgb: Uint8Array;
  interEyePx: number;
}

/** The five-point aligned crop the recogniser takes, or null when the mesh has no five points. */
function alignFace(img: DecodedImage, face: FaceResult): AlignedCrop | null {
  const five = fivePointsFromMesh(face.mesh as unknown as number[][]);
  if (!five) return null;
  return { rgb: alignedCrop(img, five, RECOGNISER.inputSize), interEyePx: interEyeDistance(five) };
}

let shared: FaceEngine | undefined;

/** The process-wide engine. The options of the first call win; later calls get the same instance. */
export function sharedFaceEngine(options?: FaceEngineOptions): FaceEngine {
  shared ??= new FaceEngine(options);
  return shared;
}
