/**
 * The app icons, generated at build time from the shapes of @camdigikey/brand (mark.ts) (a Vite plugin used by
 * vite.config.ts; Node only): an SVG and PNGs of 192 and 512 px, each "any" (rounded) and
 * "maskable" (full bleed). The PNGs are rasterised here with 4×4 supersampling and written with a
 * minimal PNG encoder (RGBA, zlib), so no image tool or binary file is needed in the repository.
 */
import { deflateSync } from 'node:zlib';
import type { Plugin } from 'vite';
// By path, not by package name: vite.config.ts loads this file in Node, which cannot load a
// workspace package's TypeScript from node_modules.
import { contains, iconShapes, iconSvg, type Shape, VIEWBOX } from '../../../../packages/brand/src/mark';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG (colour type 6, 8 bits per channel) of RGBA pixels, rows top to bottom. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

const rgb = (hex: string) =>
  [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** Rasterise the shapes at `size` px with 4×4 samples per pixel (premultiplied averaging). */
export function rasterise(shapes: Shape[], size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const colours = shapes.map((s) => rgb(s.fill));
  const samples = 4;
  const unit = VIEWBOX / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) * unit;
          const y = (py + (sy + 0.5) / samples) * unit;
          for (let i = shapes.length - 1; i >= 0; i--) {
            if (contains(shapes[i]!, x, y)) {
              const c = colours[i]!;
              r += c[0];
              g += c[1];
              b += c[2];
              a += 1;
              break;
            }
          }
        }
      }
      const o = (py * size + px) * 4;
      if (a > 0) {
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
        out[o + 3] = Math.round((a / (samples * samples)) * 255);
      }
    }
  }
  return out;
}

export const ICON_FILES = {
  svg: 'icons/icon.svg',
  any192: 'icons/icon-192.png',
  any512: 'icons/icon-512.png',
  maskable192: 'icons/maskable-192.png',
  maskable512: 'icons/maskable-512.png',
} as const;

export function iconAssets(): { fileName: string; source: string | Uint8Array }[] {
  const png = (size: number, fullBleed: boolean) =>
    encodePng(size, size, rasterise(iconShapes({ fullBleed }), size));
  return [
    { fileName: ICON_FILES.svg, source: iconSvg({ fullBleed: false }) },
    { fileName: ICON_FILES.any192, source: png(192, false) },
    { fileName: ICON_FILES.any512, source: png(512, false) },
    { fileName: ICON_FILES.maskable192, source: png(192, true) },
    { fileName: ICON_FILES.maskable512, source: png(512, true) },
  ];
}

/** Emits the icons into the build (before the service worker's precache list is made). */
export function appIcons(): Plugin {
  return {
    name: 'camdigikey-app-icons',
    apply: 'build',
    generateBundle() {
      for (const asset of iconAssets()) this.emitFile({ type: 'asset', ...asset });
    },
  };
}
