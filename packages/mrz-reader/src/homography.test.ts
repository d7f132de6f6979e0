// The homography fit that undoes perspective: exact recovery from clean points, least squares under
// noise, inversion, and refusal of degenerate input.
import { describe, expect, it } from 'vitest';
import type { Correspondence } from './homography';
import { applyHomography, fitHomography, invertHomography } from './homography';

/** A card 44 × 3 pitches seen at an angle: perspective with a vanishing point to the right. */
const TRUE = [21.5, 1.8, 140, -2.1, 19.2, 610, 0.0042, -0.0011, 1];

const grid = (): Array<[number, number]> =>
  Array.from({ length: 45 * 3 }, (_, i) => [i % 45, Math.floor(i / 45) * 1.7] as [number, number]);

describe('fitHomography', () => {
  it('recovers the transform from exact correspondences', () => {
    const pairs: Correspondence[] = grid().map(([x, y]) => ({
      from: [x, y],
      to: applyHomography(TRUE, x, y),
    }));
    const h = fitHomography(pairs)!;
    for (const [x, y] of [
      [0, 0],
      [44, 3.4],
      [22, 1.7],
    ] as const) {
      const [u, v] = applyHomography(h, x, y);
      const [tu, tv] = applyHomography(TRUE, x, y);
      expect(Math.hypot(u - tu, v - tv)).toBeLessThan(1e-6);
    }
  });

  it('averages out noise in the points (least squares)', () => {
    let seed = 7;
    const noise = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed / 2147483647 - 0.5) * 2;
    };
    const pairs: Correspondence[] = grid().map(([x, y]) => {
      const [u, v] = applyHomography(TRUE, x, y);
      return { from: [x, y], to: [u + noise(), v + noise()] };
    });
    const h = fitHomography(pairs)!;
    const worst = Math.max(
      ...grid().map(([x, y]) => {
        const [u, v] = applyHomography(h, x, y);
        const [tu, tv] = applyHomography(TRUE, x, y);
        return Math.hypot(u - tu, v - tv);
      }),
    );
    expect(worst).toBeLessThan(0.6);
  });

  it('inverts: a point goes there and back', () => {
    const inverse = invertHomography(TRUE)!;
    const [u, v] = applyHomography(TRUE, 13, 2.2);
    const [x, y] = applyHomography(inverse, u, v);
    expect(x).toBeCloseTo(13, 6);
    expect(y).toBeCloseTo(2.2, 6);
    expect(invertHomography([1, 2, 3, 2, 4, 6, 0, 0, 0])).toBeUndefined();
  });

  it('refuses fewer than 4 points and points on one line', () => {
    const on = (xs: number[]): Correspondence[] => xs.map((x) => ({ from: [x, 0], to: [2 * x, 5] }));
    expect(fitHomography(on([0, 1, 2]))).toBeUndefined();
    expect(fitHomography(on([0, 1, 2, 3, 4, 5]))).toBeUndefined();
  });
});
