/**
 * Unit tests of the pose sign conventions, eye openness and shape distance, on hand-made inputs.
 */
import type { FaceResult } from '@vladmandic/human';
import { describe, expect, it } from 'vitest';
import { eyeOpenness, headPose, normalisedShape, shapeDistance } from './face-metrics';

const withAngles = (yaw: number, pitch: number, roll: number) =>
  ({ rotation: { angle: { yaw, pitch, roll } } }) as unknown as FaceResult;

describe('headPose', () => {
  it("negates human's yaw (human: < 0 when the subject turns to their own left) and converts to degrees", () => {
    const p = headPose(withAngles(-Math.PI / 6, Math.PI / 18, Math.PI / 36), false)!;
    expect(p.yaw).toBeCloseTo(30, 6);
    expect(p.pitch).toBeCloseTo(10, 6);
    expect(p.roll).toBeCloseTo(5, 6);
  });
  it('flips yaw and roll for mirrored frames, keeps pitch', () => {
    const p = headPose(withAngles(-Math.PI / 6, Math.PI / 18, Math.PI / 36), true)!;
    expect([p.yaw, p.pitch, p.roll].map((v) => Math.round(v))).toEqual([-30, 10, -5]);
  });
  it('is null without rotation', () => {
    expect(headPose({} as FaceResult, false)).toBeNull();
  });
});

describe('eyeOpenness', () => {
  it('is lid gap over eye width per eye', () => {
    const mesh: [number, number, number][] = Array.from({ length: 478 }, () => [0, 0, 0]);
    mesh[263] = [100, 0, 0];
    mesh[362] = [60, 0, 0];
    mesh[386] = [80, -6, 0];
    mesh[374] = [80, 6, 0];
    mesh[33] = [0, 0, 0];
    mesh[133] = [40, 0, 0];
    mesh[159] = [20, -2, 0];
    mesh[145] = [20, 2, 0];
    expect(eyeOpenness(mesh)).toEqual({ left: 0.3, right: 0.1, mean: 0.2 });
    expect(eyeOpenness(mesh.slice(0, 100))).toBeNull();
  });
});

describe('shape', () => {
  it('is translation and scale free', () => {
    const mesh: [number, number, number][] = Array.from({ length: 468 }, (_, i) => [
      i % 20,
      Math.floor(i / 20),
      0,
    ]);
    const moved = mesh.map(([x, y]): [number, number, number] => [2 * x + 50, 2 * y - 7, 0]);
    expect(shapeDistance(normalisedShape(mesh, 20), normalisedShape(moved, 40))).toBeCloseTo(0, 6);
    const bent = mesh.map(([x, y]): [number, number, number] => [x + (y > 10 ? 2 : 0), y, 0]);
    expect(shapeDistance(normalisedShape(mesh, 20), normalisedShape(bent, 20))).toBeGreaterThan(0.03);
  });
});
