/**
 * Reads the machine-readable zone of the two documents accepted for e-KYC: a Cambodian ID card (TD1,
 * 3 × 30, document code I…, issued by KHM) or a passport of any state (TD3, 2 × 44, document code P…).
 * Enforces exact ICAO 9303 shape and alphabet (characters are never "fixed"), every check digit, real
 * calendar dates, an unexpired document and a holder aged at least 15, so that a misread or forged
 * MRZ cannot reach an officer as if it were valid. Field parsing and check digits come from the `mrz`
 * library; this module adds the checks it lacks (strict alphabet, dates, names, its TD1 long-number quirk).
 */
import type { ParseResult } from 'mrz';
import { parse } from 'mrz';
import type { Result } from '../result';
import { err, ok } from '../result';

export type { MrzDisagreement, MrzFormFields } from './mrz-diff';
export { diffAgainstMrz } from './mrz-diff';

export type MrzErrorCode =
  | 'mrz_format'
  | 'document_type_unsupported'
  | 'mrz_check_digit'
  | 'mrz_date_invalid'
  | 'document_expired'
  | 'holder_under_age';

export type MrzCheckedField =
  | 'documentNumber'
  | 'birthDate'
  | 'expirationDate'
  | 'personalNumber'
  | 'composite';

export interface IdentityMrz {
  readonly format: 'TD1' | 'TD3';
  readonly documentType: 'id_card' | 'passport';
  readonly documentCode: string;
  readonly issuingState: string;
  readonly documentNumber: string;
  readonly surname: string;
  readonly givenNames: string;
  readonly nationality: string;
  /** 'YYYY-MM-DD'. */
  readonly birthDate: string;
  readonly sex: 'male' | 'female' | 'unspecified';
  /** 'YYYY-MM-DD'. */
  readonly expiryDate: string;
  /** Optional data: TD3 personal number, or TD1 optional data of line 1 (fillers at the end removed). */
  readonly personalNumber?: string;
  readonly lines: string[];
}

export const MRZ_MIN_HOLDER_AGE = 15;
/** Cambodia (Asia/Phnom_Penh) is UTC+7 all year; "today" is the calendar date there. */
const CAMBODIA_OFFSET_MS = 7 * 60 * 60 * 1000;
const MAX_INPUT_LENGTH = 512;
const MRZ_LINE = /^[A-Z0-9<]+$/;

const CHECK_DIGIT_FIELDS: Readonly<Partial<Record<string, MrzCheckedField>>> = {
  documentNumberCheckDigit: 'documentNumber',
  birthDateCheckDigit: 'birthDate',
  expirationDateCheckDigit: 'expirationDate',
  personalNumberCheckDigit: 'personalNumber',
  compositeCheckDigit: 'composite',
};
/** Library fields whose failure means a malformed MRZ (dates, names and check digits are handled apart). */
const FORMAT_FIELDS = new Set([
  'documentCode',
  'issuingState',
  'nationality',
  'sex',
  'optional1',
  'optional2',
]);

const stripFillers = (raw: string): string => raw.replace(/<+$/, '');

const format = (reason: string, fields?: string[]) =>
  err('mrz_format', fields === undefined ? { reason } : { reason, fields });

