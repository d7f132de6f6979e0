// Tests for the synthetic document renderers: encodings, dimensions, determinism and sensitivity to content.
import { existsSync } from 'node:fs';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { badCheckDigitMrz, CITIZENS, makeCitizen } from './citizens';
import {
  hasKhmerFont,
  hasOcrBFont,
  ID1_SIZE,
  ID3_SIZE,
  khmerFontPath,
  ocrBFontPath,
  renderDocument,
  renderIdCard,
  renderPassportPage,
} from './document-image';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

const idHolder = CITIZENS.find((c) => c.documentType === 'id_card')!;
const passportHolder = CITIZENS.find((c) => c.documentType === 'passport' && c.nationality !== 'KHM')!;

function startsWith(buf: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => buf[i] === b);
}

async function size(buf: Buffer): Promise<{ width: number; height: number }> {
  const img = await loadImage(buf);
  return { width: img.width, height: img.height };
}

describe('fonts', () => {
  it('reports the OCR-B and Khmer fonts consistently', () => {
    expect(hasOcrBFont()).toBe(ocrBFontPath() !== null);
    expect(hasKhmerFont()).toBe(khmerFontPath() !== null);
    const path = ocrBFontPath();
    if (path !== null) expect(existsSync(path)).toBe(true);
  });

  it.runIf(existsSync('/usr/share/fonts/opentype/ocr-b/OCRB.otf'))(
    'uses Debian fonts-ocr-b when installed',
    () => {
      expect(ocrBFontPath()).toBe('/usr/share/fonts/opentype/ocr-b/OCRB.otf');
    },
  );
});

describe('renderIdCard', () => {
  it('renders a PNG with ID-1 proportions', async () => {
    const png = renderIdCard(idHolder);
    expect(startsWith(png, PNG_MAGIC)).toBe(true);
    expect(await size(png)).toEqual(ID1_SIZE);
    expect(ID1_SIZE.width / ID1_SIZE.height).toBeCloseTo(85.6 / 54, 2);
  });

  it('renders a JPEG when asked', async () => {
    const jpeg = renderIdCard(idHolder, { format: 'jpeg', quality: 80 });
    expect(startsWith(jpeg, JPEG_MAGIC)).toBe(true);
    expect(await size(jpeg)).toEqual(ID1_SIZE);
  });

  it('is deterministic and changes when the citizen or the MRZ changes', () => {
    const a = renderIdCard(idHolder);
    expect(renderIdCard(idHolder).equals(a)).toBe(true);
    expect(renderIdCard(CITIZENS[1]!).equals(a)).toBe(false);
    expect(renderIdCard({ ...idHolder, expiryDate: '2035-01-01' }).equals(a)).toBe(false);
    expect(renderIdCard(idHolder, { mrz: badCheckDigitMrz(idHolder) }).equals(a)).toBe(false);
  });

  it('prints the MRZ in dark ink in the bottom band and leaves a light background above it', async () => {
    const img = await loadImage(renderIdCard(idHolder));
    const canvas = createCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const darkShare = (y0: number, y1: number): number => {
      const { data } = ctx.getImageData(0, y0, img.width, y1 - y0);
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! < 150) dark++;
      return dark / (data.length / 4);
    };
    const mrzBand = darkShare(ID1_SIZE.height - 160, ID1_SIZE.height);
    expect(mrzBand).toBeGreaterThan(0.03);
    // The top band holds at most the (thin) title: far less ink than the MRZ band.
    expect(darkShare(0, 40)).toBeLessThan(mrzBand / 2);
  });

  it('refuses a passport MRZ', () => {
    expect(() => renderIdCard(passportHolder)).toThrow(RangeError);
  });
});

describe('renderPassportPage', () => {
  it('renders a PNG of ID-3 size that depends on the holder', async () => {
    const png = renderPassportPage(passportHolder);
    expect(startsWith(png, PNG_MAGIC)).toBe(true);
    expect(await size(png)).toEqual(ID3_SIZE);
    expect(ID3_SIZE.width / ID3_SIZE.height).toBeCloseTo(125 / 88, 2);
    const other = CITIZENS.find((c) => c.documentType === 'passport' && c.id !== passportHolder.id)!;
    expect(renderPassportPage(other).equals(png)).toBe(false);
  });

  it('renders JPEG and refuses an ID card MRZ', async () => {
    const jpeg = renderPassportPage(passportHolder, { format: 'jpeg' });
    expect(startsWith(jpeg, JPEG_MAGIC)).toBe(true);
    expect(await size(jpeg)).toEqual(ID3_SIZE);
    expect(() => renderPassportPage(idHolder)).toThrow(RangeError);
  });
});

describe('renderDocument', () => {
  it('picks the layout from the document type', async () => {
    const passport = makeCitizen(3, { documentType: 'passport', nationality: 'KHM' });
    expect(await size(renderDocument(passport))).toEqual(ID3_SIZE);
    expect(await size(renderDocument(makeCitizen(3, { documentType: 'id_card' })))).toEqual(ID1_SIZE);
  });
});
