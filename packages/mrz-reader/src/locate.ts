// Finds MRZ candidates: 2 or 3 parallel, evenly spaced, left- and right-aligned text lines whose length
// is about 30 (TD1, 3 lines) or 44 (TD3, 2 lines) glyph heights. Returns them in a rotated frame
// (u along the lines, v across) so later stages can sample a deskewed band without rotating the image.
import type { BinaryImage } from './binarize';
import { connectedComponents } from './components';
import type { TextLine } from './lines';
import { chainLines, fitLine, glyphLike, mergeCollinear } from './lines';

export type MrzFormat = 'TD1' | 'TD3';

/** Line count and characters per line of each supported format. */
export const FORMATS: Readonly<Record<MrzFormat, { lines: number; chars: number }>> = {
  TD1: { lines: 3, chars: 30 },
  TD3: { lines: 2, chars: 44 },
};

/** One located MRZ line in the rotated frame. */
export interface FrameLine {
  /** Across-line coordinate of the glyph centre line. */
  v: number;
  /** Along-line extent of the ink. */
  uStart: number;
  uEnd: number;
  height: number;
}

export interface MrzCandidate {
  format: MrzFormat;
  /** Direction of the text: image point (x, y) has u = x·cos + y·sin, v = −x·sin + y·cos. */
  cos: number;
  sin: number;
  lines: FrameLine[];
  /** First estimate of the character pitch, pixels. */
  pitch: number;
  /** Lower is a better-shaped candidate. */
  penalty: number;
  /** The located text lines, top to bottom, with their glyph components (for the perspective fit). */
  sources: TextLine[];
}

/**
 * Length / glyph-height ratios accepted for each format (generous: blur fattens, low resolution thins,
 * and in a photo taken at an angle the near end of a line is taller than the far end).
 */
const RATIO: Readonly<Record<MrzFormat, [number, number]>> = { TD1: [16, 38], TD3: [26, 56] };
/** Largest slope of the lines (the card turned in the picture, plus what perspective adds). */
const MAX_ANGLE = (25 * Math.PI) / 180;
/** Largest slope difference between the lines of one MRZ: perspective makes parallel lines converge. */
const MAX_CONVERGENCE = 0.1;

function toFrame(line: TextLine, cos: number, sin: number): FrameLine {
  let uStart = Number.POSITIVE_INFINITY;
  let uEnd = Number.NEGATIVE_INFINITY;
  for (const p of line.parts) {
    const y = (p.minY + p.maxY) / 2;
    uStart = Math.min(uStart, p.minX * cos + y * sin);
    uEnd = Math.max(uEnd, (p.maxX + 1) * cos + y * sin);
  }
  return { v: -line.cx * sin + line.cy * cos, uStart, uEnd, height: line.height };
}

function candidateFrom(group: TextLine[], format: MrzFormat): MrzCandidate | undefined {
  const { chars } = FORMATS[format];
  const weights = group.map((l) => l.maxX - l.minX);
  const total = weights.reduce((a, b) => a + b, 0);
  const angle = group.reduce((a, l, i) => a + l.angle * weights[i]!, 0) / total;
  if (Math.abs(angle) > MAX_ANGLE || group.some((l) => Math.abs(l.angle - angle) > MAX_CONVERGENCE))
    return undefined;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const framed = group
    .map((l) => ({ source: l, line: toFrame(l, cos, sin) }))
    .sort((a, b) => a.line.v - b.line.v);
  const lines = framed.map((f) => f.line);
  const height = lines.map((l) => l.height).sort((a, b) => a - b)[Math.floor(lines.length / 2)]!;
  if (lines.some((l) => l.height < 0.7 * height || l.height > 1.45 * height)) return undefined;
  let penalty = 0;
  for (let i = 1; i < lines.length; i++) {
    const gap = lines[i]!.v - lines[i - 1]!.v;
    if (gap < 1.15 * height || gap > 3 * height) return undefined;
    if (i > 1) {
      const prevGap = lines[i - 1]!.v - lines[i - 2]!.v;
      if (gap > 1.25 * prevGap || gap < 0.8 * prevGap) return undefined;
      penalty += Math.abs(gap - prevGap) / height;
    }
  }
  const starts = lines.map((l) => l.uStart);
  const ends = lines.map((l) => l.uEnd);
  const startSpread = Math.max(...starts) - Math.min(...starts);
  const endSpread = Math.max(...ends) - Math.min(...ends);
  if (startSpread > 2.5 * height || endSpread > 2.5 * height) return undefined;
  const length = Math.max(...ends) - Math.min(...starts);
  const [lo, hi] = RATIO[format];
  if (length < lo * height || length > hi * height) return undefined;
  penalty += (startSpread + endSpread) / height;
  const sources = framed.map((f) => f.source);
  return { format, cos, sin, lines, pitch: length / (chars - 0.34), penalty, sources };
}

/**
 * Finds MRZ-shaped groups of text lines in a binarised image, best first. A line must hold at least
 * `minParts` chained glyphs; lines are grouped in top-to-bottom order, 3 for TD1 and 2 for TD3.
 */
export function findMrzCandidates(binary: BinaryImage, minParts = 10): MrzCandidate[] {
  const glyphs = glyphLike(connectedComponents(binary), binary.height);
  const lines = mergeCollinear(chainLines(glyphs).map((c) => fitLine(c))).filter(
    (l) => l.parts.length >= minParts && l.maxX - l.minX >= 12 * l.height,
  );
  lines.sort((a, b) => a.cy - b.cy);
  const found: MrzCandidate[] = [];
  for (let i = 0; i < lines.length; i++) {
    for (const format of ['TD1', 'TD3'] as const) {
      const n = FORMATS[format].lines;
      // Neighbours in vertical order, allowing one unrelated line between MRZ lines to be skipped.
      const pick: TextLine[] = [lines[i]!];
      for (let j = i + 1; j < lines.length && pick.length < n; j++) {
        const last = pick[pick.length - 1]!;
        const cand = lines[j]!;
        const overlap = Math.min(last.maxX, cand.maxX) - Math.max(last.minX, cand.minX);
        if (overlap > 0.6 * Math.min(last.maxX - last.minX, cand.maxX - cand.minX)) pick.push(cand);
      }
      if (pick.length !== n) continue;
      const candidate = candidateFrom(pick, format);
      if (candidate) found.push(candidate);
    }
  }
  return found.sort((a, b) => a.penalty - b.penalty);
}
