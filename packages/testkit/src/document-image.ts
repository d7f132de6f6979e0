// Renders synthetic identity document images (Cambodian ID card, passport data page) for e-KYC tests.
import type { Canvas, SKRSContext2D } from '@napi-rs/canvas';
import { createCanvas } from '@napi-rs/canvas';
import type { SyntheticCitizen } from './citizen-model';
import {
  assertMrzShape,
  drawBackground,
  drawMrz,
  drawPortrait,
  field,
  printedDate,
  SANS,
  text,
} from './document-draw';
import { hasKhmerFont, KHMER_FAMILY } from './fonts';

export { hasKhmerFont, hasOcrBFont, khmerFontPath, ocrBFontPath } from './fonts';

/** Pixel size of an ID-1 card (85.6 × 54 mm) at ≈ 300 dpi. */
export const ID1_SIZE = { width: 1012, height: 638 } as const;
/** Pixel size of an ID-3 passport data page (125 × 88 mm) at the same resolution. */
export const ID3_SIZE = { width: 1478, height: 1040 } as const;

/** Pixels per millimetre of both layouts. */
const PX_PER_MM = ID1_SIZE.width / 85.6;
/** ICAO 9303 MRZ character pitch: 10 characters per inch. */
const MRZ_PITCH = 2.54 * PX_PER_MM;

/** Rendering options. */
export interface DocumentImageOptions {
  /** Image encoding. Defaults to `png`. */
  format?: 'png' | 'jpeg';
  /** JPEG quality 0-100. Defaults to 92. */
  quality?: number;
  /** MRZ lines to print instead of `citizen.mrz`, e.g. from `badCheckDigitMrz` (must keep the shape). */
  mrz?: readonly string[];
  /** The holder's photo (JPEG/PNG) for the portrait box; a grey silhouette when absent. */
  portrait?: Buffer;
}

const KHMER_KINGDOM = 'ព្រះរាជាណាចក្រកម្ពុជា';
const KHMER_MOTTO = 'ជាតិ សាសនា ព្រះមហាក្សត្រ';
const KHMER_ID_CARD = 'អត្តសញ្ញាណប័ណ្ណសញ្ជាតិខ្មែរ';

const STATE_NAMES: Readonly<Record<string, string>> = {
  KHM: 'KINGDOM OF CAMBODIA',
  FRA: 'RÉPUBLIQUE FRANÇAISE',
  JPN: 'JAPAN',
  USA: 'UNITED STATES OF AMERICA',
  THA: 'KINGDOM OF THAILAND',
};

function encode(canvas: Canvas, opts: DocumentImageOptions): Buffer {
  if (opts.format === 'jpeg') return canvas.toBuffer('image/jpeg', opts.quality ?? 92);
  return canvas.toBuffer('image/png');
}

function khmer(
  ctx: SKRSContext2D,
  value: string,
  x: number,
  y: number,
  size: number,
  align: 'left' | 'center',
): void {
  if (hasKhmerFont()) text(ctx, value, x, y, `${size}px "${KHMER_FAMILY}"`, '#1d2430', align);
}

function sexLabel(c: SyntheticCitizen): string {
  return c.gender === 'male' ? 'M' : 'F';
}

/**
 * Renders the front of a synthetic Cambodian national ID card: ID-1 proportions ({@link ID1_SIZE}), a
 * light guilloche background, the Khmer and English titles (Khmer only when a Khmer font is installed),
 * a grey portrait box, the printed fields and the 3-line TD1 MRZ in OCR-B on a fixed 2.54 mm pitch.
 * Deterministic: the same citizen and options always give the same bytes.
 * @throws RangeError when the MRZ is not TD1-shaped (e.g. for a passport holder).
 */
