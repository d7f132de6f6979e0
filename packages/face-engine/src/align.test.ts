import { describe, expect, it } from 'vitest';
import {
  ARCFACE_112,
  alignedCrop,
  estimateSimilarity,
  type FivePoints,
  interEyeDistance,
  templateFor,
} from './align';

const apply = (m: ReturnType<typeof estimateSimilarity>, [x, y]: [number, number]) => [
  m.a * x - m.b * y + m.tx,
  m.b * x + m.a * y + m.ty,
];

describe('five-point alignment', () => {
  it('recovers a known rotation, scale and shift exactly', () => {
    const angle = 0.3;
    const scale = 2.5;
    const src = ARCFACE_112.map(([x, y]) => [
      scale * (Math.cos(angle) * x - Math.sin(angle) * y) + 40,
      scale * (Math.sin(angle) * x + Math.cos(angle) * y) - 7,
    ]) as FivePoints;
    const m = estimateSimilarity(src, ARCFACE_112);
    for (const [i, p] of src.entries()) {
      const [u, v] = apply(m, p);
      expect(u).toBeCloseTo(ARCFACE_112[i]![0], 6);
      expect(v).toBeCloseTo(ARCFACE_112[i]![1], 6);
    }
  });

  it('zoom shrinks the template toward the crop centre', () => {
    const t = templateFor(224, 0.5);
    expect(interEyeDistance(t)).toBeCloseTo(interEyeDistance(ARCFACE_112), 6); // ×2 size, ×0.5 zoom
    expect(templateFor(112)).toEqual(ARCFACE_112);
  });

  it('warps the image so that a marked point lands where the template puts it', () => {
    // A 300×300 grey image with a white 5×5 square at the image-left eye of a face twice template size.
    const W = 300;
    const data = new Uint8Array(W * W * 3).fill(60);
    const src = ARCFACE_112.map(([x, y]) => [x * 2 + 20, y * 2 + 30]) as FivePoints;
    const [ex, ey] = src[0];
    for (let y = Math.round(ey) - 2; y <= Math.round(ey) + 2; y++) {
      for (let x = Math.round(ex) - 2; x <= Math.round(ex) + 2; x++)
        data.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
    const crop = alignedCrop({ data, width: W, height: W }, src, 112);
    const at = (x: number, y: number) => crop[(Math.round(y) * 112 + Math.round(x)) * 3]!;
    expect(at(ARCFACE_112[0][0], ARCFACE_112[0][1])).toBeGreaterThan(200);
    expect(at(ARCFACE_112[1][0], ARCFACE_112[1][1])).toBe(60);
    // Outside the source image: mid-grey padding.
    const far = alignedCrop(
      { data, width: W, height: W },
      src.map(([x, y]) => [x + 1000, y]) as FivePoints,
      112,
    );
    expect(far[0]).toBe(128);
  });
});
