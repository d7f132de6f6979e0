// Repairs misread characters with the ICAO check digits: for each check-digit group that fails, tries
// the cheapest substitutions (one or two characters, drawn from each position's runner-up glyphs within
// its allowed alphabet) that make every check so far hold. A repair is refused when it would cost too
// much or when two different repairs are about equally likely: guessing there could yield an MRZ whose
// check digits pass although it differs from the document.
import type { CheckGroup } from './layout';
import { CHECK_GROUPS } from './layout';
import type { MrzFormat } from './locate';

/** One possible reading of a position, best first. */
export interface Reading {
  readonly char: string;
  readonly score: number;
}

export interface CorrectionLimits {
  /** Largest total score loss of a repair (sum over the substituted characters). */
  maxCost: number;
  /** A repair must beat the next valid one by at least this much. */
  minLead: number;
  /** Runner-ups considered per position. */
  alternatives: number;
}

export const DEFAULT_LIMITS: CorrectionLimits = { maxCost: 0.3, minLead: 0.04, alternatives: 3 };

export interface Correction {
  readonly lines: string[];
  /** Characters changed from the best-scoring reading. */
  readonly corrected: number;
}

interface Substitution {
  line: number;
  col: number;
  char: string;
  cost: number;
}

const lossOf = (options: readonly Reading[], char: string): number => {
  const best = options[0]?.score ?? 0;
  return best - (options.find((o) => o.char === char)?.score ?? -1);
};

function search(
  grid: string[][],
  readings: readonly (readonly (readonly Reading[])[])[],
  group: CheckGroup,
  mustHold: readonly CheckGroup[],
  limits: CorrectionLimits,
): Substitution[] | undefined | null {
  const alts: Substitution[] = [];
  for (const [line, col] of group.positions) {
    const options = readings[line]![col]!;
    const current = lossOf(options, grid[line]![col]!);
    for (const o of options.slice(0, limits.alternatives + 1)) {
      const cost = lossOf(options, o.char) - current;
      if (o.char !== grid[line]![col] && cost <= limits.maxCost) alts.push({ line, col, char: o.char, cost });
    }
  }
  alts.sort((a, b) => a.cost - b.cost);
  const holdsWith = (subs: Substitution[]): boolean => {
    const saved = subs.map((s) => grid[s.line]![s.col]!);
    for (const s of subs) grid[s.line]![s.col] = s.char;
    const lines = grid.map((l) => l.join(''));
    const ok = mustHold.every((g) => g.valid(lines));
    subs.forEach((s, i) => {
      grid[s.line]![s.col] = saved[i]!;
    });
    return ok;
  };
  const found: Array<{ subs: Substitution[]; cost: number }> = [];
  const validSingle = new Set<Substitution>();
  for (const a of alts) {
    if (holdsWith([a])) {
      found.push({ subs: [a], cost: a.cost });
      validSingle.add(a);
    }
  }
  for (let i = 0; i < alts.length; i++) {
    const a = alts[i]!;
    if (validSingle.has(a)) continue;
    for (let j = i + 1; j < alts.length; j++) {
      const b = alts[j]!;
      if (a.cost + b.cost > limits.maxCost) break;
      if (validSingle.has(b) || (a.line === b.line && a.col === b.col)) continue;
      if (holdsWith([a, b])) found.push({ subs: [a, b], cost: a.cost + b.cost });
    }
  }
  found.sort((x, y) => x.cost - y.cost);
  const [best, second] = found;
  if (best === undefined) return undefined;
  if (second !== undefined && second.cost - best.cost < limits.minLead) return null;
  return best.subs;
}

export type CorrectionFailure = { reason: 'unrepairable' | 'ambiguous'; group: string };

/**
 * Takes the best reading of every position and repairs failing check-digit groups, field groups first,
 * then the composite. Returns the repaired lines or why they could not be repaired.
 */
export function correctWithCheckDigits(
  format: MrzFormat,
  readings: readonly (readonly (readonly Reading[])[])[],
  limits: CorrectionLimits = DEFAULT_LIMITS,
): Correction | CorrectionFailure {
  const grid = readings.map((line) => line.map((options) => options[0]?.char ?? '<'));
  const initial = grid.map((l) => l.join(''));
  const groups = CHECK_GROUPS[format];
  const fields = groups.filter((g) => g.name !== 'composite');
  const ordered = [...fields, ...groups.filter((g) => g.name === 'composite')];
  for (const group of ordered) {
    const lines = grid.map((l) => l.join(''));
    if (group.valid(lines)) continue;
    const mustHold = group.name === 'composite' ? groups : [group];
    const subs = search(grid, readings, group, mustHold, limits);
    if (subs === undefined) return { reason: 'unrepairable', group: group.name };
    if (subs === null) return { reason: 'ambiguous', group: group.name };
    for (const s of subs) grid[s.line]![s.col] = s.char;
  }
  const lines = grid.map((l) => l.join(''));
  let corrected = 0;
  lines.forEach((line, i) => {
    for (let c = 0; c < line.length; c++) if (line[c] !== initial[i]![c]) corrected++;
  });
  return { lines, corrected };
}

/**
 * How far the closest rival reading is, in summed score loss: another MRZ, differing from `lines` in one
 * or two positions, whose check digits all hold too (Infinity when none is within `horizon`). A small
 * lead means the document could as well say something else, so the reading must not be trusted. This
 * guards names and codes, which no check digit covers, and pairs such as 8/S or 1/B whose values differ
 * by a multiple of 10 and so fool the check digits.
 */
export function rivalLead(
  format: MrzFormat,
  readings: readonly (readonly (readonly Reading[])[])[],
  lines: readonly string[],
  horizon: number,
): number {
  const grid = lines.map((l) => [...l]);
  const alts: Substitution[] = [];
  readings.forEach((line, l) => {
    line.forEach((options, c) => {
      const char = grid[l]![c]!;
      const current = options.find((o) => o.char === char)?.score ?? -1;
      for (const o of options) {
        const cost = current - o.score;
        if (o.char !== char && cost < horizon) alts.push({ line: l, col: c, char: o.char, cost });
      }
    });
  });
  alts.sort((a, b) => a.cost - b.cost);
  const groups = CHECK_GROUPS[format];
  const valid = (subs: Substitution[]): boolean => {
    const saved = subs.map((s) => grid[s.line]![s.col]!);
    for (const s of subs) grid[s.line]![s.col] = s.char;
    const text = grid.map((l) => l.join(''));
    subs.forEach((s, i) => {
      grid[s.line]![s.col] = saved[i]!;
    });
    return groups.every((g) => g.valid(text));
  };
  let lead = Number.POSITIVE_INFINITY;
  for (let i = 0; i < alts.length; i++) {
    const a = alts[i]!;
    if (a.cost >= lead) break;
    if (valid([a])) {
      lead = a.cost;
      break;
    }
    for (let j = i + 1; j < alts.length; j++) {
      const b = alts[j]!;
      if (a.cost + b.cost >= lead) break;
      if (a.line === b.line && a.col === b.col) continue;
      if (valid([a, b])) lead = a.cost + b.cost;
    }
  }
  return lead;
}
