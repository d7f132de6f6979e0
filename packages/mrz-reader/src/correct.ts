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
 * For every position, the cost (summed score loss against the reading's own characters) of the cheapest other reading that
 * changes that position — alone, or together with one more position — and still has every check digit
 * holding; `horizon` where there is none cheaper. A position of a field no check digit covers (names,
 * codes, sex) is as sure as its runner-up glyph is far; a check-digit-protected one is sure unless two
 * near-equal misreads would cancel out in the check digit (0 → O at weights 3 and 7, 0 → B at 7 and 3…).
 */
export function rivalCosts(
  format: MrzFormat,
  readings: readonly (readonly (readonly Reading[])[])[],
  lines: readonly string[],
  horizon: number,
  /** Divides the score gap between two characters (e.g. their template distance); 1 by default. */
  scale: (from: string, to: string) => number = () => 1,
): number[][] {
  const costs = lines.map((line) => new Array<number>(line.length).fill(horizon));
  const grid = lines.map((l) => [...l]);
  const groups = CHECK_GROUPS[format];
  const protectedBy = lines.map((line) => new Array<boolean>(line.length).fill(false));
  for (const g of groups) for (const [l, c] of g.positions) protectedBy[l]![c] = true;
  const alts: Substitution[] = [];
  readings.forEach((line, l) => {
    line.forEach((options, c) => {
      const char = grid[l]![c]!;
      const current = options.find((o) => o.char === char)?.score ?? -1;
      for (const o of options) {
        if (o.char === char) continue;
        const cost = Math.max(0, current - o.score) / scale(char, o.char);
        if (cost < horizon) alts.push({ line: l, col: c, char: o.char, cost });
      }
    });
  });
  alts.sort((a, b) => a.cost - b.cost);
  const valid = (subs: Substitution[]): boolean => {
    const saved = subs.map((s) => grid[s.line]![s.col]!);
    for (const s of subs) grid[s.line]![s.col] = s.char;
    const text = grid.map((l) => l.join(''));
    subs.forEach((s, i) => {
      grid[s.line]![s.col] = saved[i]!;
    });
    return groups.every((g) => g.valid(text));
  };
  const lower = (s: Substitution, cost: number) => {
    if (cost < costs[s.line]![s.col]!) costs[s.line]![s.col] = cost;
  };
  const protectedAlts: Substitution[] = [];
  for (const a of alts) {
    if (!protectedBy[a.line]![a.col]) lower(a, a.cost);
    else if (valid([a])) lower(a, a.cost);
    else protectedAlts.push(a);
  }
  // Pairs of protected misreads that together keep every check digit holding.
  for (let i = 0; i < protectedAlts.length; i++) {
    const a = protectedAlts[i]!;
    for (let j = i + 1; j < protectedAlts.length; j++) {
      const b = protectedAlts[j]!;
      const cost = a.cost + b.cost;
      if (cost >= horizon) break;
      if (a.line === b.line && a.col === b.col) continue;
      if (cost >= costs[a.line]![a.col]! && cost >= costs[b.line]![b.col]!) continue;
      if (valid([a, b])) {
        lower(a, cost);
        lower(b, cost);
      }
    }
  }
  return costs;
}
