/**
 * Synthetic head motion from a single still face crop, for liveness tests (we have no videos).
 *
 * Method: take the engine's own 3D face mesh of the crop, rotate the 468 mesh points about an axis
 * half a face-width behind the face (yaw = vertical axis, pitch = horizontal axis), and texture-map
 * every mesh triangle from its original to its rotated position (affine per triangle, drawn far to
 * near, back-facing triangles dropped). The original face oval is first painted over with a blurred
 * copy so that no second, "ghost" set of eyes remains. Hair, ears and background do not move.
 *
 * What this proves: that the pose estimator reads a changed yaw/pitch from pixels that look like a
 * turned/nodded face, and that the liveness rules behave as designed on such tracks. What it does
 * NOT prove: behaviour on real video (motion blur, lighting changes, real 3D parallax), nor any
 * resistance to attacks; in fact this is exactly how an attacker could animate a stolen photo.
 * A 2D cylinder warp of the crop was tried first and moved yaw by only ~0.5 degree per degree and
 * pitch not consistently; the mesh warp moves both by roughly 0.6-1 degree per degree.
 *
 * Blink cannot be synthesised this way: the mesh has no triangles over the eye opening, and pulling
 * the upper-lid points down left the eyeball visible; eye openness did not drop consistently.
 *
 * The other actions of the liveness challenges: a head tilt (roll) rotates the mesh in the image
 * plane; an open mouth pulls the lower lip, the chin and the jaw line down (with a fall-off toward
 * the cheeks) and paints the opening between the inner lips dark (the mesh has no triangles over
 * the mouth opening either, so the warp alone would show the blurred skin there); moving closer
 * zooms the whole picture about the face's centre, as a camera that comes nearer does (a real
 * background would grow less than the face: another thing this does not model).
 */
import { createCanvas, type Image, loadImage } from '@napi-rs/canvas';
import sharp from 'sharp';
import { loadHumanModule } from '../runtime';
import type { DetectedFace } from '../types';

type V3 = [number, number, number];

const SILHOUETTE = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149,
  150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

let triangulation: number[] | undefined;
function triangles(): number[] {
  triangulation ??= new (loadHumanModule().Human)().faceTriangulation;
  return triangulation;
}

export interface Pose {
  /** Degrees, engine convention: > 0 = the subject turns to their own left (nose to image right). */
  yaw: number;
  /** Degrees, > 0 = head down. */
  pitch: number;
  /** Degrees, > 0 = the top of the head leans toward the image's right edge. */
  roll?: number;
  /** Mouth opening, as a fraction of the face's height (0 = as photographed; 0.12 = wide open). */
  mouth?: number;
  /** Zoom about the face's centre (1 = as photographed; 1.4 = the face 40 % larger). */
  scale?: number;
}

/**
 * 15 frames: neutral (2), turn to the subject's own left and back, to the right and back, nod (head
 * down 30 degrees and up), neutral. Used by the liveness tests, the bench and the calibration run.
 */
export const LEFT_RIGHT_NOD_PLAN: readonly Pose[] = [
  { yaw: 0, pitch: 0 },
  { yaw: 2, pitch: 1 },
  { yaw: 18, pitch: 0 },
  { yaw: 35, pitch: 0 },
  { yaw: 18, pitch: 0 },
  { yaw: 0, pitch: 0 },
  { yaw: -18, pitch: 0 },
  { yaw: -35, pitch: 0 },
  { yaw: -18, pitch: 0 },
  { yaw: 0, pitch: 0 },
  { yaw: 0, pitch: 15 },
  { yaw: 0, pitch: 30 },
  { yaw: 0, pitch: 15 },
  { yaw: 0, pitch: 0 },
  { yaw: -1, pitch: 0 },
];

/** Inner lip contour (upper lip 78→308 over 13, lower lip back over 14), for the mouth opening. */
const INNER_LIPS_UPPER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308];
const INNER_LIPS_LOWER = [324, 318, 402, 317, 14, 87, 178, 88, 95];
const INNER_LIPS = [...INNER_LIPS_UPPER, ...INNER_LIPS_LOWER];

