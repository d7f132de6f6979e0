/**
 * Biometric verification metrics over genuine and impostor comparison scores (higher = more alike;
 * a pair is accepted when its score is >= the threshold), following ISO/IEC 19795-1 terms:
 * - FMR(t): share of impostor pairs with score >= t (false match rate);
 * - FNMR(t): share of genuine pairs with score < t (false non-match rate);
 * - FNMR at FMR = x: the FNMR at the lowest threshold whose FMR is <= x. With n impostor pairs,
 *   FMR below 1/n cannot be measured: it then means "no impostor accepted at all", which is what
 *   `resolvable` says.
 * - AUC: probability that a random genuine pair outscores a random impostor pair (ties count 1/2).
 *
 * Pure functions; pairs and folds are built from labels only, so they can be unit-tested.
 */

export interface Distribution {
  n: number;
  min: number;
  p05: number;
  median: number;
  p95: number;
  max: number;
}

export function distribution(values: readonly number[]): Distribution {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) =>
    s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))] ?? Number.NaN;
  return { n: s.length, min: q(0), p05: q(0.05), median: q(0.5), p95: q(0.95), max: q(1) };
}

export const fmrAt = (impostor: readonly number[], t: number): number =>
  impostor.length === 0 ? Number.NaN : impostor.filter((s) => s >= t).length / impostor.length;

export const fnmrAt = (genuine: readonly number[], t: number): number =>
  genuine.length === 0 ? Number.NaN : genuine.filter((s) => s < t).length / genuine.length;

/**
 * The lowest threshold with FMR <= `targetFmr`: just above the (k+1)-th highest impostor score,
 * k = floor(targetFmr × n) impostors may pass. Returned as the next representable double above that
 * score so that `score >= threshold` excludes it.
 */
export function thresholdForFmr(impostor: readonly number[], targetFmr: number): number {
  if (impostor.length === 0) return Number.NEGATIVE_INFINITY;
  const desc = [...impostor].sort((a, b) => b - a);
  const k = Math.floor(targetFmr * desc.length + 1e-9);
  if (k >= desc.length) return Number.NEGATIVE_INFINITY;
  return nextUp(desc[k]!);
}

function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) + (x > 0 ? 1n : -1n));
  return view.getFloat64(0);
}

export interface OperatingPoint {
  targetFmr: number;
  threshold: number;
  fmr: number;
  fnmr: number;
  /** false when fewer than 1/targetFmr impostor pairs exist: the point means "zero impostors accepted". */
  resolvable: boolean;
}

export function fnmrAtFmr(
  genuine: readonly number[],
  impostor: readonly number[],
  targetFmr: number,
): OperatingPoint {
  const threshold = thresholdForFmr(impostor, targetFmr);
  return {
    targetFmr,
    threshold,
    fmr: fmrAt(impostor, threshold),
    fnmr: fnmrAt(genuine, threshold),
    resolvable: impostor.length * targetFmr >= 1,
  };
}

/** Mann-Whitney AUC, O((g+i) log(g+i)). */
export function auc(genuine: readonly number[], impostor: readonly number[]): number {
  if (genuine.length === 0 || impostor.length === 0) return Number.NaN;
  const all = [...genuine.map((s) => ({ s, g: true })), ...impostor.map((s) => ({ s, g: false }))].sort(
    (a, b) => a.s - b.s,
  );
  let rankSum = 0;
  let i = 0;
  while (i < all.length) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.s === all[i]!.s) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (all[k]!.g) rankSum += rank;
    i = j + 1;
  }
  const g = genuine.length;
  return (rankSum - (g * (g + 1)) / 2) / (g * impostor.length);
}

