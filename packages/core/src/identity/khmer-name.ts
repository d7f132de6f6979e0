/**
 * Citizen names as typed in the app. Enforces one canonical spelling per name so that registrations,
 * officer review and later matching compare like with like: Khmer names are NFC, free of invisible
 * characters that do not change rendering, made only of Khmer letters, vowels and signs (no digits,
 * punctuation, Latin or emoji) with single spaces; Latin names are upper-case A–Z with single spaces,
 * hyphens and apostrophes, diacritics folded, as on the MRZ. Both are limited to 64 code points.
 */
import type { Result } from '../result';
import { err, ok } from '../result';

export type KhmerNameErrorCode = 'khmer_name_required' | 'khmer_name_invalid' | 'khmer_name_too_long';
export type LatinNameErrorCode = 'latin_name_required' | 'latin_name_invalid' | 'latin_name_too_long';

export const NAME_MAX_CODE_POINTS = 64;
/** Raw inputs longer than this (UTF-16 units) are refused before any normalisation work. */
const RAW_MAX_LENGTH = 1024;

const ZWSP = '\u200B';
const ZWNJ = '\u200C';
const ZWJ = '\u200D';
const WHITESPACE = /\s+/gu;
const MARK = /^\p{M}/u;

/**
 * Khmer-block code points allowed in a name: U+1780..U+17DD without punctuation U+17D4..U+17DA,
 * the riel sign U+17DB, the invisible inherent vowels U+17B4/U+17B5 and the deprecated U+17D3.
 * Khmer digits U+17E0.. are outside the range. (U+17A3/U+17A4 are rewritten before this check.)
 */
export function isAllowedKhmerNameCodePoint(cp: number): boolean {
  if (cp < 0x1780 || cp > 0x17dd) return false;
  if (cp >= 0x17d3 && cp <= 0x17db) return false;
  return cp !== 0x17b4 && cp !== 0x17b5 && cp !== 0x17a3 && cp !== 0x17a4;
}

/** Consonants U+1780..U+17A2 and independent vowels U+17A5..U+17B3. */
const isKhmerBase = (cp: number): boolean => (cp >= 0x1780 && cp <= 0x17a2) || (cp >= 0x17a5 && cp <= 0x17b3);

const isKhmerChar = (ch: string | undefined): boolean =>
  ch !== undefined && isAllowedKhmerNameCodePoint(ch.codePointAt(0) ?? 0);

/**
 * Drops ZWNJ/ZWJ where they cannot change rendering: at either end, next to a space or another
 * joiner, or next to anything that is not a Khmer character. Between two Khmer characters they
 * select a glyph form (for example a register shifter before an above vowel), so they are kept.
 */
function dropHarmlessJoiners(chars: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === ZWNJ || ch === ZWJ) {
      if (isKhmerChar(out[out.length - 1]) && isKhmerChar(chars[i + 1])) out.push(ch);
      continue;
    }
    out.push(ch);
  }
  return out;
}

/** Trims, and turns every run of Unicode white space (including U+FEFF) into one ASCII space. */
const collapseSpaces = (text: string): string => text.replace(WHITESPACE, ' ').trim();

export function normalizeKhmerName(input: string): Result<string, KhmerNameErrorCode> {
  if (typeof input !== 'string') return err('khmer_name_required');
  if (input.length > RAW_MAX_LENGTH) return err('khmer_name_too_long', { max: NAME_MAX_CODE_POINTS });
  const text = input
    .normalize('NFC')
    .replaceAll(ZWSP, '')
    // Deprecated independent vowels, replaced as the Unicode code charts direct.
    .replaceAll('\u17A3', '\u17A2')
    .replaceAll('\u17A4', '\u17A2\u17B6');
  const name = collapseSpaces(dropHarmlessJoiners([...text]).join('')).normalize('NFC');
  if (name === '') return err('khmer_name_required');

  const words = name.split(' ');
  let hasBase = false;
  for (const word of words) {
    // A word starting with a vowel sign or other mark has nothing to attach to (dotted circle).
    if (MARK.test(word)) return err('khmer_name_invalid');
    for (const ch of word) {
      const cp = ch.codePointAt(0) ?? 0;
      if (ch === ZWNJ || ch === ZWJ) continue;
      if (!isAllowedKhmerNameCodePoint(cp)) return err('khmer_name_invalid');
      if (isKhmerBase(cp)) hasBase = true;
    }
  }
  if (!hasBase) return err('khmer_name_invalid');
  if ([...name].length > NAME_MAX_CODE_POINTS)
    return err('khmer_name_too_long', { max: NAME_MAX_CODE_POINTS });
  return ok(name);
}

/** Typographic apostrophes and hyphens that phone keyboards insert, mapped to ASCII. */
const PUNCTUATION_FOLD: Readonly<Record<string, string>> = {
  '\u2019': "'",
  '\u2018': "'",
  '\u02BC': "'",
  '\u2010': '-',
  '\u2011': '-',
};

/** One word: letters, optionally joined by single internal hyphens or apostrophes ("O'NEIL", "JEAN-PAUL"). */
const LATIN_WORD = /^[A-Z]+(?:['-][A-Z]+)*$/;

/** Upper-case letters with no canonical decomposition, transliterated as ICAO Doc 9303 part 3 does. */
const LETTER_FOLD: Readonly<Record<string, string>> = {
  Æ: 'AE',
  Ø: 'OE',
  Œ: 'OE',
  Þ: 'TH',
  Đ: 'D',
  Ð: 'D',
  Ł: 'L',
  Ħ: 'H',
  Ŧ: 'T',
  Ŋ: 'N',
};

/**
 * Folds a Latin name to A–Z the way it is written on the MRZ: NFD, marks stripped, upper case
 * ('ß' becomes 'SS'), then the few letters without a decomposition (Ø, Ł, Đ, Æ…) per ICAO.
 */
export function foldLatin(text: string): string {
  return text
    .replace(/[\u2019\u2018\u02BC\u2010\u2011]/g, (ch) => PUNCTUATION_FOLD[ch] ?? ch)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[ÆØŒÞĐÐŁĦŦŊ]/g, (ch) => LETTER_FOLD[ch] ?? ch);
}

export function normalizeLatinName(input: string): Result<string, LatinNameErrorCode> {
  if (typeof input !== 'string') return err('latin_name_required');
  if (input.length > RAW_MAX_LENGTH) return err('latin_name_too_long', { max: NAME_MAX_CODE_POINTS });
  const name = collapseSpaces(foldLatin(input.replaceAll(ZWSP, '')));
  if (name === '') return err('latin_name_required');
  if (!name.split(' ').every((word) => LATIN_WORD.test(word))) return err('latin_name_invalid');
  if (name.length > NAME_MAX_CODE_POINTS) return err('latin_name_too_long', { max: NAME_MAX_CODE_POINTS });
  return ok(name);
}