/** Pulls every point below the mouth corners down by up to `opening` × face height (most at the chin's middle). */
function openMouth(mesh: V3[], opening: number): V3[] {
  if (!opening) return mesh;
  const ys = mesh.map((p) => p[1]);
  const xs = mesh.map((p) => p[0]);
  const faceHeight = Math.max(...ys) - Math.min(...ys);
  const faceWidth = Math.max(...xs) - Math.min(...xs);
  const left = mesh[78]!;
  const right = mesh[308]!;
  const cx = (left[0] + right[0]) / 2;
  const mouthY = (mesh[13]![1] + mesh[14]![1]) / 2;
  const upper = new Set([...INNER_LIPS_UPPER, 0, 37, 39, 40, 185, 267, 269, 270, 409, 61, 291]);
  return mesh.map((p, i) => {
    if (upper.has(i) || p[1] < mouthY - faceHeight * 0.005) return p;
    // Full drop near the middle of the jaw, fading toward the sides of the face.
    const side = Math.min(1, Math.abs(p[0] - cx) / (faceWidth * 0.5));
    const drop = opening * faceHeight * (1 - side * side);
    return [p[0], p[1] + drop, p[2]];
  });
}

/**
 * What a phone camera adds to every frame and a rendered still does not: sensor noise (grey-level
 * noise of about `noise`, different in every frame), a small exposure flicker and hand shake (the
 * whole picture moves by up to `shake` pixels). `k` numbers the frame (it seeds the noise), so the
 * same call gives the same frame. Test recordings that stand for a real person (not an attack)
 * pass through this; without it their background is bit-identical from frame to frame, which is
 * what the passive attack signal (pad.ts) looks for in injected, animated stills.
 */
