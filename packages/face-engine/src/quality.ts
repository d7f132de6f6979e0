/**
 * Selfie quality at capture, in the spirit of ISO/IEC 29794-5 (face image quality): a selfie that
 * will not match is refused with the reasons, so the citizen can fix it while still in front of the
 * camera, instead of failing the face match later.
 *
 * Two pure steps:
 * - `measureFaceCrop`: sharpness and exposure of the face, measured on the aligned face crop the
 *   recogniser itself sees (so "blurred" means blurred at the scale that matters for matching);
 * - `assessSelfieQuality`: the measures of one image against `QualityThresholds`, returning every
 *   failed check (in the order a person would fix them).
 *
 * What each measure is:
 * - faces: faces the detector found with score >= minFaceScore and size >= minFaceSizePx;
 * - interEyePx: distance between the eye centres in the analysed image (ISO/IEC 39794-5 asks
 *   >= 90 px for an enrolment portrait; a matching selfie can do with less, see THRESHOLDS.md);
 * - yaw / pitch: head pose in degrees from the face mesh;
 * - sharpness: variance of the 4-neighbour Laplacian of the grey face (inner face region of the
 *   112 px aligned crop), divided by the grey-level variance of the same region, so that contrast
 *   and lighting do not pass for sharpness; a defocused or motion-blurred face has little
 *   high-frequency energy left;
 * - brightness: mean grey level (0-255, Rec. 601 luma) of the inner face region;
 * - clipped: share of its pixels at <= 8 or >= 247 (crushed shadows, blown highlights);
 * - eyeOpenness: mean eyelid gap over eye width of both eyes (face-metrics.ts), null when unknown.
 */

import type { DetectedFace } from './types';

export type SelfieQualityReason =
  | 'no_face'
  | 'multiple_faces'
  | 'face_too_small'
  | 'face_off_axis'
  | 'face_blurred'
  | 'too_dark'
  | 'overexposed'
  | 'eyes_closed';

export const SELFIE_QUALITY_REASONS: readonly SelfieQualityReason[] = [
  'no_face',
  'multiple_faces',
  'face_too_small',
  'face_off_axis',
  'face_blurred',
  'too_dark',
  'overexposed',
  'eyes_closed',
];

export interface CropMeasures {
  sharpness: number;
  brightness: number;
  clipped: number;
}

export interface QualityMeasures extends CropMeasures {
  faces: number;
  interEyePx: number;
  yaw: number;
  pitch: number;
  eyeOpenness: number | null;
}

export interface QualityThresholds {
  /** Smallest distance between the eye centres, in pixels of the analysed image. */
  minInterEyePx: number;
  /** Largest |yaw| in degrees (head turned sideways). */
  maxYawDeg: number;
  /** Largest |pitch| in degrees (head up or down). */
  maxPitchDeg: number;
  /** Smallest normalised Laplacian variance of the face (see sharpness above). */
  minSharpness: number;
  /** Darkest accepted mean face brightness (0-255). */
  minBrightness: number;
  /** Brightest accepted mean face brightness (0-255). */
  maxBrightness: number;
  /** Largest share of clipped (crushed or blown) face pixels. */
  maxClipped: number;
  /** Smallest mean eye openness; below, the eyes count as closed. */
  minEyeOpenness: number;
}

export interface QualityAssessment {
  ok: boolean;
  reasons: SelfieQualityReason[];
  measures: QualityMeasures | null;
}

/** Every failed check, in the order a person would fix them: framing first, then light, then eyes. */
export function assessSelfieQuality(m: QualityMeasures | null, th: QualityThresholds): QualityAssessment {
  if (!m || m.faces === 0) return { ok: false, reasons: ['no_face'], measures: m };
  const reasons: SelfieQualityReason[] = [];
  if (m.faces > 1) reasons.push('multiple_faces');
  if (m.interEyePx < th.minInterEyePx) reasons.push('face_too_small');
  if (Math.abs(m.yaw) > th.maxYawDeg || Math.abs(m.pitch) > th.maxPitchDeg) reasons.push('face_off_axis');
  const dark = m.brightness < th.minBrightness;
  const bright = m.brightness > th.maxBrightness;
  if (dark || (m.clipped > th.maxClipped && m.brightness < 128)) reasons.push('too_dark');
  else if (bright || m.clipped > th.maxClipped) reasons.push('overexposed');
  // A face drowned in shadow or glare has no detail left: say what to fix (the light), not "blurred".
  if (m.sharpness < th.minSharpness && !reasons.includes('too_dark') && !reasons.includes('overexposed')) {
    reasons.push('face_blurred');
  }
  if (m.eyeOpenness !== null && m.eyeOpenness < th.minEyeOpenness) reasons.push('eyes_closed');
  return { ok: reasons.length === 0, reasons, measures: m };
}

/**
 * The measures of a selfie from the engine's faces (largest first, as `detect` returns them); null
 * when there is no face or the largest has no landmarks to measure.
 */
export function measuresOf(faces: readonly DetectedFace[]): QualityMeasures | null {
  const face = faces[0];
  if (!face?.quality) return null;
  return {
    faces: faces.length,
    ...face.quality,
    yaw: face.pose?.yaw ?? 0,
    pitch: face.pose?.pitch ?? 0,
    eyeOpenness: face.eyes?.mean ?? null,
  };
}

/** The inner face region of a 112 px ArcFace-aligned crop: brows to chin, cheek to cheek. */
const INNER = { x0: 26, x1: 86, y0: 36, y1: 104 } as const;

/**
 * Sharpness and exposure of an aligned RGB face crop (`size`×`size`, ArcFace template, zoom 1).
 * Only the inner face region is measured, so background and the mid-grey padding of a face near the
 * image edge do not count.
 */
export function measureFaceCrop(rgb: Uint8Array, size: number): CropMeasures {
  const s = size / 112;
  const x0 = Math.round(INNER.x0 * s);
  const x1 = Math.round(INNER.x1 * s);
  const y0 = Math.round(INNER.y0 * s);
  const y1 = Math.round(INNER.y1 * s);
  const w = x1 - x0;
  const h = y1 - y0;
  const grey = new Float64Array(w * h);
  let sum = 0;
  let clipped = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = ((y + y0) * size + (x + x0)) * 3;
      const g = 0.299 * rgb[o]! + 0.587 * rgb[o + 1]! + 0.114 * rgb[o + 2]!;
      grey[y * w + x] = g;
      sum += g;
      if (g <= 8 || g >= 247) clipped++;
    }
  }
  const n = w * h;
  const mean = sum / n;
  let variance = 0;
  for (const g of grey) variance += (g - mean) ** 2;
  variance /= n;
  let lapSum = 0;
  let lapSq = 0;
  let m = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = grey[i - 1]! + grey[i + 1]! + grey[i - w]! + grey[i + w]! - 4 * grey[i]!;
      lapSum += l;
      lapSq += l * l;
      m++;
    }
  }
  const lapVar = lapSq / m - (lapSum / m) ** 2;
  return {
    sharpness: variance > 0 ? lapVar / variance : 0,
    brightness: mean,
    clipped: clipped / n,
  };
}
