// readMrz: finds and reads the machine-readable zone of an ID card (TD1) or passport (TD3) in a gray
// photo. Pipeline: adaptive binarisation → glyph components chained into lines → MRZ-shaped line groups
// (turned up to ±25°, converging as perspective makes them) → a homography fitted to the glyphs, through
// which the MRZ is resampled flat (rectify.ts) → fixed-pitch grid → OCR-B template correlation per cell →
// per-position alphabets (and issuer rules) and ICAO check digits to repair and vet the reading → a
// confidence per character (how far the nearest other valid reading through that character is). Only
// a reading whose every character is sure comes back as an MRZ; one with unsure characters is a distinct
// answer (`mrz_uncertain`: take another photo, or add more camera frames with MrzConsensus). Pure
// TypeScript: the same code runs on the server and in the browser. Validating the fields (dates, expiry,
// age) is left to parseIdentityMrz.
import type { Result } from '@camdigikey/core/result';
import { err, ok } from '@camdigikey/core/result';
import { binarize } from './binarize';
import type { CellScores } from './classify';
import { classifyCells } from './classify';
import type { CorrectionLimits, Reading } from './correct';
import { correctWithCheckDigits, DEFAULT_LIMITS, rivalCosts } from './correct';
import type { MrzGrid } from './grid';
import { fitGrid } from './grid';
import type { GrayImage } from './image';
import { downscale, isUsableImage } from './image';
import { allowedAt } from './layout';
import type { MrzCandidate, MrzFormat } from './locate';
import { findMrzCandidates } from './locate';
import type { RectifiedMrz } from './rectify';
import { RECT_PITCH, rectifyMrz } from './rectify';
import type { PreparedTemplates, TemplateSet } from './templates';
import { deserializeTemplates, MRZ_ALPHABET, prepareTemplates, templateDistance } from './templates';
import { OCR_B_TEMPLATES } from './templates.generated';

/** Per line, per position: the readings the position allows, best first, with their template scores. */
export type ReadingTable = Reading[][][];

export interface MrzRead {
  /** The MRZ lines, top to bottom (3 × 30 for TD1, 2 × 44 for TD3). */
  lines: string[];
  format: MrzFormat;
  /** 0…1: mean template correlation of the characters read. */
  confidence: number;
  /** Characters changed from the best-matching glyph to make the check digits hold. */
  corrected: number;
  /**
   * Per line, per character, 0…1: how far the nearest other reading through this character (that also
   * passes every check digit) is, relative to the certainty threshold. At least 0.5 for every character
   * of a returned MRZ; below 0.5 the character is unsure and the read is `mrz_uncertain`.
   */
  charConfidence: number[][];
  /** The MRZ's corners in the input image: top-left, top-right, bottom-right, bottom-left. */
  corners: Array<[number, number]>;
  /** The best readings of every position (up to 4), for combining several camera frames. */
  readings: ReadingTable;
}

export type MrzReadError = 'mrz_not_found' | 'mrz_unreadable' | 'mrz_uncertain';

/** What `mrz_uncertain` carries in its detail: the reading and which characters are unsure. */
export type UncertainMrz = MrzRead & {
  /** [line, column] of every unsure character. */
  unsure: Array<[number, number]>;
};

export interface CertaintyPolicy {
  /**
   * A character is sure when the nearest other valid reading through it is at least this far: the summed
   * score gaps, each divided by the distance between the two characters' templates (absolute floor) …
   */
  minRivalCost: number;
  /** … and at least this many times the read's noise floor (1 − mean score). */
  minRivalLead: number;
}

/**
 * Chosen on development cards only (seeds 100–155, the perturbations of READ-RATE.md and a harsher set:
 * yaw 20°, tilt 20°, 480 px, blur 2.5 px with JPEG q40): every wrong reading there had a nearest rival
 * closer than 0.062 (a squashed-glyph confusion the vertical scale search now removes) or, in heavy blur,
 * closer than 0.3 × its noise floor; right readings mostly stay above both.
 */
