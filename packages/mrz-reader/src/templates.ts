// OCR-B glyph templates for the MRZ alphabet: built at run time from any glyph renderer (node canvas on
// the server, an OffscreenCanvas in the browser) or decoded from the generated set shipped in this
// package, so a browser needs no font file. A template is the glyph's ink in one MRZ cell: the full
// character pitch wide and 1.5 pitches high, centred on the capital-letter band, sampled at 16 × 24.
import type { GrayImage } from './image';

/** Every character an MRZ may contain (ICAO 9303), in template order. */
export const MRZ_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';
export const TEMPLATE_WIDTH = 16;
export const TEMPLATE_HEIGHT = 24;
/** Height of the template window in character pitches (TEMPLATE_HEIGHT / TEMPLATE_WIDTH). */
export const WINDOW_PITCHES = TEMPLATE_HEIGHT / TEMPLATE_WIDTH;

/**
 * Draws one MRZ character in OCR-B, black on white, into a gray image `pitch` pixels wide and
 * `2 × pitch` high: the glyph origin at x = 0, the font size such that the advance equals `pitch`
 * (as MRZ printers do: 10 characters per inch), the baseline at y = 1.5 × pitch, identical for all calls.
 */
export type RenderGlyph = (char: string, pitch: number) => GrayImage;

/** Ink (0 = paper, 255 = full ink) of each glyph, row-major TEMPLATE_WIDTH × TEMPLATE_HEIGHT. */
export interface TemplateSet {
  readonly glyphs: ReadonlyArray<{ readonly char: string; readonly ink: Uint8Array }>;
}

/** JSON-safe form: one hexadecimal digit (16 ink levels) per template pixel, glyphs in `alphabet` order. */
export interface SerializedTemplates {
  readonly width: number;
  readonly height: number;
  readonly alphabet: string;
  readonly glyphs: readonly string[];
}

/** Renders every MRZ character with `render` and normalises it to a template. */
export function buildTemplates(render: RenderGlyph, pitch = 64): TemplateSet {
  const reference = render('H', pitch);
  const rows = inkRows(reference);
  if (rows === undefined) throw new RangeError('buildTemplates: the renderer drew no ink for "H"');
  const centre = (rows.top + rows.bottom + 1) / 2;
  const glyphs = [...MRZ_ALPHABET].map((char) => ({
    char,
    ink: resample(render(char, pitch), pitch, centre - (WINDOW_PITCHES * pitch) / 2),
  }));
  return { glyphs };
}

function inkRows(image: GrayImage): { top: number; bottom: number } | undefined {
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.data[y * image.width + x]! < 128) {
        if (top < 0) top = y;
        bottom = y;
        break;
      }
    }
  }
  return top < 0 ? undefined : { top, bottom };
}

/** Area-averages the window [0, pitch) × [top, top + 1.5·pitch) of `image` to a template. */
function resample(image: GrayImage, pitch: number, top: number): Uint8Array {
  const out = new Uint8Array(TEMPLATE_WIDTH * TEMPLATE_HEIGHT);
  const cell = pitch / TEMPLATE_WIDTH;
  const sub = Math.max(2, Math.ceil(cell));
  for (let ty = 0; ty < TEMPLATE_HEIGHT; ty++) {
    for (let tx = 0; tx < TEMPLATE_WIDTH; tx++) {
      let sum = 0;
      for (let sy = 0; sy < sub; sy++) {
        const y = Math.floor(top + (ty + (sy + 0.5) / sub) * cell);
        for (let sx = 0; sx < sub; sx++) {
          const x = Math.floor((tx + (sx + 0.5) / sub) * cell);
          const inside = x >= 0 && y >= 0 && x < image.width && y < image.height;
          sum += inside ? 255 - image.data[y * image.width + x]! : 0;
        }
      }
      out[ty * TEMPLATE_WIDTH + tx] = Math.round(sum / (sub * sub));
    }
  }
  return out;
}

/** Encodes a template set as JSON-safe hex strings (16 ink levels). */
export function serializeTemplates(set: TemplateSet): SerializedTemplates {
  const glyphs = set.glyphs.map((g) => Array.from(g.ink, (v) => Math.round(v / 17).toString(16)).join(''));
  return {
    width: TEMPLATE_WIDTH,
    height: TEMPLATE_HEIGHT,
    alphabet: set.glyphs.map((g) => g.char).join(''),
    glyphs,
  };
}

/** Decodes {@link serializeTemplates} output; throws a RangeError on a wrong size or a missing glyph. */
export function deserializeTemplates(data: SerializedTemplates): TemplateSet {
  if (data.width !== TEMPLATE_WIDTH || data.height !== TEMPLATE_HEIGHT) {
    throw new RangeError(`templates must be ${TEMPLATE_WIDTH}×${TEMPLATE_HEIGHT}`);
  }
  const pattern = new RegExp(`^[0-9a-f]{${TEMPLATE_WIDTH * TEMPLATE_HEIGHT}}$`);
  const glyphs = [...MRZ_ALPHABET].map((char) => {
    const hex = data.glyphs[data.alphabet.indexOf(char)];
    if (hex === undefined || !pattern.test(hex)) {
      throw new RangeError(`template for '${char}' is missing or malformed`);
    }
    return { char, ink: Uint8Array.from(hex, (d) => Number.parseInt(d, 16) * 17) };
  });
  return { glyphs };
}

/** Templates ready for normalised cross-correlation: zero mean, unit norm, in MRZ_ALPHABET order. */
export interface PreparedTemplates {
  readonly chars: string;
  readonly vectors: readonly Float32Array[];
  /**
   * Euclidean distance between the unit vectors of every two templates (MRZ_ALPHABET order, row-major):
   * √(2 − 2·correlation). A cell's score gap between two characters divided by their distance is how
   * far the cell is from the boundary between them, so near-twins (O and Q, U and 0) are judged fairly.
   */
  readonly distances: Float32Array;
}

/** Distance between the templates of characters `a` and `b` (see PreparedTemplates.distances). */
export function templateDistance(t: PreparedTemplates, a: string, b: string): number {
  const i = MRZ_ALPHABET.indexOf(a);
  const j = MRZ_ALPHABET.indexOf(b);
  return i < 0 || j < 0 ? Math.SQRT2 : t.distances[i * MRZ_ALPHABET.length + j]!;
}

export function prepareTemplates(set: TemplateSet): PreparedTemplates {
  const byChar = new Map(set.glyphs.map((g) => [g.char, g.ink]));
  const vectors = [...MRZ_ALPHABET].map((char) => {
    const ink = byChar.get(char);
    if (ink === undefined || ink.length !== TEMPLATE_WIDTH * TEMPLATE_HEIGHT) {
      throw new RangeError(`template set lacks a ${TEMPLATE_WIDTH}×${TEMPLATE_HEIGHT} glyph for '${char}'`);
    }
    const mean = ink.reduce((a, b) => a + b, 0) / ink.length;
    const v = Float32Array.from(ink, (x) => x - mean);
    const norm = Math.hypot(...v) || 1;
    for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
    return v;
  });
  const n = vectors.length;
  const distances = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < vectors[i]!.length; k++) dot += vectors[i]![k]! * vectors[j]![k]!;
      distances[i * n + j] = Math.sqrt(Math.max(0, 2 - 2 * dot));
    }
  }
  return { chars: MRZ_ALPHABET, vectors, distances };
}
