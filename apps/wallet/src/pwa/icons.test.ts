import { inflateSync } from 'node:zlib';
import { iconShapes } from '@camdigikey/brand/mark';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng, iconAssets, rasterise } from './icons';

describe('the app icons', () => {
  it('computes the PNG CRC-32', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
  });

  it('writes a valid RGBA PNG', () => {
    const png = encodePng(2, 1, new Uint8Array([255, 0, 0, 255, 0, 0, 255, 128]));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(2);
    expect(png.readUInt32BE(20)).toBe(1);
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
    expect([...inflateSync(png.subarray(41, 41 + idatLength))]).toEqual([0, 255, 0, 0, 255, 0, 0, 255, 128]);
  });

  it('draws the key inside the maskable safe zone, on a full-bleed or rounded background', () => {
    const size = 64;
    const full = rasterise(iconShapes({ fullBleed: true }), size);
    const rounded = rasterise(iconShapes({ fullBleed: false }), size);
    const at = (pixels: Uint8Array, x: number, y: number) => [
      ...pixels.subarray((y * size + x) * 4, (y * size + x) * 4 + 4),
    ];
    expect(at(full, 0, 0)).toEqual([11, 61, 145, 255]);
    expect(at(rounded, 0, 0)[3]).toBe(0);
    for (const shape of iconShapes({ fullBleed: true }).slice(1)) {
      const corners =
        shape.kind === 'circle'
          ? [
              [shape.cx - shape.r, shape.cy],
              [shape.cx + shape.r, shape.cy],
              [shape.cx, shape.cy - shape.r],
              [shape.cx, shape.cy + shape.r],
            ]
          : [
              [shape.x, shape.y],
              [shape.x + shape.w, shape.y],
              [shape.x, shape.y + shape.h],
              [shape.x + shape.w, shape.y + shape.h],
            ];
      for (const [x, y] of corners) expect(Math.hypot(x! - 256, y! - 256)).toBeLessThanOrEqual(0.4 * 512);
    }
  });

  it('emits an SVG and the PNG sizes the manifest names, without text', () => {
    const assets = iconAssets();
    expect(assets.map((a) => a.fileName)).toEqual([
      'icons/icon.svg',
      'icons/icon-192.png',
      'icons/icon-512.png',
      'icons/maskable-192.png',
      'icons/maskable-512.png',
    ]);
    expect(String(assets[0]!.source)).not.toMatch(/<text/);
  });
});
