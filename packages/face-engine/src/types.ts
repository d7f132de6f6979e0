/**
 * Public types of the face engine: detected faces, face-match and liveness results, and the
 * provenance block every result carries so that an audit can tell which engine, model files and
 * thresholds produced a decision.
 *
 * Conventions (all angles in degrees, images are the decoded, EXIF-rotated, un-mirrored frame):
 * - yaw > 0: the subject has turned their head to THEIR OWN LEFT. In an un-mirrored front-camera
 *   frame (what the sensor delivers, not the mirrored selfie preview) the nose moves toward the
 *   image's right edge. `framesMirrored: true` flips this for clients that send mirrored frames.
 * - pitch > 0: head down (chin toward the chest).
 * - roll > 0: the top of the head leans toward the image's right edge.
 */
import type { Thresholds } from './config';

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface HeadPose {
  yaw: number;
  pitch: number;
  roll: number;
}

/** Eyelid gap divided by eye width, per eye of the subject (about 0.25-0.45 when open). */
export interface EyeOpenness {
  left: number;
  right: number;
  mean: number;
}

export interface DetectedFace {
  box: FaceBox;
  /** Detector confidence 0..1. */
  score: number;
  /**
   * 512-d unit-length descriptor of the recogniser (fr_feature, ArcFace-style) on the five-point
   * aligned crop; compare with `FaceEngine.compare`. Empty when the face has no usable landmarks.
   */
  embedding: number[];
  /** Anti-spoofing model ("real") score 0..1, or null when the model gave none. Not calibrated. */
  real: number | null;
  /** Liveness model ("live") score 0..1, or null. Not calibrated. */
  live: number | null;
  pose: HeadPose | null;
  eyes: EyeOpenness | null;
  /** Face mesh (468 points + 10 iris points) in image pixels; z is relative depth (smaller = nearer). */
  landmarks: [number, number, number][];
  /** Capture-quality measures of this face (quality.ts), null without usable landmarks. */
  quality?: FaceQuality | null;
}

/** What `assessSelfieQuality` needs of one face, measured on the aligned crop the recogniser sees. */
export interface FaceQuality {
  /** Distance between the eye centres in pixels of the analysed image. */
  interEyePx: number;
  /** Normalised Laplacian variance of the inner face (quality.ts). */
  sharpness: number;
  /** Mean grey level 0-255 of the inner face. */
  brightness: number;
  /** Share of inner-face pixels crushed (<= 8) or blown (>= 247). */
  clipped: number;
}

export interface Provenance {
  /** For example `human@3.3.6`. */
  engine: string;
  backend: string;
  /** The descriptor model whose embeddings are compared (see THRESHOLDS.md for how it was chosen). */
  model: 'fr_feature';
  /** All models used by the pipeline. */
  models: string[];
  /** Digest over the model files actually loaded from disk. */
  modelDigest: string;
  thresholdsVersion: string;
  /** True when the caller overrode any default threshold. */
  customThresholds: boolean;
  thresholds: Thresholds;
}

export interface DetectResult {
  faces: DetectedFace[];
  /** Size of the analysed image (after EXIF rotation and any downscaling). */
  image: { width: number; height: number };
  provenance: Provenance;
}

/**
 * A picture's faces and size as `detect` gives them, without the provenance: what a caller that
 * already analysed a picture (the registration job's selfie) hands to `matchFaces` or
 * `judgeRecording` instead of the picture, so that the picture is analysed once.
 */
export type FaceAnalysis = Pick<DetectResult, 'faces' | 'image'>;

export type MatchError = 'no_face_in_selfie' | 'no_face_in_reference' | 'multiple_faces_in_selfie';

export type MatchResult =
  | {
      similarity: number;
      /** match: >= thresholds.match; review: >= thresholds.matchReview; else no_match. */
      decision: 'match' | 'review' | 'no_match';
      selfieFace: DetectedFace;
      referenceFace: DetectedFace;
      provenance: Provenance;
    }
  | { error: MatchError; provenance: Provenance };

/**
 * Challenge actions. Every one but `blink` is read from the pose and the face mesh (see
 * liveness-actions.ts): turns (yaw), nod = head down and back up, look_up = head up and back
 * down (pitch), tilts (roll), open_mouth (inner-lip gap over mouth width) and move_closer (the
 * face box grows). "left" and "right" are the subject's own.
 */
export type LivenessAction =
  | 'turn_left'
  | 'turn_right'
  | 'nod'
  | 'look_up'
  | 'tilt_left'
  | 'tilt_right'
  | 'open_mouth'
  | 'move_closer'
  | 'blink';

/** One action of a timed challenge: the app prompts it from `startMs` to `endMs` of the recording. */
export interface LivenessStep {
  action: LivenessAction;
  startMs: number;
  endMs: number;
}

export interface LivenessChallenge {
  actions: LivenessAction[];
  /** ISO 8601 instant the server issued the challenge. */
  issuedAt: string;
  timeLimitSeconds: number;
  /**
   * When the server issued a timed challenge: each action's window in ms from the recording's
   * first frame (a still, straight look before the first). Each action must then happen inside
   * its own window; a recording made for other timings fails (`timing_mismatch` or the action).
   */
  steps?: LivenessStep[];
}

/** A captured frame; `t` is its capture time in epoch milliseconds. */
export interface LivenessFrame {
  t: number;
  image: Buffer;
}

export type ActionStatus = 'detected' | 'not_detected' | 'undetermined';

export type LivenessReason =
  | 'invalid_challenge'
  | 'too_few_frames'
  | 'too_many_frames'
  | 'frames_out_of_order'
  | 'frame_before_challenge'
  | 'time_limit_exceeded'
  | 'invalid_frame'
  | 'no_face_in_frame'
  | 'multiple_faces_in_frame'
  | 'different_faces'
  | 'no_motion'
  | 'action_not_detected'
  | 'unexpected_action'
  | 'action_undetermined'
  | 'timing_mismatch'
  | 'antispoof_below_threshold'
  | 'live_below_threshold';

/** What the engine measured on one frame (diagnostics; no embeddings). */
export interface FrameDiagnostics {
  t: number;
  faces: number;
  pose: HeadPose | null;
  eyes: number | null;
  similarityToFirst: number | null;
}

export interface LivenessResult {
  /** Heuristic summary in [0,1] (see liveness-judge.ts); `passed` is the decision. */
  score: number;
  passed: boolean;
  failedAction?: LivenessAction;
  reason?: LivenessReason;
  /** Index of the offending frame for per-frame failures. */
  frameIndex?: number;
  perAction: { action: LivenessAction; status: ActionStatus; detectedAt?: number }[];
  sameFace: boolean;
  /** Median anti-spoofing ("real") score over the frames, 0 when not measured. */
  antispoof: number;
  /** Median liveness ("live") score over the frames, 0 when not measured. */
  live: number;
  /** The gesture sequence actually observed, in time order. */
  observedActions: LivenessAction[];
  frames: FrameDiagnostics[];
  provenance: Provenance;
}