/** Equal error rate: where FMR and FNMR cross (the mean of both at the closest threshold). */
export function eer(genuine: readonly number[], impostor: readonly number[]): number {
  const candidates = [...new Set([...genuine, ...impostor])].sort((a, b) => a - b);
  let best = { gap: Number.POSITIVE_INFINITY, rate: Number.NaN };
  for (const t of candidates) {
    const fmr = fmrAt(impostor, t);
    const fnmr = fnmrAt(genuine, t);
    const gap = Math.abs(fmr - fnmr);
    if (gap < best.gap) best = { gap, rate: (fmr + fnmr) / 2 };
  }
  return best.rate;
}

export interface Pair {
  a: number;
  b: number;
  genuine: boolean;
}

/** Every unordered pair of different photos; genuine when both show the same person. */
export function allPairs(persons: readonly string[]): Pair[] {
  const out: Pair[] = [];
  for (let a = 0; a < persons.length; a++) {
    for (let b = a + 1; b < persons.length; b++) out.push({ a, b, genuine: persons[a] === persons[b] });
  }
  return out;
}

/**
 * Ordered pairs (selfie a, reference b) of different photos: for the selfie-vs-ID-card set, where
 * the reference side is the degraded ID-card version of photo b.
 */
export function orderedPairs(persons: readonly string[]): Pair[] {
  const out: Pair[] = [];
  for (let a = 0; a < persons.length; a++) {
    for (let b = 0; b < persons.length; b++)
      if (a !== b) out.push({ a, b, genuine: persons[a] === persons[b] });
  }
  return out;
}

export function split(
  pairs: readonly Pair[],
  score: (p: Pair) => number,
): { genuine: number[]; impostor: number[] } {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (const p of pairs) {
    const s = score(p);
    if (!Number.isFinite(s)) continue;
    (p.genuine ? genuine : impostor).push(s);
  }
  return { genuine, impostor };
}

/**
 * People assigned to k folds round-robin in a fixed order (sorted by name, then shuffled with a
 * seeded generator), so folds are reproducible and no person is in two folds.
 */
export function personFolds(persons: readonly string[], k: number, seed = 1): Map<string, number> {
  const names = [...new Set(persons)].sort();
  let state = seed >>> 0 || 1;
  const rand = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  return new Map(names.map((n, i) => [n, i % k]));
}

export interface CrossValidation {
  targetFmr: number;
  /** Threshold chosen on the training people of each fold. */
  thresholds: number[];
  /** Pooled over folds, measured on pairs that involve at least one held-out person. */
  fmr: number;
  fnmr: number;
  genuine: number;
  impostor: number;
}

/**
 * Leave-people-out cross-validation of "choose the threshold for FMR <= target": for each fold, the
 * threshold comes from pairs of the other people only, and is measured on the pairs that involve at
 * least one person of the fold. A threshold that only works for the people it was chosen on shows
 * up here as a higher FMR or FNMR than on the whole set.
 */
export function crossValidate(
  pairs: readonly Pair[],
  persons: readonly string[],
  score: (p: Pair) => number,
  targetFmr: number,
  k = 5,
  seed = 1,
): CrossValidation {
  const fold = personFolds(persons, k, seed);
  const foldOf = (i: number) => fold.get(persons[i]!)!;
  const thresholds: number[] = [];
  let fm = 0;
  let fnm = 0;
  let nGen = 0;
  let nImp = 0;
  for (let f = 0; f < k; f++) {
    const train = pairs.filter((p) => foldOf(p.a) !== f && foldOf(p.b) !== f);
    const test = pairs.filter((p) => foldOf(p.a) === f || foldOf(p.b) === f);
    const tr = split(train, score);
    const t = thresholdForFmr(tr.impostor, targetFmr);
    thresholds.push(t);
    const te = split(test, score);
    fm += te.impostor.filter((s) => s >= t).length;
    fnm += te.genuine.filter((s) => s < t).length;
    nGen += te.genuine.length;
    nImp += te.impostor.length;
  }
  return { targetFmr, thresholds, fmr: fm / nImp, fnmr: fnm / nGen, genuine: nGen, impostor: nImp };
}
