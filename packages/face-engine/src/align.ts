/**
 * Face alignment: a similarity transform (rotation, uniform scale, translation) that maps five
 * landmarks of the face mesh (both eye centres, nose tip, both mouth corners) onto the canonical
 * ArcFace 112×112 template, then a bilinear warp of the decoded RGB image into a square crop.
 *
 * Recognition models are trained on crops aligned this way; feeding them the detector's loose box
 * instead shifts and scales the face from photo to photo (see eval/BAKEOFF.md for what it costs).
 * The transform is the least-squares (Umeyama) similarity without reflection.
 */

/** Five points in image pixels: image-left eye, image-right eye, nose tip, image-left and image-right mouth corner. */
export type FivePoints = [
  [number, number],
  [number, number],
  [number, number],
  [number, number],
  [number, number],
];

/** The ArcFace / InsightFace reference points for a 112×112 crop. */
export const ARCFACE_112: FivePoints = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

type Mesh = readonly (readonly number[])[];

const mid = (m: Mesh, a: number, b: number): [number, number] => [
  (m[a]![0]! + m[b]![0]!) / 2,
  (m[a]![1]! + m[b]![1]!) / 2,
];

/**
 * Five points from the 468/478-point face mesh. Eye centres are the midpoints of the eye corners
 * (33/133 and 362/263), which stay put when the iris moves; nose tip 1; mouth corners 61 and 291.
 * Mesh indices follow the subject: 33/133 is the subject's right eye, which is image-left in an
 * un-mirrored photo.
 */
export function fivePointsFromMesh(mesh: Mesh): FivePoints | null {
  if (mesh.length < 468) return null;
  const p = (i: number): [number, number] => [mesh[i]![0]!, mesh[i]![1]!];
  return [mid(mesh, 33, 133), mid(mesh, 362, 263), p(1), p(61), p(291)];
}

/** Distance between the eye centres in pixels (the ISO/IEC 19794-5 "inter-eye distance"). */
export function interEyeDistance(points: FivePoints): number {
  return Math.hypot(points[1][0] - points[0][0], points[1][1] - points[0][1]);
}

/** Affine 2×3 matrix [a, -b, tx; b, a, ty] mapping source to destination. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** Least-squares similarity transform from `src` to `dst` (same length, at least 2 points). */
export function estimateSimilarity(
  src: readonly (readonly [number, number])[],
  dst: readonly (readonly [number, number])[],
): Similarity {
  const n = Math.min(src.length, dst.length);
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]![0];
    sy += src[i]![1];
    dx += dst[i]![0];
    dy += dst[i]![1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i]![0] - sx;
    const y = src[i]![1] - sy;
    const u = dst[i]![0] - dx;
    const v = dst[i]![1] - dy;
    dot += x * u + y * v;
    cross += x * v - y * u;
    norm += x * x + y * y;
  }
  if (norm === 0) return { a: 1, b: 0, tx: dx - sx, ty: dy - sy };
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: dx - (a * sx - b * sy), ty: dy - (b * sx + a * sy) };
}

/**
 * The canonical points for a square crop of `size` pixels. `zoom` < 1 shows more context around
 * the face (the template shrinks toward the crop centre): 1 is the tight ArcFace crop.
 */
export function templateFor(size: number, zoom = 1): FivePoints {
  const s = size / 112;
  const c = size / 2;
  return ARCFACE_112.map(([x, y]) => [c + (x * s - c) * zoom, c + (y * s - c) * zoom]) as FivePoints;
}

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Warps `img` into a `size`×`size` RGB crop in which `points` land on `templateFor(size, zoom)`.
 * Pixels that fall outside the source are mid-grey. Bilinear sampling.
 */
export function alignedCrop(img: RgbImage, points: FivePoints, size: number, zoom = 1): Uint8Array {
  const m = estimateSimilarity(points, templateFor(size, zoom));
  // Inverse of [a -b; b a]: 1/(a²+b²) [a b; -b a].
  const det = m.a * m.a + m.b * m.b;
  const ia = m.a / det;
  const ib = m.b / det;
  const out = new Uint8Array(size * size * 3);
  const { data, width: W, height: H } = img;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x - m.tx;
      const v = y - m.ty;
      const sx = ia * u + ib * v;
      const sy = -ib * u + ia * v;
      const o = (y * size + x) * 3;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= W || y0 + 1 >= H) {
        out[o] = out[o + 1] = out[o + 2] = 128;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const i00 = (y0 * W + x0) * 3;
      const i10 = i00 + 3;
      const i01 = i00 + W * 3;
      const i11 = i01 + 3;
      for (let c = 0; c < 3; c++) {
        const top = data[i00 + c]! * (1 - fx) + data[i10 + c]! * fx;
        const bottom = data[i01 + c]! * (1 - fx) + data[i11 + c]! * fx;
        out[o + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}
