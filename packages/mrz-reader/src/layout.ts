// ICAO 9303 structure of the TD1 (3 × 30) and TD3 (2 × 44) machine-readable zones: the characters each
// position may hold (digits in dates and check digits, letters in codes and names, '<' fillers) and the
// check-digit groups that let the reader detect and repair misread characters.
import type { MrzFormat } from './locate';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const L = `${LETTERS}<`;
const ALNUM = `${LETTERS}${DIGITS}<`;
const SEX = 'MFX<';

/** ICAO 9303 check digit (weights 7, 3, 1; A–Z = 10–35, '<' = 0) of `text`. */
export function checkDigit(text: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const value = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 90 ? c - 55 : 0;
    sum += value * weights[i % 3]!;
  }
  return sum % 10;
}

const holds = (text: string, digit: string | undefined): boolean => digit === String(checkDigit(text));

/** A date YYMMDD: month starts with 0/1, day with 0–3. */
const DATE = [DIGITS, DIGITS, '01', DIGITS, '0123', DIGITS];

function spread(spec: Array<string | string[]>, length: number): string[] {
  const out = spec.flatMap((s) => (Array.isArray(s) ? s : [s]));
  if (out.length !== length) throw new Error(`layout length ${out.length} ≠ ${length}`);
  return out;
}
const times = (n: number, alphabet: string): string[] => Array.from({ length: n }, () => alphabet);

/** Allowed characters of each position, per line. */
export const ALPHABETS: Readonly<Record<MrzFormat, readonly (readonly string[])[]>> = {
  TD1: [
    spread(['ACI', L, times(3, L), times(9, ALNUM), `${DIGITS}<`, times(15, ALNUM)], 30),
    spread([DATE, DIGITS, SEX, DATE, DIGITS, times(3, L), times(11, ALNUM), DIGITS], 30),
    spread([times(30, L)], 30),
  ],
  TD3: [
    spread(['P', L, times(3, L), times(39, L)], 44),
    spread(
      [times(9, ALNUM), DIGITS, times(3, L), DATE, DIGITS, SEX, DATE, DIGITS, times(14, ALNUM)],
      42,
    ).concat([`${DIGITS}<`, DIGITS]),
  ],
};

/** A check-digit relation over some positions ([line, column]) of the MRZ. */
export interface CheckGroup {
  readonly name: string;
  readonly positions: ReadonlyArray<readonly [number, number]>;
  readonly valid: (lines: readonly string[]) => boolean;
}

const span = (line: number, from: number, to: number): Array<[number, number]> =>
  Array.from({ length: to - from }, (_, i) => [line, from + i] as [number, number]);

/** TD1 document number, including the long-number form (ICAO 9303-5 note j). */
function td1DocumentNumber(lines: readonly string[]): boolean {
  const l0 = lines[0]!;
  if (l0[14] !== '<') return holds(l0.slice(5, 14), l0[14]);
  const optional = l0.slice(15, 30);
  const filler = optional.indexOf('<');
  if (filler < 2) return false;
  return (
    /^[0-9]$/.test(optional[filler - 1]!) &&
    holds(l0.slice(5, 14) + optional.slice(0, filler - 1), optional[filler - 1])
  );
}

export const CHECK_GROUPS: Readonly<Record<MrzFormat, readonly CheckGroup[]>> = {
  TD1: [
    { name: 'documentNumber', positions: span(0, 5, 30), valid: td1DocumentNumber },
    { name: 'birthDate', positions: span(1, 0, 7), valid: (l) => holds(l[1]!.slice(0, 6), l[1]![6]) },
    { name: 'expiryDate', positions: span(1, 8, 15), valid: (l) => holds(l[1]!.slice(8, 14), l[1]![14]) },
    {
      name: 'composite',
      positions: [...span(0, 5, 30), ...span(1, 0, 7), ...span(1, 8, 15), ...span(1, 18, 30)],
      valid: (l) =>
        holds(l[0]!.slice(5, 30) + l[1]!.slice(0, 7) + l[1]!.slice(8, 15) + l[1]!.slice(18, 29), l[1]![29]),
    },
  ],
  TD3: [
    { name: 'documentNumber', positions: span(1, 0, 10), valid: (l) => holds(l[1]!.slice(0, 9), l[1]![9]) },
    { name: 'birthDate', positions: span(1, 13, 20), valid: (l) => holds(l[1]!.slice(13, 19), l[1]![19]) },
    { name: 'expiryDate', positions: span(1, 21, 28), valid: (l) => holds(l[1]!.slice(21, 27), l[1]![27]) },
    {
      name: 'personalNumber',
      positions: span(1, 28, 43),
      valid: (l) => {
        const field = l[1]!.slice(28, 42);
        const digit = l[1]![42];
        return digit === '<' ? /^<+$/.test(field) : holds(field, digit);
      },
    },
    {
      name: 'composite',
      positions: [...span(1, 0, 10), ...span(1, 13, 20), ...span(1, 21, 44)],
      valid: (l) => holds(l[1]!.slice(0, 10) + l[1]!.slice(13, 20) + l[1]!.slice(21, 43), l[1]![43]),
    },
  ],
};

/** True when every check digit of the MRZ holds. */
export function allChecksHold(format: MrzFormat, lines: readonly string[]): boolean {
  return CHECK_GROUPS[format].every((g) => g.valid(lines));
}

/**
 * Issuer rules that narrow ICAO's alphabets where a document type is known to use fewer characters:
 * Cambodian ID cards (TD1, issuing state KHM) carry a numeric 9-digit ID number, so its positions and
 * its check digit can only be digits — a blurred 0 then cannot turn into an O or a B and fool the check
 * digit. Keyed by format and issuing state; each rule lists [line, from, to) spans and their alphabet.
 */
export const ISSUER_RULES: ReadonlyArray<{
  format: MrzFormat;
  issuingState: string;
  spans: ReadonlyArray<{ line: number; from: number; to: number; alphabet: string }>;
}> = [{ format: 'TD1', issuingState: 'KHM', spans: [{ line: 0, from: 5, to: 15, alphabet: DIGITS }] }];

/** Issuing state as written in line 0 (positions 3–5). */
export const issuingStateOf = (line0: string): string => line0.slice(2, 5);

/**
 * Characters allowed at [line, col], given the best reading `best` of the whole MRZ (which tells the
 * issuing state): the ICAO alphabet of the position, narrowed by any issuer rule.
 */
export function allowedAt(format: MrzFormat, best: readonly string[], line: number, col: number): string {
  const base = ALPHABETS[format][line]![col]!;
  const state = issuingStateOf(best[0] ?? '');
  for (const rule of ISSUER_RULES) {
    if (rule.format !== format || rule.issuingState !== state) continue;
    for (const s of rule.spans) {
      if (s.line === line && col >= s.from && col < s.to)
        return [...base].filter((ch) => s.alphabet.includes(ch)).join('');
    }
  }
  return base;
}
