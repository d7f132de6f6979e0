/**
 * A liveness recording judged as a whole (identity-proofing issue, item 3): the challenge (the
 * engine's liveness rules), and what binds the recording to the person and the moment:
 *
 * - selfie binding: the selfie must show one face; every compared frame's face must be the
 *   selfie's person (similarity >= thresholds.sameFace), so a recording of someone else sent with
 *   the victim's selfie fails. The compared frames (framesToEmbed) are every frame a verdict
 *   relies on (neutral start, any action reached, the most motion, the frontal and scene frames)
 *   and a CSPRNG-drawn share of the rest, not all of them: the recogniser is the cost that can be
 *   cut without changing what the action rules see; and the selfie must be a picture of the recording's own scene (its whole-picture
 *   similarity to one of the frames >= RECORDING_THRESHOLDS.selfieScene), i.e. taken inside it,
 *   as the app does, not a photo from elsewhere;
 * - signatures for the replay check: the selfie's and the most frontal frame's embedding and a
 *   perceptual hash (dHash, 64 bits) of the face, which the server compares with every earlier
 *   upload (near-identical = a replayed picture, never a match);
 * - a passive presentation-attack signal (pad.ts): pictures that do not change where a camera's
 *   would (sensor noise), as in a still photo animated by software and injected as frames.
 *
 * Each frame is analysed once (engine.detectDeferred: detection, mesh, pose, anti-spoofing); the
 * liveness rules then run on those observations, and the recogniser only on the compared frames.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Thresholds } from './config';
import { stage } from './cost';
import type { DeferredDetection, FaceEngine } from './face-engine';
import { normalisedShape, shapeDistance } from './face-metrics';
import { ImageDecodeError } from './image';
import { loadSharp } from './lazy-sharp';
import {
  type ActionThresholds,
  actionStrengths,
  DEFAULT_ACTION_THRESHOLDS,
  MEASURED_ACTIONS,
  neutralOf,
} from './liveness-actions';
import { gestureEvents, judgeObservations, precheck, type TimedObservation } from './liveness-judge';
import { type PadSignals, passiveSignals } from './pad';
import type {
  DetectedFace,
  FaceAnalysis,
  FrameDiagnostics,
  LivenessChallenge,
  LivenessFrame,
  LivenessReason,
  LivenessResult,
} from './types';

export const RECORDING_THRESHOLDS = Object.freeze({
  /**
   * Whole-picture similarity (correlation of 32×24 grey thumbnails, in [-1, 1]) a selfie must reach
   * with its closest frame. Measured on the test faces (recording.test.ts): a selfie taken inside
   * the recording 0.97-1.00; the same person's photo from another picture or place 0.2-0.7.
   */
  selfieScene: 0.9,
});

/**
 * Which frames' faces are embedded (the recogniser is about a sixth of a frame's cost, and a
 * recording has up to 60 frames). Always: the neutral start (the reference of rule 3), every frame
 * in which any challenge action reaches its threshold (the frames the action verdicts rely on:
 * detections, peaks, actions out of their window, the gesture events), the frame of most motion,
 * and the caller's (the most frontal frame, the selfie's scene frame). Of the remaining frames a
 * share drawn by the CSPRNG for each recording, so that a sender cannot know which frames will be
 * compared. What it means for a person swapped into frames that show no action (in the app's
 * 39-frame recording of 5 actions about 22 such frames, 9 of them drawn): P(caught) = 1 − C(R−m, k)/C(R, k)
 * for m swapped of R remaining, k drawn: m = 1 → 41 %, 3 → 81 %, 5 → 95 %, 8 → 99.6 %. A swapped
 * person who performs any action, or the neutral start, is always compared.
 */
export const EMBEDDING_SAMPLE = Object.freeze({
  /** Share of the frames that show no action which are embedded too. */
  randomShare: 0.4,
  /** ... and at least this many (or all of them when fewer). */
  minRandom: 4,
});

