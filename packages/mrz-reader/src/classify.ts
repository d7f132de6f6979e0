// Cuts each MRZ line into its grid cells, samples every cell (deskewed, scaled to the template size) from
// the gray image and scores it against all glyph templates by normalised cross-correlation, which
// ignores the contrast and brightness changes that glare and exposure cause. A line-wide offset (found
// on a sample of cells) absorbs grid error; each cell may then move one template pixel more to follow
// local distortion, trying only its best-matching glyphs at the shifted positions to save time.
import type { MrzGrid } from './grid';
import type { GrayImage } from './image';
import { sampleBilinear } from './image';
import type { PreparedTemplates } from './templates';
import { TEMPLATE_HEIGHT, TEMPLATE_WIDTH, WINDOW_PITCHES } from './templates';

/** Search margin around a cell, in template pixels (1/16 pitch each). */
const MARGIN = 3;
const SPAN = 2 * MARGIN + 1;
const PW = TEMPLATE_WIDTH + 2 * MARGIN;
const PH = TEMPLATE_HEIGHT + 2 * MARGIN;
const N = TEMPLATE_WIDTH * TEMPLATE_HEIGHT;
/** Cells per line used to choose the line offset. */
const PROBE_CELLS = 8;
/** Glyphs re-scored at the shifted positions of each cell. */
const SHORTLIST = 6;

/** Scores of one cell: `scores[k]` is the correlation (−1…1) with template `k` of MRZ_ALPHABET. */
export type CellScores = Float32Array;

/** Samples a cell with its margin as darkness (255 − gray), area-averaged when shrinking. */
function samplePatch(image: GrayImage, grid: MrzGrid, line: number, col: number): Float32Array {
  const { pitch, cos, sin } = grid;
  const g = grid.lines[line]!;
  const px = pitch / TEMPLATE_WIDTH;
  const py = px * (grid.vScale ?? 1);
  const sub = Math.max(1, Math.min(3, Math.round(px)));
  const uLeft = g.u0 + col * pitch - MARGIN * px;
  const vTop = g.v - (WINDOW_PITCHES * TEMPLATE_WIDTH * py) / 2 - MARGIN * py;
  const out = new Float32Array(PW * PH);
  const norm = 1 / (sub * sub);
  for (let ty = 0; ty < PH; ty++) {
    for (let tx = 0; tx < PW; tx++) {
      let sum = 0;
      for (let sy = 0; sy < sub; sy++) {
        const v = vTop + (ty + (sy + 0.5) / sub) * py;
        for (let sx = 0; sx < sub; sx++) {
          const u = uLeft + (tx + (sx + 0.5) / sub) * px;
          sum += sampleBilinear(image, u * cos - v * sin, u * sin + v * cos);
        }
      }
      out[ty * PW + tx] = 255 - sum * norm;
    }
  }
  return out;
}

/** Copies the window at offset (ox, oy) of a patch into `into`, zero-mean and unit norm; false when flat. */
function windowAt(patch: Float32Array, ox: number, oy: number, into: Float32Array): boolean {
  let sum = 0;
  for (let y = 0; y < TEMPLATE_HEIGHT; y++) {
    const row = (oy + y) * PW + ox;
    for (let x = 0; x < TEMPLATE_WIDTH; x++) {
      const value = patch[row + x]!;
      into[y * TEMPLATE_WIDTH + x] = value;
      sum += value;
    }
  }
  const mean = sum / N;
  let energy = 0;
  for (let i = 0; i < N; i++) {
    const d = into[i]! - mean;
    into[i] = d;
    energy += d * d;
  }
  if (energy < N) return false;
  const scale = 1 / Math.sqrt(energy);
  for (let i = 0; i < N; i++) into[i] = into[i]! * scale;
  return true;
}

function dot(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < N; i++) d += a[i]! * b[i]!;
  return d;
}

/** Scores all templates at one offset into `out` (−1 where the window is blank). */
function scoreAll(patch: Float32Array, ox: number, oy: number, t: PreparedTemplates, buf: Float32Array) {
  const out = new Float32Array(t.vectors.length).fill(-1);
  if (!windowAt(patch, ox, oy, buf)) return out;
  for (let k = 0; k < t.vectors.length; k++) out[k] = dot(t.vectors[k]!, buf);
  return out;
}

const maxOf = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, v), -1);

/**
 * Scores every cell of every line (see the file comment); with `step` > 1 only every step-th cell of each
 * line (a quick probe of how well the grid fits).
 */
export function classifyCells(
  image: GrayImage,
  grid: MrzGrid,
  templates: PreparedTemplates,
  step = 1,
): CellScores[][] {
  const buf = new Float32Array(N);
  const columns = Array.from({ length: Math.ceil(grid.chars / step) }, (_, i) => i * step);
  return grid.lines.map((_, line) => {
    const patches = columns.map((col) => samplePatch(image, grid, line, col));
    const fit = new Float64Array(SPAN * SPAN);
    for (let p = 0; p < PROBE_CELLS; p++) {
      const patch = patches[Math.floor(((p + 0.5) * patches.length) / PROBE_CELLS)]!;
      for (let o = 0; o < SPAN * SPAN; o++) {
        fit[o] = fit[o]! + maxOf(scoreAll(patch, o % SPAN, Math.floor(o / SPAN), templates, buf));
      }
    }
    let bestOffset = 0;
    for (let o = 1; o < SPAN * SPAN; o++) if (fit[o]! > fit[bestOffset]!) bestOffset = o;
    const cx = bestOffset % SPAN;
    const cy = Math.floor(bestOffset / SPAN);
    return patches.map((patch) => {
      const scores = scoreAll(patch, cx, cy, templates, buf);
      const shortlist = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!).slice(0, SHORTLIST);
      for (let oy = Math.max(0, cy - 1); oy <= Math.min(SPAN - 1, cy + 1); oy++) {
        for (let ox = Math.max(0, cx - 1); ox <= Math.min(SPAN - 1, cx + 1); ox++) {
          if ((ox === cx && oy === cy) || !windowAt(patch, ox, oy, buf)) continue;
          for (const k of shortlist) scores[k] = Math.max(scores[k]!, dot(templates.vectors[k]!, buf));
        }
      }
      return scores;
    });
  });
}
