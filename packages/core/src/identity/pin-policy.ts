/**
 * Policy for the 6-digit PIN that unlocks the citizen's key. Enforces exactly 6 ASCII digits and
 * refuses the PINs an attacker tries first: one repeated digit, ascending/descending runs (with
 * wrap-around), simple repetitions and mirrors, the most common 6-digit PINs in published studies,
 * and the holder's own birth date. Errors carry no detail, so logs never hint at the PIN.
 */
import type { Result } from '../result';
import { err, ok } from '../result';

export type PinErrorCode = 'pin_format' | 'pin_too_simple' | 'pin_is_birth_date';

/**
 * Frequent 6-digit PINs, compiled from the top lists reported by published studies (Wang et al.,
 * "Understanding Human-Chosen PINs", 2017; Markert et al., "This PIN Can Be Easily Guessed", 2020):
 * keypad lines and diagonals, Chinese "love" numbers, counting patterns. Rankings vary by data set;
 * entries that the patterns below already catch are kept so the list reads as published.
 */
export const COMMON_PINS: readonly string[] = [
  '123456',
  '654321',
  '111111',
  '000000',
  '121212',
  '666666',
  '696969',
  '112233',
  '123123',
  '123321',
  '520520',
  '131313',
  '101010',
  '202020',
  '159753',
  '147258',
  '789456',
  '147852',
  '258369',
  '147369',
  '159357',
  '753951',
  '456123',
  '741852',
  '963852',
  '123654',
  '100200',
  '102030',
  '520131',
  '521521',
  '246810',
  '135790',
];

const COMMON = new Set(COMMON_PINS);

const digitsOf = (pin: string): number[] => [...pin].map(Number);

/** Every next digit is the previous one +1, or every next digit −1, modulo 10 (so 890123 and 109876 too). */
function isRun(d: readonly number[]): boolean {
  return [1, 9].some((step) => d.every((x, i) => i === 0 || x === ((d[i - 1] ?? 0) + step) % 10));
}

/** Repetitions and mirrors: aaaaaa, abcabc, ababab, aabbcc, aaabbb, abccba. */
function isRepetitive(pin: string): boolean {
  const [a, b, c, d, e, f] = pin;
  return (
    pin.slice(0, 3) === pin.slice(3) ||
    pin.slice(0, 2).repeat(3) === pin ||
    (a === b && c === d && e === f) ||
    (a === b && b === c && d === e && e === f) ||
    (a === f && b === e && c === d)
  );
}

/** True for PINs refused as too simple (patterns and the common list); `pin` must be 6 digits. */
export function isTooSimplePin(pin: string): boolean {
  return COMMON.has(pin) || isRepetitive(pin) || isRun(digitsOf(pin));
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The 6-digit strings a PIN must not be for this birth date ('YYYY-MM-DD'): DDMMYY, MMDDYY, YYMMDD,
 * YYYYMM and MMYYYY, without duplicates. An invalid date gives []. The server also uses this to test
 * an already-hashed PIN against a birth date it learns later.
 */
export function birthDatePinCandidates(birthDate: string): string[] {
  const m = typeof birthDate === 'string' ? ISO_DATE.exec(birthDate) : null;
  if (m === null) return [];
  const [, yyyy = '', mm = '', dd = ''] = m;
  const day = new Date(Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd)));
  if (
    day.getUTCFullYear() !== Number(yyyy) ||
    day.getUTCMonth() !== Number(mm) - 1 ||
    day.getUTCDate() !== Number(dd)
  ) {
    return [];
  }
  const yy = yyyy.slice(2);
  return [...new Set([dd + mm + yy, mm + dd + yy, yy + mm + dd, yyyy + mm, mm + yyyy])];
}

export function checkPin(pin: string, opts: { birthDate?: string } = {}): Result<void, PinErrorCode> {
  if (typeof pin !== 'string' || !/^[0-9]{6}$/.test(pin)) return err('pin_format');
  if (opts.birthDate !== undefined && birthDatePinCandidates(opts.birthDate).includes(pin)) {
    return err('pin_is_birth_date');
  }
  if (isTooSimplePin(pin)) return err('pin_too_simple');
  return ok(undefined);
}
