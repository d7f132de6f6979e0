// ICAO Doc 9303 machine readable zone (MRZ) builders for synthetic identity documents used in tests.
import { code, mrzChars, mrzCheckDigit, mrzName, pad, toMrzText } from './mrz-text';

export { mrzCheckDigit, mrzName, toMrzText } from './mrz-text';

/** Sex marker as written in an MRZ: male, female, or unspecified (`<`). */
export type MrzSex = 'M' | 'F' | '<';

/** The three 30-character lines of a TD1 (ID-1 card) MRZ. */
export type Td1Lines = [string, string, string];

/** The two 44-character lines of a TD3 (passport) MRZ. */
export type Td3Lines = [string, string];

/** Fields whose check digit {@link corruptCheckDigit} can falsify. `personalNumber` exists on TD3 only. */
export type MrzCheckDigitField =
  | 'documentNumber'
  | 'birthDate'
  | 'expiryDate'
  | 'personalNumber'
  | 'composite';

/** Input of {@link buildTd1}. Dates are ISO `YYYY-MM-DD`. */
export interface Td1Input {
  /** Two-letter document code; first letter A, C or I. Defaults to `ID`. */
  documentCode?: string;
  /** Issuing state (ICAO 3-letter code). Defaults to `KHM`. */
  issuingState?: string;
  /** Document number; more than 9 characters overflow into optional data 1 as ICAO prescribes. */
  documentNumber: string;
  birthDate: string;
  sex: MrzSex;
  expiryDate: string;
  /** Nationality (ICAO 3-letter code). Defaults to `KHM`. */
  nationality?: string;
  surname: string;
  givenNames: string;
  /** Optional data, line 1 positions 16-30. */
  optional1?: string;
  /** Optional data, line 2 positions 19-29. */
  optional2?: string;
}

/** Input of {@link buildTd3}. Dates are ISO `YYYY-MM-DD`. */
export interface Td3Input {
  /** Two-character document code starting with P. Defaults to `P<`. */
  documentCode?: string;
  issuingState: string;
  surname: string;
  givenNames: string;
  /** Passport number, at most 9 characters. */
  passportNumber: string;
  nationality: string;
  birthDate: string;
  sex: MrzSex;
  expiryDate: string;
  /** Personal number or other optional data, at most 14 characters. */
  personalNumber?: string;
}

/** Converts an ISO `YYYY-MM-DD` date to the MRZ `YYMMDD` form. */
export function mrzDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new RangeError(`expected YYYY-MM-DD, got '${isoDate}'`);
  const [, y = '', mo = '', d = ''] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) {
    throw new RangeError(`invalid calendar date '${isoDate}'`);
  }
  return `${y.slice(2)}${mo}${d}`;
}

function sexMarker(sex: MrzSex): MrzSex {
  if (sex !== 'M' && sex !== 'F' && sex !== '<') throw new RangeError(`invalid sex marker '${String(sex)}'`);
  return sex;
}

/** `YYMMDD` followed by its check digit. */
function dateWithCheck(isoDate: string): string {
  const date = mrzDate(isoDate);
  return date + mrzCheckDigit(date);
}

/** Builds the three lines of a TD1 (ID-1 identity card) MRZ. */
export function buildTd1(input: Td1Input): Td1Lines {
  const docNumber = mrzChars(toMrzText(input.documentNumber), 'document number');
  const opt1 = mrzChars(toMrzText(input.optional1 ?? ''), 'optional data 1');
  let numberAndOptional: string;
  if (docNumber.length <= 9) {
    numberAndOptional = pad(docNumber, 9) + mrzCheckDigit(pad(docNumber, 9)) + pad(opt1, 15);
  } else {
    // ICAO 9303-5 note j: 9 principal characters, '<' in the check digit position, the remainder then
    // the check digit (computed over the whole number) at the start of optional data 1.
    const overflow = `${docNumber.slice(9)}${mrzCheckDigit(docNumber)}<${opt1}`;
    numberAndOptional = `${docNumber.slice(0, 9)}<${pad(overflow, 15)}`;
  }
  const line1 = [
    code(input.documentCode ?? 'ID', 2, 'document code'),
    code(input.issuingState ?? 'KHM', 3, 'issuing state'),
    numberAndOptional,
  ].join('');
  const line2 = [
    dateWithCheck(input.birthDate),
    sexMarker(input.sex),
    dateWithCheck(input.expiryDate),
    code(input.nationality ?? 'KHM', 3, 'nationality'),
    code(toMrzText(input.optional2 ?? ''), 11, 'optional data 2'),
  ].join('');
  const composite = mrzCheckDigit(
    line1.slice(5, 30) + line2.slice(0, 7) + line2.slice(8, 15) + line2.slice(18, 29),
  );
  return [line1, line2 + composite, mrzName(input.surname, input.givenNames, 30)];
}

