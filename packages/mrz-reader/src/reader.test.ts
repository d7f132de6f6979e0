// readMrz on clean renders of every synthetic citizen's document, on images without an MRZ, on broken
// input, and on a document whose printed check digit is wrong (it must not be "repaired" into validity).
import { parseIdentityMrz } from '@camdigikey/core/identity/mrz';
import { badCheckDigitMrz, CITIZENS, makeCitizen } from '@camdigikey/testkit/citizens';
import { renderDocument, renderIdCard } from '@camdigikey/testkit/document-image';
import { mulberry32 } from '@camdigikey/testkit/prng';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { GrayImage } from './image';
import { rgbaToGray } from './image';
import { allowedAt } from './layout';
import { canvasGlyphRenderer, decodeToGray } from './node';
import type { UncertainMrz } from './reader';
import { readMrz, tableFromScores } from './reader';
import { buildTemplates, MRZ_ALPHABET } from './templates';

/** Inside every synthetic document's validity (issued 2021–2025 for 10 years). */
const TODAY = new Date('2026-06-01T00:00:00Z');

describe('readMrz on clean documents', () => {
  it.each(CITIZENS.map((c) => [c.id, c] as const))('reads %s exactly', async (_, citizen) => {
    const result = readMrz(await decodeToGray(renderDocument(citizen)));
    expect(result.ok && result.value.lines).toEqual(citizen.mrz);
    if (!result.ok) return;
    expect(result.value.format).toBe(citizen.documentType === 'id_card' ? 'TD1' : 'TD3');
    expect(result.value.confidence).toBeGreaterThan(0.9);
    expect(result.value.corrected).toBe(0);
    expect(Math.min(...result.value.charConfidence.flat())).toBeGreaterThanOrEqual(0.5);
    expect(result.value.charConfidence.map((l) => l.length)).toEqual(citizen.mrz.map((l) => l.length));
    expect(parseIdentityMrz(result.value.lines.join('\n'), { today: TODAY }).ok).toBe(true);
  });

  it('gives the MRZ corners in the photo, around the bottom of the card', async () => {
    const citizen = CITIZENS[0]!;
    const result = readMrz(await decodeToGray(renderDocument(citizen)));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [tl, tr, br, bl] = result.value.corners as [
      [number, number],
      [number, number],
      [number, number],
      [number, number],
    ];
    // The card is 1012 × 638 with the MRZ over its bottom 166 pixels, centred.
    expect(tl[0]).toBeGreaterThan(20);
    expect(tl[0]).toBeLessThan(120);
    expect(tr[0]).toBeGreaterThan(890);
    expect(tr[0]).toBeLessThan(990);
    expect(tl[1]).toBeGreaterThan(440);
    expect(bl[1]).toBeLessThan(638);
    expect(Math.abs(br[1] - bl[1])).toBeLessThan(3);
  });

  it('answers mrz_uncertain, with the reading and its unsure characters, when the certainty bar is not met', async () => {
    const citizen = CITIZENS[0]!;
    const strict = { minRivalCost: 5, minRivalLead: 0 };
    const result = readMrz(await decodeToGray(renderDocument(citizen)), { certainty: strict });
    expect(result).toMatchObject({ ok: false, code: 'mrz_uncertain' });
    if (result.ok) return;
    const detail = result.detail as unknown as UncertainMrz;
    expect(detail.lines).toEqual(citizen.mrz);
    expect(detail.unsure.length).toBeGreaterThan(0);
    for (const [l, c] of detail.unsure) expect(detail.charConfidence[l]![c]).toBeLessThan(0.5);
  });

  it('reads generated citizens and RGBA input converted with rgbaToGray', async () => {
    for (const seed of [11, 12, 13, 14]) {
      const citizen = makeCitizen(seed);
      const img = await loadImage(renderDocument(citizen));
      const canvas = createCanvas(img.width, img.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const rgba = ctx.getImageData(0, 0, img.width, img.height);
      const result = readMrz(rgbaToGray(rgba));
      expect(result.ok && result.value.lines).toEqual(citizen.mrz);
    }
  });

  it('shrinks a large photo before reading it', async () => {
    const citizen = CITIZENS[12]!;
    const big = await sharp(renderDocument(citizen)).resize({ width: 3400 }).png().toBuffer();
    const result = readMrz(await decodeToGray(big));
    expect(result.ok && result.value.lines).toEqual(citizen.mrz);
  });

  it('reads with templates built at run time from a glyph renderer', async () => {
    const templates = buildTemplates(canvasGlyphRenderer());
    const result = readMrz(await decodeToGray(renderDocument(CITIZENS[13]!)), { templates });
    expect(result.ok && result.value.lines).toEqual(CITIZENS[13]!.mrz);
  });

  it('accepts Uint8ClampedArray pixels', async () => {
    const gray = await decodeToGray(renderDocument(CITIZENS[1]!));
    const result = readMrz({ ...gray, data: new Uint8ClampedArray(gray.data) });
    expect(result.ok && result.value.lines).toEqual(CITIZENS[1]!.mrz);
  });
});

describe('readMrz without a readable MRZ', () => {
  const rng = mulberry32(42);
  const noise: GrayImage = {
    width: 800,
    height: 500,
    data: Uint8Array.from({ length: 800 * 500 }, () => Math.floor(rng() * 256)),
  };

  it.each([
    ['a blank page', { width: 1012, height: 638, data: new Uint8Array(1012 * 638).fill(255) }],
    ['a black page', { width: 300, height: 200, data: new Uint8Array(300 * 200) }],
    ['random noise', noise],
  ] as const)('answers mrz_not_found for %s', (_, image) => {
    expect(readMrz(image)).toEqual({ ok: false, code: 'mrz_not_found' });
  });

  it('answers mrz_not_found for a card whose MRZ is covered', async () => {
    const png = renderIdCard(CITIZENS[0]!);
    const cover = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="1012" height="638"><rect y="466" width="1012" height="172" fill="#fff"/></svg>',
    );
    const covered = await sharp(png)
      .composite([{ input: cover }])
      .png()
      .toBuffer();
    expect(readMrz(await decodeToGray(covered))).toEqual({ ok: false, code: 'mrz_not_found' });
  });

  it.each([
    ['empty', { width: 0, height: 0, data: new Uint8Array(0) }],
    ['tiny', { width: 3, height: 2, data: new Uint8Array(6) }],
    ['short of data', { width: 100, height: 100, data: new Uint8Array(10) }],
    ['NaN size', { width: Number.NaN, height: 4, data: new Uint8Array(16) }],
    ['negative size', { width: -5, height: 4, data: new Uint8Array(16) }],
  ] as const)('does not throw on %s input', (_, image) => {
    expect(readMrz(image)).toEqual({ ok: false, code: 'mrz_not_found' });
  });

  it('does not throw on an RGBA buffer of the wrong size', () => {
    const gray = rgbaToGray({ width: 10, height: 10, data: new Uint8ClampedArray(7) });
    expect(gray.data).toHaveLength(100);
    expect(readMrz(gray).ok).toBe(false);
  });

  it.each(['documentNumber', 'birthDate', 'composite'] as const)(
    'does not "repair" a printed MRZ whose %s check digit is wrong',
    async (field) => {
      const citizen = CITIZENS[2]!;
      const printed = badCheckDigitMrz(citizen, field);
      const result = readMrz(await decodeToGray(renderDocument(citizen, { mrz: printed })));
      expect(result).toMatchObject({ ok: false, code: 'mrz_unreadable' });
    },
  );
});

describe('issuer rules', () => {
  it('reads the number of a Cambodian ID card as digits only: an O-like 0 cannot become an O', () => {
    expect(allowedAt('TD1', ['IDKHM0102345670<<<<<<<<<<<<<<<'], 0, 6)).toBe('0123456789');
    expect(allowedAt('TD1', ['IDKHM0102345670<<<<<<<<<<<<<<<'], 0, 14)).toBe('0123456789');
    expect(allowedAt('TD1', ['IDKHM0102345670<<<<<<<<<<<<<<<'], 0, 15)).toContain('K');
    expect(allowedAt('TD1', ['IDFRA0102345670<<<<<<<<<<<<<<<'], 0, 6)).toContain('O');
    // A cell of the number that looks more like an O than a 0 still reads 0.
    const lines = CITIZENS[0]!.mrz;
    const cells = lines.map((line) =>
      [...line].map((ch) => Float32Array.from(MRZ_ALPHABET, (a) => (a === ch ? 0.9 : 0.3))),
    );
    cells[0]![5]![MRZ_ALPHABET.indexOf('O')] = 0.95;
    expect(tableFromScores('TD1', cells)[0]![5]![0]!.char).toBe('0');
  });
});
