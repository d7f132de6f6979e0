// Node-only helpers (never imported by the browser-safe core): an OCR-B glyph renderer on @napi-rs/canvas
// for buildTemplates, and decoding of encoded photos (PNG, JPEG, …) to gray pixels with sharp.
// Font: Debian's fonts-ocr-b (Matthew Skala's OCR-B from Norbert Schwarz's metafont sources); its
// copyright file declares the font sources public domain ("released to the public domain by its author")
// and "permissive" (free use, modification and distribution without limitation), so templates derived
// from it may ship in this package.
import { existsSync } from 'node:fs';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import sharp from 'sharp';
import type { GrayImage } from './image';
import type { RenderGlyph } from './templates';

/** Where Debian/Ubuntu's `fonts-ocr-b` installs the font. */
export const DEFAULT_OCR_B_PATH = '/usr/share/fonts/opentype/ocr-b/OCRB.otf';
const FAMILY = 'MRZ Reader OCR-B';
/** Font file → canvas family it was registered under (once per process). */
const registered = new Map<string, string>();

/**
 * A {@link RenderGlyph} drawing with @napi-rs/canvas and the OCR-B font at `fontPath`
 * (default: `CAMDIGIKEY_OCRB_FONT`, then {@link DEFAULT_OCR_B_PATH}).
 * @throws Error when the font file is missing or cannot be registered.
 */
export function canvasGlyphRenderer(fontPath?: string): RenderGlyph {
  const path = fontPath ?? process.env.CAMDIGIKEY_OCRB_FONT ?? DEFAULT_OCR_B_PATH;
  let family = registered.get(path);
  if (family === undefined) {
    family = `${FAMILY} ${registered.size + 1}`;
    if (!existsSync(path) || !GlobalFonts.registerFromPath(path, family)) {
      throw new Error(`OCR-B font not available at ${path} (install fonts-ocr-b)`);
    }
    registered.set(path, family);
  }
  return (char, pitch) => {
    const width = Math.round(pitch);
    const canvas = createCanvas(width, 2 * width);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, 2 * width);
    ctx.font = `100px "${family}"`;
    const advance = ctx.measureText('<').width || 72.3;
    ctx.font = `${((100 * width) / advance).toFixed(3)}px "${family}"`;
    ctx.fillStyle = '#000000';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(char, 0, 1.5 * width);
    const rgba = ctx.getImageData(0, 0, width, 2 * width).data;
    const data = new Uint8Array(width * 2 * width);
    for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4]!;
    return { width, height: 2 * width, data };
  };
}

/** Decodes an encoded image (any format sharp reads) to 8-bit gray pixels. */
export async function decodeToGray(encoded: Buffer | Uint8Array): Promise<GrayImage> {
  const { data, info } = await sharp(encoded)
    .flatten({ background: '#ffffff' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const gray = info.channels === 1 ? new Uint8Array(data) : pickFirstChannel(data, info.channels);
  return { width: info.width, height: info.height, data: gray };
}

function pickFirstChannel(data: Buffer, channels: number): Uint8Array {
  const out = new Uint8Array(data.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels]!;
  return out;
}