export const DEFAULT_CERTAINTY: CertaintyPolicy = { minRivalCost: 0.07, minRivalLead: 0.3 };

export interface ReadMrzOptions {
  /** Glyph templates; defaults to the OCR-B set generated into this package. */
  templates?: TemplateSet;
  /** Check-digit repair limits. */
  limits?: CorrectionLimits;
  /** When a character counts as sure (see READ-RATE.md for how the default was chosen). */
  certainty?: CertaintyPolicy;
  /** Candidates (best-shaped first) to try before giving up. */
  maxCandidates?: number;
}

/** Longest side processed; larger photos are shrunk by an integer factor first. */
const MAX_SIDE = 1800;
/** Mean correlation below which a located line group is taken not to be an MRZ at all. */
const MIN_MRZ_LIKENESS = 0.45;
/** Readings kept per position in a returned read. */
const KEPT_READINGS = 4;

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

/** The readings of every cell, restricted by position and issuer (see layout.ts, allowedAt). */
export function tableFromScores(format: MrzFormat, cells: readonly (readonly CellScores[])[]): ReadingTable {
  const best = cells.map((line) => line.map((scores) => MRZ_ALPHABET[argmax(scores)] ?? '<').join(''));
  return cells.map((line, l) => line.map((scores, c) => readingsFor(scores, allowedAt(format, best, l, c))));
}

function argmax(scores: CellScores): number {
  let k = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[k]!) k = i;
  return k;
}

export type Decision =
  | { kind: 'certain' | 'uncertain'; read: MrzRead; unsure: Array<[number, number]> }
  | { kind: 'unreadable'; reason: Record<string, unknown> };

/**
 * Decides on a table of readings: repairs it with the check digits, then rates every character by its
 * nearest valid rival (rivalCosts). `certain` when every character is sure under `policy`.
 */
export function decide(
  format: MrzFormat,
  readings: ReadingTable,
  opts: {
    limits?: CorrectionLimits;
    certainty?: CertaintyPolicy;
    corners?: Array<[number, number]>;
    templates?: TemplateSet;
  } = {},
): Decision {
  const fixed = correctWithCheckDigits(format, readings, opts.limits ?? DEFAULT_LIMITS);
  if ('reason' in fixed) return { kind: 'unreadable', reason: { ...fixed } };
  const policy = opts.certainty ?? DEFAULT_CERTAINTY;
  const chosen = fixed.lines.flatMap((line, l) =>
    [...line].map((ch, c) => readings[l]![c]!.find((r) => r.char === ch)?.score ?? 0),
  );
  const confidence = Math.max(0, Math.min(1, chosen.reduce((a, b) => a + b, 0) / chosen.length));
  const noise = Math.max(0.01, 1 - confidence);
  const threshold = Math.max(policy.minRivalCost, policy.minRivalLead * noise);
  const templates = templatesFor(opts.templates);
  const costs = rivalCosts(format, readings, fixed.lines, 2 * threshold, (a, b) =>
    templateDistance(templates, a, b),
  );
  const unsure: Array<[number, number]> = [];
  const charConfidence = costs.map((line, l) =>
    line.map((cost, c) => {
      if (cost < threshold) unsure.push([l, c]);
      return Math.round(Math.min(1, cost / (2 * threshold)) * 1000) / 1000;
    }),
  );
  const read: MrzRead = {
    lines: fixed.lines,
    format,
    confidence,
    corrected: fixed.corrected,
    charConfidence,
    corners: opts.corners ?? [],
    readings: readings.map((line) => line.map((options) => options.slice(0, KEPT_READINGS))),
  };
  return { kind: unsure.length === 0 ? 'certain' : 'uncertain', read, unsure };
}

/** Vertical sampling scales tried on the rectified MRZ, in the order tried (see flatten). */
const V_SCALES = [1, 0.93, 1.07, 0.87, 1.14];
/** Every how many cells the scale probe classifies. */
const PROBE_STEP = 3;