export async function cameraLike(
  image: Buffer,
  k: number,
  opts: { noise?: number; shake?: number; quality?: number } = {},
): Promise<Buffer> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  let seed = (k + 1) * 2654435761;
  const rand = () => {
    seed = (seed ^ (seed << 13)) >>> 0;
    seed = (seed ^ (seed >>> 17)) >>> 0;
    seed = (seed ^ (seed << 5)) >>> 0;
    return seed / 4294967296;
  };
  const noise = opts.noise ?? 2.5;
  const shake = opts.shake ?? 1;
  const dx = Math.round((rand() * 2 - 1) * shake);
  const dy = Math.round((rand() * 2 - 1) * shake);
  const gain = 1 + (rand() * 2 - 1) * 0.02;
  const out = Buffer.alloc(data.length);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(height - 1, Math.max(0, y + dy));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(width - 1, Math.max(0, x + dx));
      // Approximately normal noise: the sum of three uniforms, scaled.
      const n = (rand() + rand() + rand() - 1.5) * noise * 2;
      for (let c = 0; c < channels; c++) {
        const v = data[(sy * width + sx) * channels + c]! * gain + n;
        out[(y * width + x) * channels + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return sharp(out, { raw: { width, height, channels } })
    .jpeg({ quality: opts.quality ?? 90 })
    .toBuffer();
}

/** The furthest pose of each action, shown at the middle of its window by `timelinePoses`. */
export const ACTION_PEAKS: Record<string, Pose> = {
  turn_left: { yaw: 35, pitch: 0 },
  turn_right: { yaw: -35, pitch: 0 },
  nod: { yaw: 0, pitch: 30 },
  look_up: { yaw: 0, pitch: -30 },
  tilt_left: { yaw: 0, pitch: 0, roll: 22 },
  tilt_right: { yaw: 0, pitch: 0, roll: -22 },
  open_mouth: { yaw: 0, pitch: 0, mouth: 0.1 },
  move_closer: { yaw: 0, pitch: 0, scale: 1.45 },
};

/** A pose part of the way (0..1) from neutral to `peak`. */
export function towards(peak: Pose, k: number): Pose {
  return {
    yaw: peak.yaw * k,
    pitch: peak.pitch * k,
    roll: (peak.roll ?? 0) * k,
    mouth: (peak.mouth ?? 0) * k,
    scale: 1 + ((peak.scale ?? 1) - 1) * k,
  };
}

/** Inside an action's window: still for the first 15 %, to the peak by 45 %, held to 60 %, back by 85 %. */
function profile(p: number): number {
  if (p < 0.15 || p > 0.85) return 0;
  if (p < 0.45) return (p - 0.15) / 0.3;
  if (p <= 0.6) return 1;
  return (0.85 - p) / 0.25;
}

/** Rounds a pose so that frames of equal poses can share one rendering. */
const tidy = (p: Pose): Pose => ({
  yaw: Math.round(p.yaw),
  pitch: Math.round(p.pitch),
  roll: Math.round(p.roll ?? 0),
  mouth: Math.round((p.mouth ?? 0) * 100) / 100,
  scale: Math.round((p.scale ?? 1) * 100) / 100,
});

/**
 * The poses of a recording that does a timed challenge (steps in ms from the first frame), one
 * every `intervalMs` until `durationMs`: looking straight (with a slight sway in the second
 * frame, as a hand-held phone shows) outside the windows, each action at the middle of its window.
 */
export function timelinePoses(
  steps: readonly { action: string; startMs: number; endMs: number }[],
  intervalMs: number,
  durationMs = steps.at(-1)?.endMs ?? 0,
  peaks: Record<string, Pose> = ACTION_PEAKS,
): { t: number; pose: Pose }[] {
  const out: { t: number; pose: Pose }[] = [];
  for (let t = 0; t <= durationMs; t += intervalMs) {
    const step = steps.find((s) => t >= s.startMs && t < s.endMs);
    const peak = step && peaks[step.action];
    if (step && !peak) throw new Error(`no synthetic motion for ${step.action}`);
    const pose =
      step && peak
        ? towards(peak, profile((t - step.startMs) / (step.endMs - step.startMs)))
        : out.length === 1
          ? { yaw: 2, pitch: 1 }
          : { yaw: 0, pitch: 0 };
    out.push({ t, pose: tidy(pose) });
  }
  return out;
}

function rotateMesh(mesh: V3[], { yaw, pitch, roll = 0 }: Pose): V3[] {
  const n = mesh.length;
  const mean = (k: 0 | 1 | 2) => mesh.reduce((s, p) => s + p[k], 0) / n;
  const xs = mesh.map((p) => p[0]);
  const faceWidth = Math.max(...xs) - Math.min(...xs);
  const [cx, cy, cz] = [mean(0), mean(1), mean(2) + faceWidth * 0.5];
  const ty = (yaw * Math.PI) / 180;
  const tp = (pitch * Math.PI) / 180;
  const tr = (roll * Math.PI) / 180;
  return mesh.map(([x, y, z]) => {
    const X = x - cx;
    const Y = y - cy;
    const Z = z - cz;
    // yaw > 0 moves the near (negative z) points toward +x; pitch > 0 moves them toward +y.
    const X1 = X * Math.cos(ty) - Z * Math.sin(ty);
    const Z1 = X * Math.sin(ty) + Z * Math.cos(ty);
    const Y2 = Y * Math.cos(tp) - Z1 * Math.sin(tp);
    const Z2 = Y * Math.sin(tp) + Z1 * Math.cos(tp);
    // roll > 0 turns the face clockwise on screen (top of the head toward the image's right).
    const X3 = X1 * Math.cos(tr) - Y2 * Math.sin(tr);
    const Y3 = X1 * Math.sin(tr) + Y2 * Math.cos(tr);
    return [cx + X3, cy + Y3, Z2];
  });
}

const area = (p: V3, q: V3, r: V3) => (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);

/** Affine [a, b, c, d, e, f] (canvas setTransform order) mapping triangle s onto triangle d. */
function affine(s: V3[], d: V3[]): [number, number, number, number, number, number] | null {
  const [s0, s1, s2] = s as [V3, V3, V3];
  const [d0, d1, d2] = d as [V3, V3, V3];
  const den = (s1[0] - s0[0]) * (s2[1] - s0[1]) - (s2[0] - s0[0]) * (s1[1] - s0[1]);
  if (Math.abs(den) < 1e-6) return null;
  const m11 = ((d1[0] - d0[0]) * (s2[1] - s0[1]) - (d2[0] - d0[0]) * (s1[1] - s0[1])) / den;
  const m12 = ((d2[0] - d0[0]) * (s1[0] - s0[0]) - (d1[0] - d0[0]) * (s2[0] - s0[0])) / den;
  const m21 = ((d1[1] - d0[1]) * (s2[1] - s0[1]) - (d2[1] - d0[1]) * (s1[1] - s0[1])) / den;
  const m22 = ((d2[1] - d0[1]) * (s1[0] - s0[0]) - (d1[1] - d0[1]) * (s2[0] - s0[0])) / den;
  return [m11, m21, m12, m22, d0[0] - m11 * s0[0] - m12 * s0[1], d0[1] - m21 * s0[0] - m22 * s0[1]];
}

/** Prepared source for repeated rendering of one crop. */
export interface MotionSource {
  image: Image;
  blurred: Image;
  mesh: V3[];
  width: number;
  height: number;
}

/** `face` must be the engine's detection on `crop` itself (its landmarks are in crop pixels). */
export async function motionSource(crop: Buffer, face: DetectedFace): Promise<MotionSource> {
  const image = await loadImage(crop);
  const blurred = await loadImage(await sharp(crop).blur(8).png().toBuffer());
  return { image, blurred, mesh: face.landmarks.slice(0, 468), width: image.width, height: image.height };
}

/** Renders the crop with the face turned/nodded by `pose`. Returns a JPEG (quality 90). */
export function renderPose(src: MotionSource, pose: Pose): Buffer {
  const canvas = createCanvas(src.width, src.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(src.image, 0, 0);
  ctx.save();
  ctx.beginPath();
  for (const [k, i] of SILHOUETTE.entries()) {
    const p = src.mesh[i]!;
    if (k === 0) ctx.moveTo(p[0], p[1]);
    else ctx.lineTo(p[0], p[1]);
  }
  ctx.closePath();
  ctx.clip();
  ctx.drawImage(src.blurred, 0, 0);
  ctx.restore();

  const dst = rotateMesh(openMouth(src.mesh, pose.mouth ?? 0), pose);
  if (pose.mouth) {
    // The opening between the inner lips: dark, as the inside of a mouth is.
    ctx.save();
    ctx.beginPath();
    for (const [k, i] of INNER_LIPS.entries()) {
      const p = dst[i]!;
      if (k === 0) ctx.moveTo(p[0], p[1]);
      else ctx.lineTo(p[0], p[1]);
    }
    ctx.closePath();
    ctx.fillStyle = '#2a1214';
    ctx.fill();
    ctx.restore();
  }
  const tri = triangles();
  const visible: { idx: [number, number, number]; z: number }[] = [];
  for (let i = 0; i + 2 < tri.length; i += 3) {
    const idx: [number, number, number] = [tri[i]!, tri[i + 1]!, tri[i + 2]!];
    const [a, b, c] = idx.map((k) => src.mesh[k]!) as [V3, V3, V3];
    const [da, db, dc] = idx.map((k) => dst[k]!) as [V3, V3, V3];
    const before = area(a, b, c);
    const after = area(da, db, dc);
    if (Math.sign(before) !== Math.sign(after) || Math.abs(after) < 0.5) continue; // turned away
    visible.push({ idx, z: (da[2] + db[2] + dc[2]) / 3 });
  }
  visible.sort((p, q) => q.z - p.z);
  for (const { idx } of visible) {
    const s = idx.map((k) => src.mesh[k]!);
    const d = idx.map((k) => dst[k]!);
    const m = affine(s, d);
    if (!m) continue;
    // Grow the clip triangle by 4% around its centroid to hide hairline seams between triangles.
    const mx = (d[0]![0] + d[1]![0] + d[2]![0]) / 3;
    const my = (d[0]![1] + d[1]![1] + d[2]![1]) / 3;
    ctx.save();
    ctx.beginPath();
    for (const [k, p] of d.entries()) {
      const x = p[0] + (p[0] - mx) * 0.04;
      const y = p[1] + (p[1] - my) * 0.04;
      if (k === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.closePath();
    ctx.clip();
    ctx.setTransform(...m);
    ctx.drawImage(src.image, 0, 0);
    ctx.restore();
  }
  const scale = pose.scale ?? 1;
  if (scale === 1) return canvas.encodeSync('jpeg', 90);
  // Closer: the picture zoomed about the face's centre (what leaves the frame is cut off).
  const n = src.mesh.length;
  const fx = src.mesh.reduce((s, p) => s + p[0], 0) / n;
  const fy = src.mesh.reduce((s, p) => s + p[1], 0) / n;
  const zoomed = createCanvas(src.width, src.height);
  const z = zoomed.getContext('2d');
  z.fillStyle = '#808080';
  z.fillRect(0, 0, src.width, src.height);
  z.setTransform(scale, 0, 0, scale, fx - fx * scale, fy - fy * scale);
  z.drawImage(canvas, 0, 0);
  return zoomed.encodeSync('jpeg', 90);
}
