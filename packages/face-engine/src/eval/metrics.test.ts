import { describe, expect, it } from 'vitest';
import {
  allPairs,
  auc,
  crossValidate,
  distribution,
  eer,
  fmrAt,
  fnmrAt,
  fnmrAtFmr,
  orderedPairs,
  personFolds,
  split,
  thresholdForFmr,
} from './metrics';

describe('verification metrics', () => {
  it('FMR counts impostors at or above the threshold, FNMR genuine pairs below it', () => {
    expect(fmrAt([0.1, 0.5, 0.6], 0.5)).toBeCloseTo(2 / 3);
    expect(fnmrAt([0.4, 0.5, 0.9, 0.95], 0.5)).toBe(0.25);
    expect(Number.isNaN(fmrAt([], 0.5))).toBe(true);
  });

  it('the threshold for a target FMR lets floor(target × n) impostors through, and no more', () => {
    const impostor = Array.from({ length: 2000 }, (_, i) => i / 2000); // 0 … 0.9995
    const t = thresholdForFmr(impostor, 1e-3); // 2 may pass: 0.9995 and 0.999
    expect(impostor.filter((s) => s >= t)).toEqual([0.999, 0.9995]);
    const zero = thresholdForFmr(impostor, 1e-4); // none may pass
    expect(zero).toBeGreaterThan(0.9995);
    expect(impostor.filter((s) => s >= zero)).toEqual([]);
    expect(thresholdForFmr([0], 0)).toBeGreaterThan(0);
  });

  it('FNMR at FMR reads the genuine side at that threshold and says when the point is not resolvable', () => {
    const impostor = Array.from({ length: 1000 }, (_, i) => i / 1000);
    const genuine = [0.5, 0.9985, 0.9995, 1];
    const p = fnmrAtFmr(genuine, impostor, 1e-3); // 1 impostor may pass: threshold just above 0.998
    expect(p.fmr).toBe(1 / 1000);
    expect(p.fnmr).toBe(1 / 4);
    expect(p.resolvable).toBe(true);
    expect(fnmrAtFmr(genuine, impostor, 1e-4).resolvable).toBe(false);
  });

  it('AUC is 1 for separated sets, 0.5 for identical ones, and counts ties as halves', () => {
    expect(auc([0.8, 0.9], [0.1, 0.2])).toBe(1);
    expect(auc([0.1, 0.2], [0.8, 0.9])).toBe(0);
    expect(auc([0.5, 0.5], [0.5, 0.5])).toBe(0.5);
    expect(auc([0.5, 0.9], [0.5, 0.1])).toBe(0.875);
  });

  it('EER is where the two error rates cross', () => {
    expect(eer([0.8, 0.9], [0.1, 0.2])).toBe(0);
    expect(eer([0.1, 0.9], [0.2, 0.8])).toBeCloseTo(0.5);
  });

  it('distribution gives quantiles of the sorted values', () => {
    const d = distribution([5, 1, 3, 2, 4]);
    expect(d).toMatchObject({ n: 5, min: 1, median: 3, max: 5 });
  });
});

describe('pairs and folds', () => {
  const persons = ['a', 'a', 'b', 'b', 'b', 'c'];

  it('unordered pairs: two different photos, genuine when one person', () => {
    const pairs = allPairs(persons);
    expect(pairs).toHaveLength(15);
    expect(pairs.filter((p) => p.genuine)).toHaveLength(1 + 3);
    expect(pairs.every((p) => p.a < p.b)).toBe(true);
  });

  it('ordered pairs: both directions, never a photo with itself', () => {
    const pairs = orderedPairs(persons);
    expect(pairs).toHaveLength(30);
    expect(pairs.filter((p) => p.genuine)).toHaveLength(8);
    expect(pairs.some((p) => p.a === p.b)).toBe(false);
  });

  it('folds put every person in exactly one fold, reproducibly', () => {
    const names = Array.from({ length: 19 }, (_, i) => `p${i}`);
    const f = personFolds(names, 5, 7);
    expect(f.size).toBe(19);
    expect(new Set(f.values())).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(personFolds(names, 5, 7)).toEqual(f);
  });

  it('cross-validation measures each threshold only on pairs that involve held-out people', () => {
    // Person "x" has impostor scores far above everyone else's: a threshold chosen without x lets
    // x's impostor pairs through, which the held-out FMR must show.
    const people = ['x', 'x', 'y', 'y', 'z', 'z', 'w', 'w', 'v', 'v'];
    const pairs = allPairs(people);
    const score = (p: { a: number; b: number; genuine: boolean }) => {
      if (p.genuine) return 0.9;
      return people[p.a] === 'x' || people[p.b] === 'x' ? 0.8 : 0.1;
    };
    const cv = crossValidate(pairs, people, score, 0, 5, 1);
    expect(cv.thresholds).toHaveLength(5);
    expect(cv.fnmr).toBe(0);
    expect(cv.fmr).toBeGreaterThan(0);
    const { impostor } = split(pairs, score);
    expect(cv.impostor).toBeGreaterThanOrEqual(impostor.length); // pairs spanning two folds count in both
  });
});