/**
 * The candidate rectified, with its grid at the vertical scale whose glyphs best match the templates.
 * A card tilted towards or away from the camera shows its lines closer together than they are (and a
 * card turned sideways, farther apart): the homography fitted to the glyph rows cannot tell, so its
 * glyphs come out squashed or stretched. A few vertical scales are probed on every third cell,
 * starting from none and going on only in the direction that helped.
 */
function flatten(
  gray: GrayImage,
  candidate: MrzCandidate,
  templates: PreparedTemplates,
): { rectified: RectifiedMrz; grid: MrzGrid } | undefined {
  const rectified = rectifyMrz(gray, candidate);
  if (rectified === undefined) return undefined;
  const fitted = fitGrid(binarize(rectified.image, { window: 3 * RECT_PITCH }), rectified.candidate);
  if (fitted === undefined) return undefined;
  let best = { scale: 1, likeness: Number.NEGATIVE_INFINITY };
  for (const scale of V_SCALES) {
    if (Math.abs(scale - 1) > 0.1 && Math.sign(scale - 1) !== Math.sign(best.scale - 1)) continue;
    const probe = classifyCells(rectified.image, { ...fitted, vScale: scale }, templates, PROBE_STEP).flat();
    const likeness =
      probe.reduce((sum, scores) => sum + scores.reduce((m, v) => Math.max(m, v), -1), 0) / probe.length;
    // Not glyphs of this grid at all (another format's lines, or no MRZ): give up at once.
    if (scale === 1 && likeness < MIN_MRZ_LIKENESS - 0.05) return undefined;
    if (likeness > best.likeness) best = { scale, likeness };
  }
  return { rectified, grid: { ...fitted, vScale: best.scale } };
}

/**
 * Reads the MRZ in `image`. Never throws on bad input. Answers the MRZ only when every check digit holds
 * and every character is sure; `mrz_uncertain` (detail: {@link UncertainMrz}) when it reads with every
 * check digit holding but some character could as well be another; `mrz_unreadable` when an MRZ is
 * there but does not read with its check digits holding; `mrz_not_found` when no MRZ-shaped text is
 * present (including empty or tiny images).
 */
export function readMrz(image: GrayImage, opts: ReadMrzOptions = {}): Result<MrzRead, MrzReadError> {
  if (!isUsableImage(image, 60, 20)) return err('mrz_not_found');
  const factor = Math.ceil(Math.max(image.width, image.height) / MAX_SIDE);
  const gray = factor > 1 ? downscale(image, factor) : image;
  const window = Math.max(15, Math.min(101, Math.round(Math.min(gray.width, gray.height) / 12)));
  const binary = binarize(gray, { window });
  const candidates = findMrzCandidates(binary).slice(0, opts.maxCandidates ?? 3);
  const templates = templatesFor(opts.templates);
  let seen = false;
  let lastReason: Record<string, unknown> = {};
  let uncertain: UncertainMrz | undefined;
  for (const candidate of candidates) {
    const flat = flatten(gray, candidate, templates);
    if (flat === undefined) continue;
    const { rectified, grid } = flat;
    const readings = tableFromScores(candidate.format, classifyCells(rectified.image, grid, templates));
    const best = readings.flat().map((r) => r[0]?.score ?? 0);
    const likeness = best.reduce((a, b) => a + b, 0) / best.length;
    if (likeness < MIN_MRZ_LIKENESS) continue;
    seen = true;
    const corners = rectified.corners.map(([x, y]) => [x * factor, y * factor] as [number, number]);
    const decision = decide(candidate.format, readings, { ...opts, corners });
    if (decision.kind === 'unreadable') {
      lastReason = decision.reason;
      continue;
    }
    if (decision.kind === 'certain') return ok(decision.read);
    if (uncertain === undefined || decision.unsure.length < uncertain.unsure.length) {
      uncertain = { ...decision.read, unsure: decision.unsure };
    }
  }
  if (uncertain !== undefined) return err('mrz_uncertain', { ...uncertain });
  return seen ? err('mrz_unreadable', lastReason) : err('mrz_not_found');
}
