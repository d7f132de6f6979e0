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

function rotateMesh(mesh: V3[], { yaw, pitch }: Pose): V3[] {
  const n = mesh.length;
  const mean = (k: 0 | 1 | 2) => mesh.reduce((s, p) => s + p[k], 0) / n;
  const xs = mesh.map((p) => p[0]);
  const faceWidth = Math.max(...xs) - Math.min(...xs);
  const [cx, cy, cz] = [mean(0), mean(1), mean(2) + faceWidth * 0.5];
  const ty = (yaw * Math.PI) / 180;
  const tp = (pitch * Math.PI) / 180;
  return mesh.map(([x, y, z]) => {
    const X = x - cx;
    const Y = y - cy;
    const Z = z - cz;
    // yaw > 0 moves the near (negative z) points toward +x; pitch > 0 moves them toward +y.
    const X1 = X * Math.cos(ty) - Z * Math.sin(ty);
    const Z1 = X * Math.sin(ty) + Z * Math.cos(ty);
    const Y2 = Y * Math.cos(tp) - Z1 * Math.sin(tp);
    const Z2 = Y * Math.sin(tp) + Z1 * Math.cos(tp);
    return [cx + X1, cy + Y2, Z2];
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

  const dst = rotateMesh(src.mesh, pose);
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
  return canvas.encodeSync('jpeg', 90);
}
