// Locates and registers the fonts used to render synthetic documents: OCR-B for the MRZ and a Khmer font.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';

/** Canvas family name under which the OCR-B font is registered. */
export const OCR_B_FAMILY = 'CamDigiKey OCR-B';
/** Canvas family name under which the Khmer font is registered. */
export const KHMER_FAMILY = 'CamDigiKey Khmer';

/** Well-known OCR-B locations; the first is Debian/Ubuntu's `fonts-ocr-b` package. */
const OCR_B_CANDIDATES = [
  '/usr/share/fonts/opentype/ocr-b/OCRB.otf',
  '/usr/share/fonts/truetype/ocr-b/OCRB.ttf',
  '/usr/local/share/fonts/OCRB.otf',
  '/Library/Fonts/OCRB.otf',
];

/** Well-known Khmer-capable fonts (fonts-khmeros, fonts-noto-core, fonts-noto-extra, macOS). */
const KHMER_CANDIDATES = [
  '/usr/share/fonts/truetype/khmeros/KhmerOS.ttf',
  '/usr/share/fonts/truetype/khmeros/KhmerOSsys.ttf',
  '/usr/share/fonts/truetype/noto/NotoSansKhmer-Regular.ttf',
  '/usr/share/fonts/truetype/noto/NotoSerifKhmer-Regular.ttf',
  '/usr/share/fonts/opentype/noto/NotoSansKhmer-Regular.otf',
  '/usr/share/fonts/truetype/hanuman/Hanuman.ttf',
  '/System/Library/Fonts/Supplemental/Khmer Sangam MN.ttf',
];

/** Asks fontconfig (when installed) for font files matching `pattern`. */
function fcList(pattern: string): string[] {
  try {
    const out = execFileSync('fc-list', [pattern, 'file'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out
      .split('\n')
      .map((l) => l.trim().replace(/:$/, ''))
      .filter((l) => l !== '');
  } catch {
    return [];
  }
}

function findOcrB(): string | null {
  const fromEnv = process.env.CAMDIGIKEY_OCRB_FONT;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const known = OCR_B_CANDIDATES.find((p) => existsSync(p));
  if (known) return known;
  const listed = fcList('OCR B');
  return listed.find((p) => /^OCRB\.(otf|ttf)$/i.test(basename(p))) ?? listed[0] ?? null;
}

function findKhmer(): string | null {
  const fromEnv = process.env.CAMDIGIKEY_KHMER_FONT;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const known = KHMER_CANDIDATES.find((p) => existsSync(p));
  if (known) return known;
  const listed = fcList(':lang=km').filter((p) => /\.(otf|ttf)$/i.test(p));
  return listed.find((p) => /regular|khmeros\.ttf/i.test(p)) ?? listed[0] ?? null;
}

interface FontState {
  ocrB: string | null;
  khmer: string | null;
}

let state: FontState | undefined;

/**
 * Finds and registers the document fonts once per process. The search honours `CAMDIGIKEY_OCRB_FONT`
 * and `CAMDIGIKEY_KHMER_FONT`, then well-known paths, then `fc-list`.
 */
export function ensureDocumentFonts(): Readonly<FontState> {
  if (state) return state;
  const ocrPath = findOcrB();
  const khmerPath = findKhmer();
  state = {
    ocrB: ocrPath && GlobalFonts.registerFromPath(ocrPath, OCR_B_FAMILY) ? ocrPath : null,
    khmer: khmerPath && GlobalFonts.registerFromPath(khmerPath, KHMER_FAMILY) ? khmerPath : null,
  };
  return state;
}

/** True when the OCR-B font was found; otherwise MRZs are drawn in a generic monospace font. */
export function hasOcrBFont(): boolean {
  return ensureDocumentFonts().ocrB !== null;
}

/** Path of the registered OCR-B font file, or null. */
export function ocrBFontPath(): string | null {
  return ensureDocumentFonts().ocrB;
}

/** True when a Khmer-capable font was found; otherwise Khmer text is left off rendered documents. */
export function hasKhmerFont(): boolean {
  return ensureDocumentFonts().khmer !== null;
}

/** Path of the registered Khmer font file, or null. */
export function khmerFontPath(): string | null {
  return ensureDocumentFonts().khmer;
}

/** CSS font-family list for MRZ text. */
export function mrzFontFamily(): string {
  return hasOcrBFont() ? `"${OCR_B_FAMILY}", monospace` : 'monospace';
}
