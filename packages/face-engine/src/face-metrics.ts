/**
 * Turns one @vladmandic/human face result into the engine's DetectedFace: box, scores, embedding,
 * head pose in degrees with the engine's sign convention (see types.ts) and eye openness.
 *
 * Pose: human derives yaw/pitch/roll (radians) from four mesh points (forehead, chin, both cheeks) of
 * the 3D face mesh. Its yaw is negative when the subject turns to their own left in an un-mirrored
 * frame (the subject's left cheek, mesh point 454, moves away from the camera); we negate it so that
 * positive yaw = the subject's own left. Its pitch is positive for head down and its roll positive when
 * the top of the head leans toward the image's right edge; both are kept.
 *
 * Eye openness: eyelid gap (mesh 386-374 left eye, 159-145 right eye) over the eye width (263-362,
 * 33-133), in 2D. "Left"/"right" are the subject's. The iris model refines these eye points.
 */
import type { FaceResult } from '@vladmandic/human';
import type { DetectedFace, EyeOpenness, FaceQuality, HeadPose } from './types';

const DEG = 180 / Math.PI;

type P = [number, number, number?];

const dist2d = (a: P | undefined, b: P | undefined): number =>
  a && b ? Math.hypot(a[0] - b[0], a[1] - b[1]) : Number.NaN;

export function eyeOpenness(mesh: P[]): EyeOpenness | null {
  if (mesh.length < 468) return null;
  const left = dist2d(mesh[386], mesh[374]) / dist2d(mesh[263], mesh[362]);
  const right = dist2d(mesh[159], mesh[145]) / dist2d(mesh[33], mesh[133]);
  if (!Number.isFinite(left) || !Number.isFinite(right)) return null;
  return { left, right, mean: (left + right) / 2 };
}

export function headPose(face: FaceResult, mirrored: boolean): HeadPose | null {
  const angle = face.rotation?.angle;
  if (!angle) return null;
  const yaw = -angle.yaw * DEG;
  return {
    yaw: mirrored ? -yaw : yaw,
    pitch: angle.pitch * DEG,
    roll: (mirrored ? -1 : 1) * angle.roll * DEG,
  };
}

/**
 * Landmarks centred on their centroid and divided by the face box size: a translation- and
 * scale-free shape used to measure motion between frames.
 */
export function normalisedShape(mesh: P[], boxSize: number): Float32Array {
  const n = Math.min(mesh.length, 468);
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    cx += mesh[i]![0];
    cy += mesh[i]![1];
  }
  cx /= n || 1;
  cy /= n || 1;
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[2 * i] = (mesh[i]![0] - cx) / boxSize;
    out[2 * i + 1] = (mesh[i]![1] - cy) / boxSize;
  }
  return out;
}

/** Mean point displacement between two shapes from normalisedShape. */
export function shapeDistance(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length) / 2;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.hypot(a[2 * i]! - b[2 * i]!, a[2 * i + 1]! - b[2 * i + 1]!);
  return sum / n;
}

export interface Observation extends DetectedFace {
  /** normalisedShape of the mesh, for motion checks. */
  shape: Float32Array;
}

const clamp01 = (v: number | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : null;

/**
 * `embedding` and `quality` come from the aligned crop (face-engine.ts), not from human: the engine
 * runs its own recogniser.
 */
export function toObservation(
  face: FaceResult,
  mirrored: boolean,
  embedding: number[],
  quality: FaceQuality | null,
): Observation {
  const [x, y, width, height] = face.box;
  const mesh = face.mesh as P[];
  return {
    box: { x, y, width, height },
    score: face.score,
    embedding,
    quality,
    real: clamp01(face.real),
    live: clamp01(face.live),
    pose: headPose(face, mirrored),
    eyes: eyeOpenness(mesh),
    landmarks: mesh.map((p) => [p[0], p[1], p[2] ?? 0]),
    shape: normalisedShape(mesh, Math.max(width, height)),
  };
}

/** Strips internal fields before a face leaves the engine. */
export function publicFace(o: Observation): DetectedFace {
  const { shape: _shape, ...face } = o;
  return face;
}
