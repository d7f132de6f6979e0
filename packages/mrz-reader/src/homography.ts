// Plane projective transforms (homographies): how a flat document photographed at an angle maps to the
// picture. Fitted by least squares to point correspondences (the normalised direct linear transform with
// h33 = 1, solved from its 8 × 8 normal equations), applied and inverted. Pure TypeScript.

/** Row-major 3 × 3 matrix mapping (x, y, 1) to homogeneous image coordinates. */
export type Homography = readonly number[];

export interface Correspondence {
  /** Source point (e.g. MRZ coordinates in character pitches). */
  readonly from: readonly [number, number];
  /** Target point (e.g. picture pixels). */
  readonly to: readonly [number, number];
  /** Weight in the least-squares fit (default 1). */
  readonly weight?: number;
}

/** The nine entries of a homography, row-major, for destructuring. */
export type HomographyEntries = [number, number, number, number, number, number, number, number, number];

export function entriesOf(h: Homography): HomographyEntries {
  if (h.length !== 9) throw new RangeError(`a homography has 9 entries, not ${h.length}`);
  return h as HomographyEntries;
}

export function applyHomography(h: Homography, x: number, y: number): [number, number] {
  const w = h[6]! * x + h[7]! * y + h[8]!;
  return [(h[0]! * x + h[1]! * y + h[2]!) / w, (h[3]! * x + h[4]! * y + h[5]!) / w];
}

/** The inverse transform (undefined when singular). */
export function invertHomography(h: Homography): Homography | undefined {
  const [a, b, c, d, e, f, g, i, j] = entriesOf(h);
  const A = e * j - f * i;
  const B = -(d * j - f * g);
  const C = d * i - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return undefined;
  const inv = [
    A,
    -(b * j - c * i),
    b * f - c * e,
    B,
    a * j - c * g,
    -(a * f - c * d),
    C,
    -(a * i - b * g),
    a * e - b * d,
  ];
  return inv.map((v) => v / det);
}

function multiply(p: Homography, q: Homography): number[] {
  return Array.from({ length: 9 }, (_, k) => {
    const r = Math.floor(k / 3);
    const c = k % 3;
    return p[r * 3]! * q[c]! + p[r * 3 + 1]! * q[3 + c]! + p[r * 3 + 2]! * q[6 + c]!;
  });
}

/** Similarity moving the points' centroid to 0 and their mean distance to √2 (Hartley normalisation). */
function normaliser(points: ReadonlyArray<readonly [number, number]>, weights: readonly number[]): number[] {
  let sw = 0;
  let mx = 0;
  let my = 0;
  points.forEach(([x, y], i) => {
    sw += weights[i]!;
    mx += weights[i]! * x;
    my += weights[i]! * y;
  });
  mx /= sw;
  my /= sw;
  let spread = 0;
  points.forEach(([x, y], i) => {
    spread += weights[i]! * Math.hypot(x - mx, y - my);
  });
  const s = spread > 0 ? (Math.SQRT2 * sw) / spread : 1;
  return [s, 0, -s * mx, 0, s, -s * my, 0, 0, 1];
}

/** Solves the n × n system `m · x = v` in place (partial pivoting); undefined when singular. */
function solve(m: number[][], v: number[]): number[] | undefined {
  const n = v.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) return undefined;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    [v[col], v[pivot]] = [v[pivot]!, v[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = m[r]![col]! / m[col]![col]!;
      if (factor === 0) continue;
      for (let c = col; c < n; c++) m[r]![c] = m[r]![c]! - factor * m[col]![c]!;
      v[r] = v[r]! - factor * v[col]!;
    }
  }
  return v.map((x, i) => x / m[i]![i]!);
}

/**
 * The homography that best maps every `from` to its `to` (weighted least squares of the linearised
 * equations, on normalised coordinates). Needs at least 4 correspondences, not all on one line;
 * undefined otherwise.
 */
export function fitHomography(pairs: readonly Correspondence[]): Homography | undefined {
  if (pairs.length < 4) return undefined;
  const weights = pairs.map((p) => p.weight ?? 1);
  const ns = normaliser(
    pairs.map((p) => p.from),
    weights,
  );
  const nt = normaliser(
    pairs.map((p) => p.to),
    weights,
  );
  const ata = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
  const atb = new Array<number>(8).fill(0);
  const add = (row: number[], rhs: number, w: number) => {
    for (let i = 0; i < 8; i++) {
      if (row[i] === 0) continue;
      for (let j = 0; j < 8; j++) ata[i]![j] = ata[i]![j]! + w * row[i]! * row[j]!;
      atb[i] = atb[i]! + w * row[i]! * rhs;
    }
  };
  pairs.forEach((p, k) => {
    const x = ns[0]! * p.from[0] + ns[2]!;
    const y = ns[4]! * p.from[1] + ns[5]!;
    const u = nt[0]! * p.to[0] + nt[2]!;
    const v = nt[4]! * p.to[1] + nt[5]!;
    const w = weights[k]!;
    add([x, y, 1, 0, 0, 0, -u * x, -u * y], u, w);
    add([0, 0, 0, x, y, 1, -v * x, -v * y], v, w);
  });
  const h = solve(ata, atb);
  if (h === undefined || h.some((x) => !Number.isFinite(x))) return undefined;
  const normalised = [...h, 1];
  const ntInverse = invertHomography(nt);
  if (ntInverse === undefined) return undefined;
  const full = multiply(ntInverse, multiply(normalised, ns));
  const scale = full[8]!;
  if (Math.abs(scale) < 1e-12) return undefined;
  return full.map((x) => x / scale);
}
