// Chains glyph-sized connected components into text lines (tolerating small rotations, since each link
// only joins horizontal neighbours) and fits each line's angle, height and extent.
import type { Component } from './components';

export interface TextLine {
  readonly parts: readonly Component[];
  /** Typical glyph height (80th percentile of part heights), in pixels. */
  readonly height: number;
  /** Slope angle of the fitted centre line, radians (positive = descending to the right). */
  readonly angle: number;
  /** Centre line: y = cy + (x - cx) * tan(angle). */
  readonly cx: number;
  readonly cy: number;
  readonly minX: number;
  readonly maxX: number;
}

const h = (c: Component): number => c.maxY - c.minY + 1;
const w = (c: Component): number => c.maxX - c.minX + 1;
const midY = (c: Component): number => (c.minY + c.maxY) / 2;

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Components that could be one glyph (or a few merged ones) of a text line. */
export function glyphLike(components: readonly Component[], imageHeight: number): Component[] {
  const maxH = Math.max(8, imageHeight / 4);
  return components.filter((c) => {
    const ch = h(c);
    const cw = w(c);
    return ch >= 5 && ch <= maxH && cw <= 6 * ch && c.count >= 0.08 * cw * ch;
  });
}

/** Fits a line through the part centres (least squares, weighted by width). */
export function fitLine(parts: readonly Component[]): TextLine {
  let sw = 0;
  let sx = 0;
  let sy = 0;
  for (const p of parts) {
    const weight = w(p);
    sw += weight;
    sx += weight * ((p.minX + p.maxX) / 2);
    sy += weight * midY(p);
  }
  const cx = sx / sw;
  const cy = sy / sw;
  let sxx = 0;
  let sxy = 0;
  for (const p of parts) {
    const weight = w(p);
    const dx = (p.minX + p.maxX) / 2 - cx;
    sxx += weight * dx * dx;
    sxy += weight * dx * (midY(p) - cy);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return {
    parts,
    height: percentile(
      parts.map((p) => h(p)),
      0.8,
    ),
    angle: Math.atan(slope),
    cx,
    cy,
    minX: Math.min(...parts.map((p) => p.minX)),
    maxX: Math.max(...parts.map((p) => p.maxX)),
  };
}

/** y of the line's centre at column x. */
export const lineYAt = (line: TextLine, x: number): number => line.cy + (x - line.cx) * Math.tan(line.angle);

/** Links each glyph to its nearest right-hand neighbour of similar size on the same baseline. */
export function chainLines(glyphs: readonly Component[], minParts = 4): Component[][] {
  const sorted = [...glyphs].sort((a, b) => a.minX - b.minX);
  const next = new Int32Array(sorted.length).fill(-1);
  const prevCost = new Float64Array(sorted.length).fill(Number.POSITIVE_INFINITY);
  const prev = new Int32Array(sorted.length).fill(-1);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    const ha = h(a);
    let best = -1;
    let bestCost = Number.POSITIVE_INFINITY;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j]!;
      if (b.minX > a.maxX + 1.2 * ha) break;
      const hb = h(b);
      const hmax = Math.max(ha, hb);
      const gap = b.minX - a.maxX;
      if (b.maxX <= a.maxX || gap < -0.25 * hmax || gap > hmax) continue;
      if (hb < 0.55 * ha || hb > 1.8 * ha) continue;
      const dy = Math.abs(midY(a) - midY(b));
      if (dy > 0.35 * hmax) continue;
      const cost = Math.max(0, gap) / hmax + (2 * dy) / hmax;
      if (cost < bestCost) {
        bestCost = cost;
        best = j;
      }
    }
    if (best >= 0 && bestCost < prevCost[best]!) {
      const old = prev[best]!;
      if (old >= 0) next[old] = -1;
      prev[best] = i;
      prevCost[best] = bestCost;
      next[i] = best;
    }
  }
  const chains: Component[][] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (prev[i]! >= 0) continue;
    const chain: Component[] = [];
    for (let k = i; k >= 0; k = next[k]!) chain.push(sorted[k]!);
    if (chain.length >= minParts) chains.push(chain);
  }
  return chains;
}

/** Joins chains that lie on one straight line with a moderate gap (a line broken by glare or a merge). */
export function mergeCollinear(lines: TextLine[]): TextLine[] {
  const pool = [...lines].sort((a, b) => a.minX - b.minX);
  let merged = true;
  while (merged) {
    merged = false;
    outer: for (let i = 0; i < pool.length; i++) {
      for (let j = 0; j < pool.length; j++) {
        if (i === j) continue;
        const a = pool[i]!;
        const b = pool[j]!;
        if (b.minX < a.maxX - a.height || b.minX > a.maxX + 4 * a.height) continue;
        if (b.height < 0.7 * a.height || b.height > 1.4 * a.height) continue;
        const along = a.parts.length >= b.parts.length ? a : b;
        const other = along === a ? b : a;
        if (Math.abs(lineYAt(along, other.cx) - other.cy) > 0.35 * a.height) continue;
        pool[i] = fitLine([...a.parts, ...b.parts]);
        pool.splice(j, 1);
        merged = true;
        break outer;
      }
    }
  }
  return pool;
}
