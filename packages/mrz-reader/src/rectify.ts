// Undoes the perspective of a photo taken at an angle before any character is read. A located MRZ is a
// grid of known shape (30 × 3 or 44 × 2 cells of one pitch), so its glyphs tell where the document's
// plane is: the ends of the lines give a first homography from MRZ coordinates (in character pitches) to
// the picture, and every glyph (or run of merged '<' fillers) then votes for the cell it falls in, which
// refits the homography by least squares a few times. The MRZ is then resampled through it onto a flat
// raster with a constant pitch, where the fixed-pitch grid and the template matching work as on a scan.
import type { Component } from './components';
import type { Correspondence, Homography } from './homography';
import { applyHomography, entriesOf, fitHomography, invertHomography } from './homography';
import type { GrayImage } from './image';
import { sampleBilinear } from './image';
import type { TextLine } from './lines';
import { lineYAt } from './lines';
import type { MrzCandidate } from './locate';
import { FORMATS } from './locate';

/** Pixels per character pitch of the rectified raster (two raster pixels per template pixel). */
export const RECT_PITCH = 32;
/** Paper kept around the MRZ in the raster, in pitches. */
const MARGIN_X = 1.5;
const MARGIN_Y = 1.5;
/** Share of a pitch between a cell's edge and its glyph's ink, on average (see locate.ts). */
const INK_INSET = 0.17;
const REFITS = 4;

export interface MrzGeometry {
  /** MRZ coordinates (x in pitches from the left edge of cell 0, y in pitches from line 0's centre) → picture. */
  homography: Homography;
  /** Distance between line centres, in pitches. */
  lineGap: number;
}

export interface RectifiedMrz {
  /** The MRZ on a flat raster: pitch RECT_PITCH, line 0's cell 0 at (MARGIN_X, MARGIN_Y) pitches. */
  image: GrayImage;
  /** The MRZ in the raster, ready for fitGrid. */
  candidate: MrzCandidate;
  geometry: MrzGeometry;
  /** The MRZ's corners in the picture (top-left, top-right, bottom-right, bottom-left). */
  corners: Array<[number, number]>;
}

const centreOf = (p: Component): [number, number] => [(p.minX + p.maxX + 1) / 2, (p.minY + p.maxY + 1) / 2];

/** Every glyph of the located lines assigned to the cell(s) it covers under `h`. */
function glyphPairs(
  sources: readonly TextLine[],
  h: Homography,
  chars: number,
  lineGap: number,
): Correspondence[] {
  const inverse = invertHomography(h);
  if (inverse === undefined) return [];
  const pairs: Correspondence[] = [];
  sources.forEach((line, r) => {
    const rowY = r * lineGap;
    for (const part of line.parts) {
      const [cx, cy] = centreOf(part);
      const [x, y] = applyHomography(inverse, cx, cy);
      const left = applyHomography(inverse, part.minX, cy)[0];
      const right = applyHomography(inverse, part.maxX + 1, cy)[0];
      const cells = Math.max(1, Math.round(right - left + 0.3));
      if (cells > 8 || Math.abs(y - rowY) > 0.6 || !Number.isFinite(x)) continue;
      const first = Math.round(x - cells / 2);
      if (first < 0 || first + cells > chars) continue;
      pairs.push({ from: [first + cells / 2, rowY], to: [cx, cy] });
    }
  });
  return pairs;
}

/** Fits the MRZ's homography from its located lines (see the file comment); undefined when degenerate. */
export function fitMrzGeometry(c: MrzCandidate): MrzGeometry | undefined {
  const { chars } = FORMATS[c.format];
  const gaps = c.lines.slice(1).map((l, i) => l.v - c.lines[i]!.v);
  const lineGap = gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length) / c.pitch;
  if (!(lineGap > 0) || c.sources.length !== c.lines.length) return undefined;
  const ends: Correspondence[] = c.sources.flatMap((line, r) => {
    const x0 = line.minX;
    const x1 = Math.max(...line.parts.map((p) => p.maxX + 1));
    return [
      { from: [INK_INSET, r * lineGap], to: [x0, lineYAt(line, x0)] },
      { from: [chars - INK_INSET, r * lineGap], to: [x1, lineYAt(line, x1)] },
    ] as Correspondence[];
  });
  let h = fitHomography(ends);
  if (h === undefined) return undefined;
  for (let i = 0; i < REFITS; i++) {
    const pairs = glyphPairs(c.sources, h, chars, lineGap);
    if (pairs.length < Math.max(8, chars / 2)) break;
    const next = fitHomography(pairs);
    if (next === undefined) break;
    h = next;
  }
  return { homography: h, lineGap };
}