/** Builds the two lines of a TD3 (passport data page) MRZ. */
export function buildTd3(input: Td3Input): Td3Lines {
  const line1 = [
    code(input.documentCode ?? 'P<', 2, 'document code'),
    code(input.issuingState, 3, 'issuing state'),
    mrzName(input.surname, input.givenNames, 39),
  ].join('');
  const passport = code(toMrzText(input.passportNumber), 9, 'passport number');
  const personal = code(toMrzText(input.personalNumber ?? ''), 14, 'personal number');
  const line2 = [
    passport + mrzCheckDigit(passport),
    code(input.nationality, 3, 'nationality'),
    dateWithCheck(input.birthDate),
    sexMarker(input.sex),
    dateWithCheck(input.expiryDate),
    personal + (/^<+$/.test(personal) ? '<' : mrzCheckDigit(personal)),
  ].join('');
  const composite = mrzCheckDigit(line2.slice(0, 10) + line2.slice(13, 20) + line2.slice(21, 43));
  return [line1, line2 + composite];
}

/** Position of a check digit: line index and column. */
interface DigitPosition {
  line: number;
  column: number;
}

function checkDigitPosition(lines: readonly string[], field: MrzCheckDigitField): DigitPosition {
  const td1 = lines.length === 3 && lines.every((l) => l.length === 30);
  const td3 = lines.length === 2 && lines.every((l) => l.length === 44);
  if (!td1 && !td3) throw new RangeError('expected a TD1 (3×30) or TD3 (2×44) MRZ');
  if (td3) {
    const columns: Record<MrzCheckDigitField, number> = {
      documentNumber: 9,
      birthDate: 19,
      expiryDate: 27,
      personalNumber: 42,
      composite: 43,
    };
    return { line: 1, column: columns[field] };
  }
  switch (field) {
    case 'documentNumber': {
      const line1 = lines[0]!;
      if (line1.charAt(14) !== '<') return { line: 0, column: 14 };
      // Long document number: the check digit is the character before the first filler of optional data 1.
      return { line: 0, column: 15 + line1.slice(15).indexOf('<') - 1 };
    }
    case 'birthDate':
      return { line: 1, column: 6 };
    case 'expiryDate':
      return { line: 1, column: 14 };
    case 'composite':
      return { line: 1, column: 29 };
    case 'personalNumber':
      throw new RangeError('TD1 has no personal number check digit');
  }
}

function recomputeComposite(lines: string[]): void {
  if (lines.length === 3) {
    const [l1, l2] = lines as Td1Lines;
    const digit = mrzCheckDigit(l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29));
    lines[1] = l2.slice(0, 29) + digit;
  } else {
    const l2 = lines[1]!;
    lines[1] = l2.slice(0, 43) + mrzCheckDigit(l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 43));
  }
}

/**
 * Returns a copy of `lines` in which exactly one check digit (the one of `field`) is wrong. The composite
 * check digit is recomputed afterwards, so a parser flags only the named field as invalid.
 */
export function corruptCheckDigit(lines: readonly string[], field: MrzCheckDigitField): string[] {
  const { line, column } = checkDigitPosition(lines, field);
  const out = [...lines];
  const original = out[line]!;
  const current = original.charAt(column);
  const wrong = current === '<' ? '5' : String((Number(current) + 5) % 10);
  out[line] = original.slice(0, column) + wrong + original.slice(column + 1);
  if (field !== 'composite') recomputeComposite(out);
  return out;
}