export function renderIdCard(citizen: SyntheticCitizen, opts: DocumentImageOptions = {}): Buffer {
  const mrz = opts.mrz ?? citizen.mrz;
  assertMrzShape(mrz, 3, 30, 'an ID card');
  const { width, height } = ID1_SIZE;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  drawBackground(ctx, width, height, 200);

  khmer(ctx, KHMER_KINGDOM, width / 2, 46, 30, 'center');
  khmer(ctx, KHMER_MOTTO, width / 2, 80, 20, 'center');
  text(ctx, 'KINGDOM OF CAMBODIA', width / 2, 110, `bold 28px ${SANS}`, '#14325c', 'center');
  khmer(ctx, KHMER_ID_CARD, width / 2, 142, 20, 'center');
  text(ctx, 'IDENTITY CARD', width / 2, 166, `bold 18px ${SANS}`, '#14325c', 'center');

  drawPortrait(ctx, 40, 180, 220, 250, opts.portrait);
  const x = 290;
  khmer(ctx, `${citizen.khmerSurname} ${citizen.khmerGivenName}`, x, 208, 26, 'left');
  field(ctx, 'Surname / Given names', `${citizen.latinSurname} ${citizen.latinGivenName}`, x, 236, 26);
  field(ctx, 'Date of birth', printedDate(citizen.birthDate), x, 296, 22);
  field(ctx, 'Sex', sexLabel(citizen), x + 230, 296, 22);
  field(ctx, 'Nationality', citizen.nationality, x + 320, 296, 22);
  field(ctx, 'ID No.', citizen.documentNumber, x, 350, 22);
  field(ctx, 'Date of issue', printedDate(citizen.issueDate), x, 404, 22);
  field(ctx, 'Date of expiry', printedDate(citizen.expiryDate), x + 230, 404, 22);

  const lineHeight = 48;
  const mrzTop = height - 3 * lineHeight - 22;
  ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
  ctx.fillRect(0, mrzTop, width, height - mrzTop);
  const mrzX = (width - 30 * MRZ_PITCH) / 2;
  drawMrz(ctx, mrz, mrzX, mrzTop + lineHeight - 8, MRZ_PITCH, lineHeight);
  return encode(canvas, opts);
}

/**
 * Renders a synthetic passport data page: ID-3 size ({@link ID3_SIZE}), background pattern, issuing
 * state title, portrait box, printed fields and the 2-line TD3 MRZ in OCR-B on a fixed 2.54 mm pitch.
 * @throws RangeError when the MRZ is not TD3-shaped (e.g. for an ID card holder).
 */
export function renderPassportPage(citizen: SyntheticCitizen, opts: DocumentImageOptions = {}): Buffer {
  const mrz = opts.mrz ?? citizen.mrz;
  assertMrzShape(mrz, 2, 44, 'a passport page');
  const { width, height } = ID3_SIZE;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  drawBackground(ctx, width, height, 340);

  const state = citizen.nationality;
  if (state === 'KHM') khmer(ctx, KHMER_KINGDOM, width / 2, 60, 36, 'center');
  text(ctx, STATE_NAMES[state] ?? state, width / 2, 110, `bold 36px ${SANS}`, '#4a1430', 'center');
  text(ctx, 'PASSPORT', width / 2, 152, `bold 26px ${SANS}`, '#4a1430', 'center');

  drawPortrait(ctx, 60, 200, 330, 420, opts.portrait);
  const x = 440;
  field(ctx, 'Type', 'P', x, 210, 26);
  field(ctx, 'Code of issuing state', state, x + 180, 210, 26);
  field(ctx, 'Passport No.', citizen.documentNumber, x + 520, 210, 26);
  field(ctx, 'Surname', citizen.latinSurname, x, 290, 30);
  field(ctx, 'Given names', citizen.latinGivenName, x, 370, 30);
  if (state === 'KHM')
    khmer(ctx, `${citizen.khmerSurname} ${citizen.khmerGivenName}`, x + 520, 320, 30, 'left');
  field(ctx, 'Nationality', state, x, 450, 26);
  field(ctx, 'Date of birth', printedDate(citizen.birthDate), x + 260, 450, 26);
  field(ctx, 'Sex', sexLabel(citizen), x + 560, 450, 26);
  field(ctx, 'Date of issue', printedDate(citizen.issueDate), x, 530, 26);
  field(ctx, 'Date of expiry', printedDate(citizen.expiryDate), x + 260, 530, 26);
  field(ctx, 'Authority', state === 'KHM' ? 'MINISTRY OF FOREIGN AFFAIRS' : `AUTHORITY ${state}`, x, 610, 24);

  const lineHeight = 60;
  const mrzTop = height - 2 * lineHeight - 60;
  ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
  ctx.fillRect(0, mrzTop, width, height - mrzTop);
  const mrzX = (width - 44 * MRZ_PITCH) / 2;
  drawMrz(ctx, mrz, mrzX, mrzTop + lineHeight, MRZ_PITCH, lineHeight);
  return encode(canvas, opts);
}

/** Renders the citizen's own document: an ID card for `id_card`, a passport page for `passport`. */
export function renderDocument(citizen: SyntheticCitizen, opts: DocumentImageOptions = {}): Buffer {
  return citizen.documentType === 'id_card' ? renderIdCard(citizen, opts) : renderPassportPage(citizen, opts);
}