/** Resamples the MRZ through its homography onto a flat raster (see {@link RectifiedMrz}). */
export function rectifyMrz(gray: GrayImage, c: MrzCandidate): RectifiedMrz | undefined {
  const geometry = fitMrzGeometry(c);
  if (geometry === undefined) return undefined;
  const { homography: h, lineGap } = geometry;
  const { chars, lines: count } = FORMATS[c.format];
  const P = RECT_PITCH;
  const width = Math.round((chars + 2 * MARGIN_X) * P);
  const height = Math.round(((count - 1) * lineGap + 2 * MARGIN_Y) * P);
  if (height > 12 * P || height < 2 * P) return undefined;
  // Source pixels per raster pixel at the MRZ's middle: supersample where the photo is sharper.
  const [ax, ay] = applyHomography(h, chars / 2, 0);
  const [bx, by] = applyHomography(h, chars / 2 + 1, 0);
  const scale = Math.hypot(bx - ax, by - ay) / P;
  if (!Number.isFinite(scale) || scale <= 0) return undefined;
  const sub = Math.max(1, Math.min(3, Math.ceil(scale - 0.2)));
  const acc = new Float32Array(width * height);
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = entriesOf(h);
  const { width: sw, height: sh, data: src } = gray;
  /** Bilinear sample, inlined for the common in-bounds case (outside reads as white paper). */
  const sample = (x: number, y: number): number => {
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    if (x0 < 0 || y0 < 0 || x0 + 1 >= sw || y0 + 1 >= sh) return sampleBilinear(gray, x, y);
    const fx = x - x0;
    const fy = y - y0;
    const i = y0 * sw + x0;
    const top = src[i]! + (src[i + 1]! - src[i]!) * fx;
    const bottom = src[i + sw]! + (src[i + sw + 1]! - src[i + sw]!) * fx;
    return top + (bottom - top) * fy;
  };
  const step = 1 / (sub * P);
  for (let y = 0; y < height; y++) {
    for (let sy = 0; sy < sub; sy++) {
      const Y = (y + (sy + 0.5) / sub) / P - MARGIN_Y;
      // Numerators and denominator are linear in X: step them along the row.
      const X0 = 0.5 / (sub * P) - MARGIN_X;
      let nu = h0 * X0 + h1 * Y + h2;
      let nv = h3 * X0 + h4 * Y + h5;
      let nw = h6 * X0 + h7 * Y + h8;
      const du = h0 * step;
      const dv = h3 * step;
      const dw = h6 * step;
      const row = y * width;
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let sx = 0; sx < sub; sx++) {
          sum += sample(nu / nw, nv / nw);
          nu += du;
          nv += dv;
          nw += dw;
        }
        acc[row + x] = acc[row + x]! + sum;
      }
    }
  }
  const data = new Uint8Array(width * height);
  const n = sub * sub;
  for (let i = 0; i < data.length; i++) data[i] = Math.round(acc[i]! / n);
  const lines = c.lines.map((l, r) => ({
    v: (MARGIN_Y + r * lineGap) * P,
    uStart: (MARGIN_X + INK_INSET) * P,
    uEnd: (MARGIN_X + chars - INK_INSET) * P,
    height: (l.height * P) / c.pitch,
  }));
  const half = 0.75;
  const corners = (
    [
      [0, -half],
      [chars, -half],
      [chars, (count - 1) * lineGap + half],
      [0, (count - 1) * lineGap + half],
    ] as const
  ).map(([X, Y]) => applyHomography(h, X, Y));
  return {
    image: { width, height, data },
    candidate: { format: c.format, cos: 1, sin: 0, lines, pitch: P, penalty: c.penalty, sources: [] },
    geometry,
    corners,
  };
}