export function framesToEmbed(
  obs: readonly TimedObservation[],
  th: Thresholds,
  also: readonly number[] = [],
  draw: (max: number) => number = (max) => randomInt(max),
  at: ActionThresholds = DEFAULT_ACTION_THRESHOLDS,
): Set<number> {
  const chosen = new Set<number>();
  const neutralCount = Math.min(obs.length, Math.max(1, th.neutralFrames));
  for (let i = 0; i < neutralCount; i++) chosen.add(i);
  const neutral = neutralOf(obs.slice(0, neutralCount));
  let most = { index: 0, motion: -1 };
  for (const [i, o] of obs.entries()) {
    const s = actionStrengths(o, neutral, th, at);
    if (MEASURED_ACTIONS.some((a) => s[a] >= 1)) chosen.add(i);
    const motion = shapeDistance(obs[0]!.shape, o.shape);
    if (motion > most.motion) most = { index: i, motion };
  }
  for (const e of gestureEvents([...obs], th)) chosen.add(e.index);
  chosen.add(most.index);
  for (const i of also) if (i >= 0 && i < obs.length) chosen.add(i);
  const rest = obs.map((_, i) => i).filter((i) => !chosen.has(i));
  const k = Math.min(
    rest.length,
    Math.max(EMBEDDING_SAMPLE.minRandom, Math.ceil(rest.length * EMBEDDING_SAMPLE.randomShare)),
  );
  // Partial Fisher–Yates: the first k of a uniformly shuffled `rest`.
  for (let j = 0; j < k; j++) {
    const r = j + draw(rest.length - j);
    [rest[j], rest[r]] = [rest[r]!, rest[j]!];
    chosen.add(rest[j]!);
  }
  return chosen;
}

export type BindingReason =
  | 'no_face_in_selfie'
  | 'multiple_faces_in_selfie'
  | 'invalid_selfie'
  | 'frame_not_selfie_person'
  | 'selfie_not_in_recording';

export interface SelfieBinding {
  passed: boolean;
  reason?: BindingReason;
  /** Lowest and median similarity of a frame's face to the selfie's, and the frame of the lowest. */
  minToSelfie: number | null;
  medianToSelfie: number | null;
  worstFrame: number | null;
  /** Best whole-picture similarity of the selfie to a frame, and that frame. */
  sceneSimilarity: number | null;
  sceneFrame: number | null;
  /** Frames whose face was compared with the selfie's (framesToEmbed: not every frame, see there). */
  framesCompared: number;
  thresholds: { sameFace: number; selfieScene: number };
}

/** A face's signature for the replay check. */
export interface FaceSignature {
  embedding: number[];
  /** dHash of the face box, 16 hex digits. */
  hash: string;
}

export interface RecordingJudgement {
  liveness: LivenessResult;
  /** null when no selfie was given or the recording failed before its frames were analysed. */
  binding: SelfieBinding | null;
  pad: PadSignals | null;
  selfie: FaceSignature | null;
  /** The most frontal frame's signature (the replay check compares it too). */
  frontal: (FaceSignature & { index: number }) | null;
}

