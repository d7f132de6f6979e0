// ICAO 9303 MRZ alphabet helpers: check digits, transliteration of names and fixed-width fields.

const CHECK_WEIGHTS = [7, 3, 1] as const;

function charValue(ch: string): number {
  if (ch === '<') return 0;
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  if (ch >= 'A' && ch <= 'Z') return ch.charCodeAt(0) - 55;
  throw new RangeError(`'${ch}' is not an MRZ character`);
}

/**
 * Computes the ICAO 9303 check digit (weights 7-3-1, `<` = 0, A = 10 … Z = 35) of an MRZ string.
 * @throws RangeError if the input contains characters outside `[0-9A-Z<]`.
 */
export function mrzCheckDigit(value: string): string {
  let sum = 0;
  for (let i = 0; i < value.length; i++) {
    sum += charValue(value.charAt(i)) * CHECK_WEIGHTS[i % 3]!;
  }
  return String(sum % 10);
}

const SPECIAL_LETTERS: Record<string, string> = {
  Æ: 'AE',
  Ø: 'OE',
  Œ: 'OE',
  Þ: 'TH',
  Ð: 'D',
  Đ: 'D',
  Ł: 'L',
  Ĳ: 'IJ',
  Ħ: 'H',
  Ŋ: 'N',
};

/**
 * Transliterates free text into the MRZ alphabet: diacritics are dropped (É → E), a few ligatures are
 * expanded (Æ → AE, ß → SS), apostrophes and other punctuation are omitted, spaces and hyphens become `<`.
 */
export function toMrzText(text: string): string {
  const upper = text.normalize('NFC').toUpperCase();
  let out = '';
  for (const ch of upper) {
    const special = SPECIAL_LETTERS[ch];
    if (special !== undefined) {
      out += special;
      continue;
    }
    const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
    if (/^[A-Z0-9]+$/.test(base)) out += base;
    else if (/[\s\-‐‑–]/.test(ch)) out += '<';
  }
  return out.replace(/<{2,}/g, '<').replace(/^<+|<+$/g, '');
}

function lettersOnly(text: string): string {
  return toMrzText(text).replace(/[0-9]/g, '');
}

/**
 * Builds the name field `SURNAME<<GIVEN<NAMES` padded with `<` to `width`. When too long, given names are
 * truncated first; the surname is only cut when it alone does not fit (keeping one given-name initial).
 */
export function mrzName(surname: string, givenNames: string, width: number): string {
  const s = lettersOnly(surname);
  const g = lettersOnly(givenNames);
  let field: string;
  if (s.length + 2 + g.length <= width) field = g ? `${s}<<${g}` : s;
  else if (s.length + 3 <= width) field = `${s}<<${g.slice(0, width - s.length - 2)}`;
  else field = g ? `${s.slice(0, width - 3)}<<${g.charAt(0)}` : s.slice(0, width);
  return pad(field.replace(/<+$/, ''), width);
}

/** Right-pads an MRZ field with `<`. @throws RangeError when it does not fit. */
export function pad(value: string, width: number): string {
  if (value.length > width) throw new RangeError(`MRZ field '${value}' longer than ${width}`);
  return value.padEnd(width, '<');
}

/** Uppercases and checks that a value only uses the MRZ alphabet. */
export function mrzChars(value: string, what: string): string {
  const v = value.toUpperCase();
  if (!/^[A-Z0-9<]*$/.test(v)) throw new RangeError(`invalid ${what}: '${value}'`);
  return v;
}

/** {@link mrzChars} then {@link pad}. */
export function code(value: string, width: number, what: string): string {
  return pad(mrzChars(value, what), width);
}
