// readMrz: finds and reads the machine-readable zone of an ID card (TD1) or passport (TD3) in a gray
// photo. Pipeline: adaptive binarisation → glyph components chained into lines → MRZ-shaped line groups
// (any rotation up to ±8°) → fixed-pitch grid → OCR-B template correlation per cell → per-position
// alphabets and ICAO check digits to repair and vet the reading. Pure TypeScript: the same code runs on
// the server and in the browser. Validating the fields (dates, expiry, age) is left to parseIdentityMrz.
import type { Result } from '@camdigikey/core/result';
import { err, ok } from '@camdigikey/core/result';
import { binarize } from './binarize';
import type { CellScores } from './classify';
import { classifyCells } from './classify';
import type { CorrectionLimits, Reading } from './correct';
import { correctWithCheckDigits, DEFAULT_LIMITS, rivalLead } from './correct';
import { fitGrid } from './grid';
import type { GrayImage } from './image';
import { downscale, isUsableImage } from './image';
import { ALPHABETS } from './layout';
import type { MrzFormat } from './locate';
import { findMrzCandidates } from './locate';
import type { PreparedTemplates, TemplateSet } from './templates';
import { deserializeTemplates, MRZ_ALPHABET, prepareTemplates } from './templates';
import { OCR_B_TEMPLATES } from './templates.generated';

export interface MrzRead {
  /** The MRZ lines, top to bottom (3 × 30 for TD1, 2 × 44 for TD3). */
  lines: string[];
  format: MrzFormat;
  /** 0…1: mean template correlation of the characters read. */
  confidence: number;
  /** Characters changed from the best-matching glyph to make the check digits hold. */
  corrected: number;
}

export type MrzReadError = 'mrz_not_found' | 'mrz_unreadable';

export interface ReadMrzOptions {
  /** Glyph templates; defaults to the OCR-B set generated into this package. */
  templates?: TemplateSet;
  /** Check-digit repair limits. */
  limits?: CorrectionLimits;
  /**
   * The closest rival reading whose check digits also hold (see rivalLead) must trail by at least this
   * many times the read's noise floor (1 − confidence). Default 0.18; calibrated on synthetic
   * documents where wrong reads had at most 0.1 and right reads of the mild set at least 0.23.
   */
  minRivalLead?: number;
  /** Candidates (best-shaped first) to try before giving up. */
  maxCandidates?: number;
}

/** Longest side processed; larger photos are shrunk by an integer factor first. */
const MAX_SIDE = 1800;
/** Mean correlation below which a located line group is taken not to be an MRZ at all. */
const MIN_MRZ_LIKENESS = 0.45;

let defaultTemplates: PreparedTemplates | undefined;
const prepared = new WeakMap<TemplateSet, PreparedTemplates>();

function templatesFor(set: TemplateSet | undefined): PreparedTemplates {
  if (set === undefined) {
    defaultTemplates ??= prepareTemplates(deserializeTemplates(OCR_B_TEMPLATES));
    return defaultTemplates;
  }
  let p = prepared.get(set);
  if (p === undefined) {
    p = prepareTemplates(set);
    prepared.set(set, p);
  }
  return p;
}

/** Readings of a cell restricted to the characters its position allows, best first. */
function readingsFor(scores: CellScores, allowed: string): Reading[] {
  return [...allowed]
    .map((char) => ({ char, score: scores[MRZ_ALPHABET.indexOf(char)]! }))
    .sort((a, b) => b.score - a.score);
}

/**
 * Reads the MRZ in `image`. Never throws on bad input: answers `mrz_not_found` when no MRZ-shaped text
 * is present (including empty or tiny images) and `mrz_unreadable` when one is found but its characters
 * cannot be read with every check digit holding and no other reading (one or two characters away) that
 * holds as well and is nearly as likely.
 */
export function readMrz(image: GrayImage, opts: ReadMrzOptions = {}): Result<MrzRead, MrzReadError> {
  if (!isUsableImage(image, 60, 20)) return err('mrz_not_found');
  const factor = Math.ceil(Math.max(image.width, image.height) / MAX_SIDE);
  const gray = factor > 1 ? downscale(image, factor) : image;
  const window = Math.max(15, Math.min(101, Math.round(Math.min(gray.width, gray.height) / 12)));
  const binary = binarize(gray, { window });
  const candidates = findMrzCandidates(binary).slice(0, opts.maxCandidates ?? 3);
  const templates = templatesFor(opts.templates);
  const minLead = opts.minRivalLead ?? 0.18;
  let seen = false;
  let lastReason: Record<string, unknown> = {};
  for (const candidate of candidates) {
    const grid = fitGrid(binary, candidate);
    if (grid === undefined) continue;
    const cells = classifyCells(gray, grid, templates);
    const alphabets = ALPHABETS[candidate.format];
    const readings = cells.map((line, l) => line.map((scores, c) => readingsFor(scores, alphabets[l]![c]!)));
    const best = readings.flat().map((r) => r[0]?.score ?? 0);
    const likeness = best.reduce((a, b) => a + b, 0) / best.length;
    if (likeness < MIN_MRZ_LIKENESS) continue;
    seen = true;
    const fixed = correctWithCheckDigits(candidate.format, readings, opts.limits ?? DEFAULT_LIMITS);
    if ('reason' in fixed) {
      lastReason = { ...fixed };
      continue;
    }
    const chosen = fixed.lines.flatMap((line, l) =>
      [...line].map((ch, c) => readings[l]![c]!.find((r) => r.char === ch)?.score ?? 0),
    );
    const confidence = Math.max(0, Math.min(1, chosen.reduce((a, b) => a + b, 0) / chosen.length));
    const noise = Math.max(0.01, 1 - confidence);
    const lead = rivalLead(candidate.format, readings, fixed.lines, 2 * minLead * noise) / noise;
    if (lead < minLead) {
      lastReason = { reason: 'ambiguous_reading', lead: Number(lead.toFixed(3)) };
      continue;
    }
    return ok({ lines: fixed.lines, format: candidate.format, confidence, corrected: fixed.corrected });
  }
  return seen ? err('mrz_unreadable', lastReason) : err('mrz_not_found');
}