/** Splits the text into trimmed, non-blank lines (tolerates \r\n and surrounding white space). */
export function splitMrzLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export function parseIdentityMrz(text: string, opts: { today: Date }): Result<IdentityMrz, MrzErrorCode> {
  const today = cambodiaDate(opts.today);
  if (typeof text !== 'string' || text.length > MAX_INPUT_LENGTH) return format('length');
  const lines = splitMrzLines(text);
  if (!lines.every((line) => MRZ_LINE.test(line))) return format('charset');

  const shape = lines.map((line) => line.length).join('x');
  const line0 = lines[0] ?? '';
  if (shape === '36x36') {
    return err('document_type_unsupported', { format: 'TD2', documentCode: stripFillers(line0.slice(0, 2)) });
  }
  if (shape !== '30x30x30' && shape !== '44x44') return format('shape');
  const td1 = shape === '30x30x30';
  const documentCode = stripFillers(line0.slice(0, 2));
  const issuingState = stripFillers(line0.slice(2, 5));
  if (td1 ? !documentCode.startsWith('I') || issuingState !== 'KHM' : !documentCode.startsWith('P')) {
    return err('document_type_unsupported', { format: td1 ? 'TD1' : 'TD3', documentCode, issuingState });
  }

  let parsed: ParseResult;
  try {
    parsed = parse(lines);
  } catch {
    return format('shape');
  }

  // Check digits first: a failing one means a misread, whatever else looks wrong.
  const badDigits: MrzCheckedField[] = [];
  for (const d of parsed.details) {
    const name = d.field === null ? undefined : CHECK_DIGIT_FIELDS[d.field];
    if (name !== undefined && !d.valid) badDigits.push(name);
  }
  const longNumber = td1 ? td1LongDocumentNumber(line0) : undefined;
  if (longNumber === null && !badDigits.includes('documentNumber')) badDigits.unshift('documentNumber');
  if (badDigits.length > 0) return err('mrz_check_digit', { fields: badDigits });

  const badFields = parsed.details
    .filter((d) => d.field !== null && FORMAT_FIELDS.has(d.field) && !d.valid)
    .map((d) => d.field as string);
  const documentNumber =
    longNumber?.documentNumber ?? stripFillers(td1 ? line0.slice(5, 14) : lines[1]!.slice(0, 9));
  if (!/^[A-Z0-9]+$/.test(documentNumber)) badFields.push('documentNumber');
  const nameField = td1 ? lines[2]! : line0.slice(5);
  const names = splitNames(nameField);
  if (names === undefined) badFields.push('names');
  if (badFields.length > 0 || names === undefined) return format('field', badFields);

  const line1 = lines[1]!;
  const birthRaw = td1 ? line1.slice(0, 6) : line1.slice(13, 19);
  const expiryRaw = td1 ? line1.slice(8, 14) : line1.slice(21, 27);
  // Birth century: 20YY unless that date would be after today.
  const birthDate = mrzDate(birthRaw, (iso20) => (iso20 > today ? 1900 : 2000));
  const expiryDate = mrzDate(expiryRaw, () => 2000);
  const badDates = [...(birthDate ? [] : ['birthDate']), ...(expiryDate ? [] : ['expirationDate'])];
  if (birthDate === undefined || expiryDate === undefined) {
    return err('mrz_date_invalid', { fields: badDates });
  }

  if (expiryDate < today) return err('document_expired', { expiryDate });
  if (ageOn(birthDate, today) < MRZ_MIN_HOLDER_AGE) {
    return err('holder_under_age', { minimumAge: MRZ_MIN_HOLDER_AGE });
  }

  const sex = parsed.fields.sex;
  const personalRaw = td1 ? (longNumber?.rest ?? line0.slice(15, 30)) : line1.slice(28, 42);
  const personalNumber = stripFillers(personalRaw);
  return ok({
    format: td1 ? 'TD1' : 'TD3',
    documentType: td1 ? 'id_card' : 'passport',
    documentCode,
    issuingState,
    documentNumber,
    surname: names.surname,
    givenNames: names.givenNames,
    nationality: stripFillers(td1 ? line1.slice(15, 18) : line1.slice(10, 13)),
    birthDate,
    sex: sex === 'male' || sex === 'female' ? sex : 'unspecified',
    expiryDate,
    ...(personalNumber === '' ? {} : { personalNumber }),
    lines,
  });
}

/**
 * TD1 document numbers longer than 9 characters: position 15 holds '<' and the overflow, its check
 * digit and a filler start the optional data (ICAO 9303-5, note j). The library accepts an overflow
 * with no digit at all ('' reads as 0), so the shape is enforced here. Returns undefined for an
 * ordinary number, null for a malformed overflow.
 */
function td1LongDocumentNumber(line0: string): { documentNumber: string; rest: string } | null | undefined {
  if (line0[14] !== '<') return undefined;
  const optional = line0.slice(15, 30);
  const filler = optional.indexOf('<');
  const tail = optional.slice(0, filler - 1);
  const main = line0.slice(5, 14);
  if (filler < 2 || !/^[A-Z0-9]{9}$/.test(main) || !/^[A-Z0-9]*[0-9]$/.test(optional.slice(0, filler)))
    return null;
  return { documentNumber: main + tail, rest: optional.slice(filler + 1) };
}

/**
 * Splits the name field at the first '<<' into primary and secondary identifiers, fillers read as
 * spaces. Without '<<' the whole field is the surname (a truncated or single name). Letters only;
 * the surname must not be empty.
 */
export function splitNames(field: string): { surname: string; givenNames: string } | undefined {
  if (!/^[A-Z<]+$/.test(field)) return undefined;
  const body = field.replace(/<+$/, '');
  const at = body.indexOf('<<');
  const clean = (s: string) => s.replace(/<+/g, ' ').trim();
  const surname = clean(at < 0 ? body : body.slice(0, at));
  const givenNames = at < 0 ? '' : clean(body.slice(at + 2));
  return surname === '' ? undefined : { surname, givenNames };
}

/**
 * 'YYMMDD' → 'YYYY-MM-DD', or undefined if not a real date. `century` receives the date read in the
 * 2000s ('20YY-MM-DD') and returns 1900 or 2000.
 */
function mrzDate(raw: string, century: (iso20: string) => number): string | undefined {
  if (!/^[0-9]{6}$/.test(raw)) return undefined;
  const [yy, mm, dd] = [raw.slice(0, 2), raw.slice(2, 4), raw.slice(4, 6)];
  const year = century(`20${yy}-${mm}-${dd}`) + Number(yy);
  const month = Number(mm);
  const day = Number(dd);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${year}-${mm}-${dd}`;
}

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Whole years from `birth` to `on` (both 'YYYY-MM-DD'); someone born on 29 February ages on 1 March. */
function ageOn(birth: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(birth.slice(0, 4));
  return on.slice(5) < birth.slice(5) ? years - 1 : years;
}

/** The calendar date in Cambodia at `instant`, 'YYYY-MM-DD'. Throws a TypeError on an invalid Date. */
function cambodiaDate(instant: Date): string {
  const time = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(time)) throw new TypeError('parseIdentityMrz: opts.today must be a valid Date');
  return new Date(time + CAMBODIA_OFFSET_MS).toISOString().slice(0, 10);
}
