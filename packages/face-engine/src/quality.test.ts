import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, qualityThresholds } from './config';
import { assessSelfieQuality, measureFaceCrop, measuresOf, type QualityMeasures } from './quality';
import type { DetectedFace } from './types';

const th = qualityThresholds(DEFAULT_THRESHOLDS);
const good: QualityMeasures = {
  faces: 1,
  interEyePx: 80,
  yaw: 5,
  pitch: -3,
  sharpness: 0.6,
  brightness: 140,
  clipped: 0.01,
  eyeOpenness: 0.33,
};
const reasons = (m: Partial<QualityMeasures>) => assessSelfieQuality({ ...good, ...m }, th).reasons;

describe('assessSelfieQuality', () => {
  it('passes a frontal, sharp, well-lit single face with open eyes', () => {
    expect(assessSelfieQuality(good, th)).toEqual({ ok: true, reasons: [], measures: good });
  });

  it('names each problem, at the configured limits', () => {
    expect(assessSelfieQuality(null, th).reasons).toEqual(['no_face']);
    expect(reasons({ faces: 0 })).toEqual(['no_face']);
    expect(reasons({ faces: 2 })).toEqual(['multiple_faces']);
    expect(reasons({ interEyePx: th.minInterEyePx - 0.5 })).toEqual(['face_too_small']);
    expect(reasons({ interEyePx: th.minInterEyePx })).toEqual([]);
    expect(reasons({ yaw: -(th.maxYawDeg + 1) })).toEqual(['face_off_axis']);
    expect(reasons({ pitch: th.maxPitchDeg + 1 })).toEqual(['face_off_axis']);
    expect(reasons({ yaw: th.maxYawDeg, pitch: -th.maxPitchDeg })).toEqual([]);
    expect(reasons({ sharpness: th.minSharpness / 2 })).toEqual(['face_blurred']);
    expect(reasons({ brightness: th.minBrightness - 1 })).toEqual(['too_dark']);
    expect(reasons({ brightness: th.maxBrightness + 1 })).toEqual(['overexposed']);
    expect(reasons({ clipped: th.maxClipped + 0.1 })).toEqual(['overexposed']);
    expect(reasons({ clipped: th.maxClipped + 0.1, brightness: 90 })).toEqual(['too_dark']);
    expect(reasons({ eyeOpenness: th.minEyeOpenness / 2 })).toEqual(['eyes_closed']);
    expect(reasons({ eyeOpenness: null })).toEqual([]);
  });

  it('reports every failed check in fixing order, and blames the light rather than blur in the dark', () => {
    expect(reasons({ faces: 2, interEyePx: 10, yaw: 40, eyeOpenness: 0.02 })).toEqual([
      'multiple_faces',
      'face_too_small',
      'face_off_axis',
      'eyes_closed',
    ]);
    expect(reasons({ brightness: 20, sharpness: 0.001 })).toEqual(['too_dark']);
  });
});

describe('measureFaceCrop', () => {
  const crop = (f: (x: number, y: number) => number) => {
    const rgb = new Uint8Array(112 * 112 * 3);
    for (let y = 0; y < 112; y++)
      for (let x = 0; x < 112; x++) rgb.fill(f(x, y), (y * 112 + x) * 3, (y * 112 + x) * 3 + 3);
    return rgb;
  };

  it('a fine texture is sharp, the same contrast as a smooth ramp is not', () => {
    const checker = measureFaceCrop(
      crop((x, y) => ((x + y) % 2 ? 160 : 100)),
      112,
    );
    const ramp = measureFaceCrop(
      crop((x) => 40 + 2 * x),
      112,
    );
    expect(checker.sharpness).toBeGreaterThan(10);
    expect(ramp.sharpness).toBeLessThan(0.01);
    expect(checker.brightness).toBeCloseTo(130, 0);
  });

  it('measures brightness and clipping on the inner face only', () => {
    const dark = measureFaceCrop(
      crop(() => 5),
      112,
    );
    expect(dark).toMatchObject({ brightness: 5, clipped: 1, sharpness: 0 });
    // A white border outside the inner region does not count.
    const framed = measureFaceCrop(
      crop((x, y) => (x < 20 || y < 30 ? 255 : 120)),
      112,
    );
    expect(framed.clipped).toBe(0);
    expect(framed.brightness).toBeCloseTo(120, 0);
  });
});

describe('measuresOf', () => {
  it('takes the largest face and counts them all; null without a measurable face', () => {
    const face = {
      quality: { interEyePx: 70, sharpness: 0.5, brightness: 120, clipped: 0 },
      pose: { yaw: 3, pitch: 4, roll: 0 },
      eyes: { left: 0.3, right: 0.32, mean: 0.31 },
    } as unknown as DetectedFace;
    expect(measuresOf([face, face])).toEqual({
      faces: 2,
      interEyePx: 70,
      sharpness: 0.5,
      brightness: 120,
      clipped: 0,
      yaw: 3,
      pitch: 4,
      eyeOpenness: 0.31,
    });
    expect(measuresOf([])).toBeNull();
    expect(measuresOf([{ ...face, quality: null }])).toBeNull();
  });
});
