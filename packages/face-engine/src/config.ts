/**
 * Default thresholds of the face engine, each with where its value comes from.
 *
 * Every result carries `thresholdsVersion` and the full threshold set (see Provenance), so a stored
 * decision can be re-explained later. Bump THRESHOLDS_VERSION whenever a default changes. The
 * measurements behind the face-match numbers are in THRESHOLDS.md and pinned by
 * face-match-thresholds.test.ts; they come from 22 faces in 6 stock photos, which is far too little
 * to certify anything. Recalibrate on consented project data before production.
 */

import type { QualityThresholds } from './quality';

export const THRESHOLDS_VERSION = 'fe-thresholds-2026.1';

export interface Thresholds {
  /**
   * Face match: cosine similarity (`FaceEngine.compare`) >= this is decision `match` ("same
   * person", an officer still reviews a registration). Chosen for FMR <= 0.1 % on different
   * photographs of the calibration set, checked by leave-people-out cross-validation (THRESHOLDS.md).
   */
  match: number;
  /**
   * The confident band for AUTOMATIC decisions without an officer (recovery): similarity >= this.
   * Above the highest impostor pair of both calibration pair sets with a margin (THRESHOLDS.md);
   * `match` <= confident. Anything below it that is still a `match` goes to an officer.
   */
  confident: number;
  /**
   * Face match: similarity in [matchReview, match) is decision `review` (manual check or retry);
   * below is `no_match`.
   */
  matchReview: number;
  /**
   * Liveness: every frame's similarity to the first frame must be >= this (a person swap inside one
   * recording). Frames of one session are far more alike than two photographs; see THRESHOLDS.md.
   */
  sameFace: number;
  /** Detections with a lower detector score are ignored (not counted as faces). */
  minFaceScore: number;
  /** Detections whose box is smaller than this (shorter side, pixels) are ignored. */
  minFaceSizePx: number;
  /** turn_left / turn_right: yaw must move at least this far (degrees) from the neutral start pose. */
  turnYawDeg: number;
  /** nod: pitch must go down at least this far (degrees) from neutral, then come back. */
  nodPitchDeg: number;
  /**
   * Hysteresis: a turn or nod "ends" once the angle is back within this fraction of its threshold;
   * only then can the same gesture be counted again. A nod is only complete when it has ended.
   */
  returnFraction: number;
  /**
   * 'undetermined' (default): blink cannot be verified (see THRESHOLDS.md), so a challenge with a blink
   * never passes and the blink is reported as `undetermined`. 'experimental' turns on the eye-openness
   * detector below, which has only been tested on numeric tracks, never on real video.
   */
  blinkMode: 'undetermined' | 'experimental';
  /** experimental blink: mean eye openness below this fraction of the neutral openness = eyes closed. */
  blinkClosedFraction: number;
  /** experimental blink: ... and back above this fraction = eyes open again. */
  blinkOpenFraction: number;
  /** Neutral pose = median of the first N frames. The client should ask the user to hold still first. */
  neutralFrames: number;
  minFrames: number;
  maxFrames: number;
  /** Tolerated difference between client frame timestamps and server time. */
  clockSkewMs: number;
  /**
   * no_motion: the largest mean landmark displacement from the first frame, as a fraction of the face
   * box size, must reach this. A repeated still photo gives 0.
   */
  minMotion: number;
  /** Median anti-spoofing score over the frames must reach this. Model is NOT calibrated. */
  minAntispoof: number;
  /** Median liveness-model score over the frames must reach this. Model is NOT calibrated. */
  minLive: number;
  /** Selfie quality (quality.ts): smallest distance between the eye centres, pixels. */
  selfieMinInterEyePx: number;
  /** Selfie quality: largest |yaw|, degrees. */
  selfieMaxYawDeg: number;
  /** Selfie quality: largest |pitch|, degrees. */
  selfieMaxPitchDeg: number;
  /** Selfie quality: smallest normalised Laplacian variance of the face (blur). */
  selfieMinSharpness: number;
  /** Selfie quality: darkest accepted mean face grey level (0-255). */
  selfieMinBrightness: number;
  /** Selfie quality: brightest accepted mean face grey level (0-255). */
  selfieMaxBrightness: number;
  /** Selfie quality: largest share of crushed or blown face pixels. */
  selfieMaxClipped: number;
  /** Selfie quality: smallest mean eye openness (eyelid gap / eye width); below = eyes closed. */
  selfieMinEyeOpenness: number;
}

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  match: 0.45,
  confident: 0.55,
  matchReview: 0.3,
  sameFace: 0.4,
  minFaceScore: 0.5,
  minFaceSizePx: 40,
  turnYawDeg: 12,
  nodPitchDeg: 10,
  returnFraction: 0.5,
  blinkMode: 'undetermined',
  blinkClosedFraction: 0.6,
  blinkOpenFraction: 0.85,
  neutralFrames: 2,
  minFrames: 5,
  maxFrames: 60,
  clockSkewMs: 2000,
  minMotion: 0.01,
  minAntispoof: 0.2,
  minLive: 0.2,
  selfieMinInterEyePx: 30,
  selfieMaxYawDeg: 30,
  selfieMaxPitchDeg: 25,
  selfieMinSharpness: 0.035,
  selfieMinBrightness: 52,
  selfieMaxBrightness: 215,
  selfieMaxClipped: 0.15,
  selfieMinEyeOpenness: 0.12,
});

/** The selfie-quality part of a threshold set, in quality.ts's terms. */
export function qualityThresholds(th: Thresholds): QualityThresholds {
  return {
    minInterEyePx: th.selfieMinInterEyePx,
    maxYawDeg: th.selfieMaxYawDeg,
    maxPitchDeg: th.selfieMaxPitchDeg,
    minSharpness: th.selfieMinSharpness,
    minBrightness: th.selfieMinBrightness,
    maxBrightness: th.selfieMaxBrightness,
    maxClipped: th.selfieMaxClipped,
    minEyeOpenness: th.selfieMinEyeOpenness,
  };
}

export interface FaceEngineOptions {
  thresholds?: Partial<Thresholds>;
  /** Images larger than this (longer side, pixels) are downscaled before analysis. Default 1280. */
  maxImageSide?: number;
  /** Most faces reported per image. Default 5. */
  maxFaces?: number;
  /** Set when clients send mirrored (selfie-preview) frames: swaps turn_left and turn_right. */
  framesMirrored?: boolean;
}

export function resolveThresholds(overrides: Partial<Thresholds> | undefined): {
  thresholds: Thresholds;
  custom: boolean;
} {
  const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, ...overrides };
  const custom = (Object.keys(thresholds) as (keyof Thresholds)[]).some(
    (k) => thresholds[k] !== DEFAULT_THRESHOLDS[k],
  );
  return { thresholds, custom };
}
