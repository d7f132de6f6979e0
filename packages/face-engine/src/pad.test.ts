import { describe, expect, it } from 'vitest';
import { type GreyPlane, PAD_THRESHOLDS, passiveSignals } from './pad';
import type { FaceBox } from './types';

const SIDE = 520;

/** A deterministic pseudo-random grey level (no Math.random: the same planes on every run). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A textured scene; `noise` adds a camera's per-pixel noise of about ±noise grey levels. */
function plane(seed: number, noise: number): GreyPlane {
  const scene = lcg(1);
  const sensor = lcg(seed);
  const data = Buffer.alloc(SIDE * SIDE);
  for (let k = 0; k < data.length; k++) {
    const base = 40 + Math.floor(scene() * 160);
    data[k] = base + Math.round((sensor() * 2 - 1) * noise);
  }
  return { data, width: SIDE, height: SIDE };
}

const face = (box: FaceBox) => ({ box, image: { width: SIDE, height: SIDE } });
/** A close-up: the box grown by half spans the whole width, only strips above and below remain. */
const closeUp: FaceBox = { x: 92, y: 42, width: 352, height: 351 };
/** The face fills the picture: nothing outside it to measure. */
const filling: FaceBox = { x: 0, y: 0, width: SIDE, height: SIDE };

describe('passive signal (static background)', () => {
  it('fires on injected frames whose background never changes, also when the face is a close-up', async () => {
    const frames = [plane(1, 0), plane(2, 0), plane(3, 0), plane(4, 0)];
    const r = await passiveSignals(
      frames,
      frames.map(() => face(closeUp)),
    );
    expect(r.pairs).toBe(3);
    expect(r.staticBackground).toBe(1);
    expect(r.backgroundChange).toBe(0);
    expect(r.fired).toBe(true);
    expect(r.signals).toEqual(['static_background']);
  });

  it('stays quiet on camera-like frames (per-pixel noise), close-up or not', async () => {
    const frames = [plane(11, 3), plane(12, 3), plane(13, 3), plane(14, 3)];
    for (const box of [closeUp, { x: 200, y: 150, width: 120, height: 120 }]) {
      const r = await passiveSignals(
        frames,
        frames.map(() => face(box)),
      );
      expect(r.pairs).toBe(3);
      expect(r.staticBackground).not.toBeNull();
      expect(r.staticBackground!).toBeLessThan(0.25);
      expect(r.fired).toBe(false);
    }
  });

  it('measures a pair only with enough background pixels, and never fires on what it cannot measure', async () => {
    const frames = [plane(21, 0), plane(22, 0), plane(23, 0)];
    const r = await passiveSignals(frames, [face(closeUp), face(filling), face(closeUp)]);
    // Both pairs touch the filling frame: its grown box covers every pixel of either pair.
    expect(r.pairs).toBe(0);
    expect(r.staticBackground).toBeNull();
    expect(r.fired).toBe(false);
    // The close-up leaves more than the minimum (its strips hold ~5,400 sampled pixels).
    const strips = await passiveSignals([frames[0]!, frames[2]!], [face(closeUp), face(closeUp)]);
    expect(strips.pairs).toBe(1);
    expect(PAD_THRESHOLDS.minBackgroundSamples).toBeLessThan(5400);
  });

  it('skips pairs of different sizes', async () => {
    const small: GreyPlane = { data: Buffer.alloc(100 * 100, 90), width: 100, height: 100 };
    const r = await passiveSignals([plane(31, 0), small], [face(closeUp), face(closeUp)]);
    expect(r.pairs).toBe(0);
    expect(r.fired).toBe(false);
  });
});
