// The shipped OCR-B templates: regenerating them from the font gives the committed file byte for byte,
// they round-trip through serialisation, and each glyph correlates best with itself.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, templatesSource } from './generate-templates';
import { canvasGlyphRenderer } from './node';
import {
  buildTemplates,
  deserializeTemplates,
  MRZ_ALPHABET,
  prepareTemplates,
  serializeTemplates,
  TEMPLATE_HEIGHT,
  TEMPLATE_WIDTH,
} from './templates';
import { OCR_B_TEMPLATES } from './templates.generated';

describe('OCR-B templates', () => {
  it('regenerate exactly to the committed templates.generated.ts', () => {
    expect(templatesSource()).toBe(readFileSync(GENERATED_PATH, 'utf8'));
  });

  it('cover the MRZ alphabet at 16 × 24 and survive a serialisation round trip', () => {
    const set = deserializeTemplates(OCR_B_TEMPLATES);
    expect(set.glyphs.map((g) => g.char).join('')).toBe(MRZ_ALPHABET);
    for (const g of set.glyphs) expect(g.ink).toHaveLength(TEMPLATE_WIDTH * TEMPLATE_HEIGHT);
    expect(serializeTemplates(set)).toEqual(OCR_B_TEMPLATES);
  });

  it('build from any renderer, and every glyph is closest to itself', () => {
    const prepared = prepareTemplates(buildTemplates(canvasGlyphRenderer(), 48));
    const shipped = prepareTemplates(deserializeTemplates(OCR_B_TEMPLATES));
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    prepared.vectors.forEach((v, k) => {
      const scores = shipped.vectors.map((s) => dot(v, s));
      expect(MRZ_ALPHABET[scores.indexOf(Math.max(...scores))]).toBe(MRZ_ALPHABET[k]);
      expect(scores[k]).toBeGreaterThan(0.95);
    });
  });

  it('reject malformed data and renderers that draw nothing', () => {
    expect(() => deserializeTemplates({ ...OCR_B_TEMPLATES, width: 8 })).toThrow(RangeError);
    expect(() => deserializeTemplates({ ...OCR_B_TEMPLATES, alphabet: 'ABC' })).toThrow(RangeError);
    const blank = (_: string, pitch: number) => ({
      width: pitch,
      height: 2 * pitch,
      data: new Uint8Array(2 * pitch * pitch).fill(255),
    });
    expect(() => buildTemplates(blank)).toThrow(RangeError);
  });
});
