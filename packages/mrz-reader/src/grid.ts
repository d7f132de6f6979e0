// Fits the fixed character grid of a located MRZ: the common pitch (strongest period of the ink's column
// profile, found with a Fourier sweep) and, per line, the cell origin (its phase) and the vertical centre.
// The MRZ is monospaced, so cutting cells on this grid splits '<' runs that connected components merge.
import type { BinaryImage } from './binarize';
import type { MrzCandidate } from './locate';
import { FORMATS } from './locate';

export interface GridLine {
  /** Along-line coordinate of the left edge of cell 0. */
  u0: number;
  /** Across-line coordinate of the glyph centre. */
  v: number;
}

export interface MrzGrid {
  cos: number;
  sin: number;
  pitch: number;
  chars: number;
  lines: GridLine[];
  /**
   * Height of a template pixel relative to its width, in image pixels (default 1): above 1 samples a
   * glyph that appears stretched vertically, below 1 one that appears squashed (foreshortening).
   */
  vScale?: number;
}

function inkAt(binary: BinaryImage, x: number, y: number): number {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= binary.width || yi >= binary.height) return 0;
  return binary.data[yi * binary.width + xi]!;
}

/** Ink per column of a band around one line, sampled every `step` along u. */
function columnProfile(
  binary: BinaryImage,
  c: MrzCandidate,
  v: number,
  u0: number,
  u1: number,
  halfHeight: number,
  step: number,
): Float64Array {
  const n = Math.max(1, Math.ceil((u1 - u0) / step));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = u0 + i * step;
    let sum = 0;
    for (let dv = -halfHeight; dv <= halfHeight; dv += step) {
      const vv = v + dv;
      sum += inkAt(binary, u * c.cos - vv * c.sin, u * c.sin + vv * c.cos);
    }
    out[i] = sum;
  }
  return out;
}

/** Ink-weighted mean v of a line's band: its vertical centre, robust to symmetric blur. */
function inkCentre(binary: BinaryImage, c: MrzCandidate, v: number, u0: number, u1: number, reach: number) {
  let sum = 0;
  let weighted = 0;
  const step = Math.max(0.5, reach / 24);
  const uStep = Math.max(1, (u1 - u0) / 400);
  for (let dv = -reach; dv <= reach; dv += step) {
    let row = 0;
    for (let u = u0; u <= u1; u += uStep) {
      const vv = v + dv;
      row += inkAt(binary, u * c.cos - vv * c.sin, u * c.sin + vv * c.cos);
    }
    sum += row;
    weighted += row * dv;
  }
  return sum > 0 ? v + weighted / sum : v;
}

/** Fourier coefficient (re, im) of a profile sampled every `step` from `start`, at period `p`. */
function fourier(profile: Float64Array, start: number, step: number, p: number): [number, number] {
  const w = (2 * Math.PI) / p;
  // Rotate a unit phasor by a fixed angle per sample instead of calling cos/sin each time.
  const dc = Math.cos(w * step);
  const ds = Math.sin(w * step);
  let c = Math.cos(w * start);
  let s = Math.sin(w * start);
  let re = 0;
  let im = 0;
  for (let i = 0; i < profile.length; i++) {
    const f = profile[i]!;
    re += f * c;
    im -= f * s;
    const nc = c * dc - s * ds;
    s = s * dc + c * ds;
    c = nc;
  }
  return [re, im];
}

/** Fits pitch and per-line cell origins; undefined when no periodic structure is found. */
export function fitGrid(binary: BinaryImage, c: MrzCandidate): MrzGrid | undefined {
  const { chars } = FORMATS[c.format];
  const p0 = c.pitch;
  const step = Math.max(0.5, p0 / 16);
  const profiles = c.lines.map((line) => {
    const v = inkCentre(binary, c, line.v, line.uStart, line.uEnd, 0.75 * p0);
    const start = line.uStart - p0;
    return { v, start, line, profile: columnProfile(binary, c, v, start, line.uEnd + p0, 0.6 * p0, step) };
  });
  const power = (p: number): number =>
    profiles.reduce((sum, { start, profile }) => sum + Math.hypot(...fourier(profile, start, step, p)), 0);
  // Coarse sweep over ±15 % of the estimate, then a fine one around the best coarse pitch.
  let bestPitch = p0;
  let bestPower = -1;
  for (const [from, to, by] of [
    [-0.15, 0.15, 0.005],
    [-0.006, 0.006, 0.0005],
  ] as const) {
    const centre = bestPitch;
    for (let f = from; f <= to + 1e-9; f += by) {
      const pw = power(centre * (1 + f));
      if (pw > bestPower) {
        bestPower = pw;
        bestPitch = centre * (1 + f);
      }
    }
  }
  if (bestPitch <= 0) return undefined;
  const p = bestPitch;
  const lines = profiles.map(({ v, start, line, profile }) => {
    const [re, im] = fourier(profile, start, step, p);
    // Glyph centres sit at u ≡ centre (mod p); choose the grid that is centred on the ink.
    const centre = (-Math.atan2(im, re) * p) / (2 * Math.PI);
    const inkMiddle = (line.uStart + line.uEnd) / 2;
    const firstCentre = inkMiddle - (chars / 2 - 0.5) * p;
    const m = Math.round((firstCentre - centre) / p);
    return { u0: centre + m * p - p / 2, v };
  });
  return { cos: c.cos, sin: c.sin, pitch: p, chars, lines };
}