const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Decodes like the engine (EXIF rotation, longest side <= 1280) to grey pixels of `w`×`h`. */
async function grey(image: Buffer, size?: { width: number; height: number }) {
  const sharp = await loadSharp();
  const base = sharp(image).rotate();
  const resized = size ? base.resize(size.width, size.height, { fit: 'fill' }) : base;
  const { data, info } = await resized.greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** dHash (9×8 grey, left < right per row) of the face box in the analysed image's coordinates. */
export async function faceHash(
  image: Buffer,
  face: DetectedFace,
  analysed: { width: number; height: number },
) {
  const sharp = await loadSharp();
  const base = await sharp(image)
    .rotate()
    .resize(analysed.width, analysed.height, { fit: 'fill' })
    .toBuffer();
  const { x, y, width, height } = face.box;
  const left = Math.max(0, Math.round(x));
  const top = Math.max(0, Math.round(y));
  const w = Math.max(1, Math.min(analysed.width - left, Math.round(width)));
  const h = Math.max(1, Math.min(analysed.height - top, Math.round(height)));
  const { data } = await sharp(base)
    .extract({ left, top, width: w, height: h })
    .greyscale()
    .resize(9, 8, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  let bits = 0n;
  for (let r = 0; r < 8; r++)
    for (let c = 0; c < 8; c++) bits = (bits << 1n) | (data[r * 9 + c]! < data[r * 9 + c + 1]! ? 1n : 0n);
  return bits.toString(16).padStart(16, '0');
}

/** Differing bits of two dHashes (0-64). */
export function hashDistance(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let n = 0;
  while (x) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}

const thumb = (image: Buffer) => grey(image, { width: 32, height: 24 });

/** Correlation of two 32×24 grey thumbnails of whole pictures, in [-1, 1]. */
function sceneSimilarity(p: { data: Buffer }, q: { data: Buffer }): number {
  const n = p.data.length;
  let mp = 0;
  let mq = 0;
  for (let i = 0; i < n; i++) {
    mp += p.data[i]!;
    mq += q.data[i]!;
  }
  mp /= n;
  mq /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = p.data[i]! - mp;
    const dy = q.data[i]! - mq;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

const frontalness = (f: DetectedFace) =>
  f.pose ? Math.abs(f.pose.yaw) + Math.abs(f.pose.pitch) + Math.abs(f.pose.roll) : 999;

/**
 * Judges a recording against its challenge, binds it to the selfie and measures the passive
 * signals. The liveness result is the engine's rules on the same frames (see liveness-judge.ts).
 */
export async function judgeRecording(
  engine: FaceEngine,
  frames: LivenessFrame[],
  challenge: LivenessChallenge,
  options: {
    receivedAt?: Date;
    selfie?: Buffer;
    /**
     * The selfie's analysis by this engine (`engine.detect(selfie)`), when the caller has it: the
     * binding then takes it instead of analysing the selfie again (same numbers, one detection
     * and embedding less). Only read together with `selfie`.
     */
    selfieAnalysis?: FaceAnalysis;
  } = {},
): Promise<RecordingJudgement> {
  await engine.init();
  const th = engine.thresholds;
  const provenance = engine.provenance();
  const diag: FrameDiagnostics[] = [];
  const fail = (reason: LivenessReason, frameIndex?: number): RecordingJudgement => ({
    liveness: {
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
      provenance,
    },
    binding: null,
    pad: null,
    selfie: null,
    frontal: null,
  });
  const pre = precheck(
    frames.map((f) => f.t),
    challenge,
    th,
    options.receivedAt,
  );
  if (pre) return fail(pre.reason, pre.frameIndex);

  const cache = new Map<string, DeferredDetection>();
  const analysed: DeferredDetection[] = [];
  const detected: { face: DetectedFace; image: { width: number; height: number } }[] = [];
  const obs: TimedObservation[] = [];
  for (const [i, frame] of frames.entries()) {
    if (!Buffer.isBuffer(frame.image)) return fail('invalid_frame', i);
    const key = await stage('frame sha256', () => createHash('sha256').update(frame.image).digest('hex'));
    let d = cache.get(key);
    if (!d) {
      try {
        d = await engine.detectDeferred(frame.image, { grey: true });
      } catch (e) {
        if (e instanceof ImageDecodeError) return fail('invalid_frame', i);
        throw e;
      }
      cache.set(key, d);
    }
    const face = d.faces[0];
    diag.push({
      t: frame.t,
      faces: d.faces.length,
      pose: face?.pose ?? null,
      eyes: null,
      similarityToFirst: null,
    });
    if (!face) return fail('no_face_in_frame', i);
    if (d.faces.length > 1) return fail('multiple_faces_in_frame', i);
    analysed.push(d);
    detected.push({ face, image: d.image });
    const side = Math.max(face.box.width, face.box.height);
    obs.push({ ...face, t: frame.t, shape: normalisedShape(face.landmarks, side) });
  }

  // The most frontal frame of the still start (before the first action's window), else of all.
  const firstAction = challenge.steps?.[0]?.startMs;
  const still = detected
    .map((d, index) => ({ index, f: frontalness(d.face) }))
    .filter(({ index }) => firstAction === undefined || frames[index]!.t - frames[0]!.t < firstAction);
  const frontalIndex = (
    still.length ? still : detected.map((d, index) => ({ index, f: frontalness(d.face) }))
  ).sort((a, b) => a.f - b.f)[0]!.index;

  // The selfie's scene: the frame whose whole picture is closest to the selfie.
  let scene: { similarity: number; frame: number } | undefined;
  if (options.selfie) {
    scene = await stage('scene', async () => {
      const selfieThumb = await thumb(options.selfie!).catch(() => undefined);
      if (!selfieThumb) return undefined;
      let best = { similarity: -1, frame: 0 };
      for (const [i, frame] of frames.entries()) {
        const v = sceneSimilarity(selfieThumb, await thumb(frame.image));
        if (v > best.similarity) best = { similarity: v, frame: i };
      }
      return best;
    });
  }

  // Embeddings: the frames the verdicts rely on and an unpredictable sample of the rest.
  const embedded = framesToEmbed(obs, th, [frontalIndex, ...(scene ? [scene.frame] : [])]);
  for (const i of embedded) {
    const face = await analysed[i]!.describe(0);
    detected[i]!.face = face;
    obs[i] = { ...obs[i]!, embedding: face.embedding, quality: face.quality };
  }

  const judged = await stage('rules', () =>
    judgeObservations(obs, challenge, th, (a, b) => engine.compare(a, b), undefined, embedded),
  );
  const liveness: LivenessResult = { ...judged, provenance };

  const frontalFace = detected[frontalIndex]!;
  const frontal = {
    index: frontalIndex,
    embedding: frontalFace.face.embedding,
    hash: await stage('face hash', () =>
      faceHash(frames[frontalIndex]!.image, frontalFace.face, frontalFace.image),
    ),
  };
  const pad = await stage('pad', () =>
    passiveSignals(
      frames.map((f, i) => analysed[i]!.grey ?? f.image),
      detected.map((d) => ({ box: d.face.box, image: d.image })),
    ),
  );

  let binding: SelfieBinding | null = null;
  let selfie: FaceSignature | null = null;
  if (options.selfie) {
    const thresholds = { sameFace: th.sameFace, selfieScene: RECORDING_THRESHOLDS.selfieScene };
    const empty = {
      minToSelfie: null,
      medianToSelfie: null,
      worstFrame: null,
      sceneSimilarity: null,
      sceneFrame: null,
      framesCompared: 0,
      thresholds,
    };
    let s: FaceAnalysis | undefined = options.selfieAnalysis;
    if (!s) {
      try {
        s = await engine.detect(options.selfie);
      } catch (e) {
        if (!(e instanceof ImageDecodeError)) throw e;
      }
    }
    if (!s || !scene) binding = { passed: false, reason: 'invalid_selfie', ...empty };
    else if (s.faces.length === 0) binding = { passed: false, reason: 'no_face_in_selfie', ...empty };
    else if (s.faces.length > 1) binding = { passed: false, reason: 'multiple_faces_in_selfie', ...empty };
    else {
      const face = s.faces[0]!;
      selfie = {
        embedding: face.embedding,
        hash: await stage('face hash', () => faceHash(options.selfie!, face, s.image)),
      };
      const compared = [...embedded].sort((a, b) => a - b);
      const sims = compared.map((i) => engine.compare(face.embedding, detected[i]!.face.embedding));
      const min = Math.min(...sims);
      const worstFrame = compared[sims.indexOf(min)]!;
      const reason: BindingReason | undefined =
        min < thresholds.sameFace
          ? 'frame_not_selfie_person'
          : scene.similarity < thresholds.selfieScene
            ? 'selfie_not_in_recording'
            : undefined;
      binding = {
        passed: reason === undefined,
        ...(reason ? { reason } : {}),
        minToSelfie: round(min),
        medianToSelfie: round(median(sims)),
        worstFrame,
        sceneSimilarity: round(scene.similarity),
        sceneFrame: scene.frame,
        framesCompared: compared.length,
        thresholds,
      };
    }
  }
  return { liveness, binding, pad, selfie, frontal };
}
