/**
 * Phone numbers for sign-up and OTP delivery. Enforces that a number is a valid number that can
 * receive SMS (MOBILE or FIXED_LINE_OR_MOBILE per libphonenumber's full metadata), normalised to
 * E.164 so one person cannot register the same phone twice under two spellings. Cambodian numbers
 * may be written nationally ("012 345 678") or with the country code; foreign numbers only
 * internationally ("+33 6…" or "0033 6…"), since a national foreign number is ambiguous.
 * `maskPhone` hides all but the country code and last 3 digits for logs and UI.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Result } from '../result';
import { err, ok } from '../result';

export type PhoneErrorCode = 'phone_invalid' | 'phone_not_mobile';

export type SmsCapableType = 'MOBILE' | 'FIXED_LINE_OR_MOBILE';

export interface NormalizedPhone {
  /** E.164, e.g. '+85512345678'. */
  readonly e164: string;
  /** ISO 3166-1 alpha-2 region of the number, e.g. 'KH'. */
  readonly country: string;
  /** The number formatted the national way, for display: '012 345 678'. */
  readonly national: string;
  readonly type: SmsCapableType;
}

/** Longest raw input accepted (formatting included); anything longer is refused before parsing. */
export const PHONE_MAX_INPUT_LENGTH = 32;

/** Digits, one leading '+', and the usual separators (any white space counts as a space). No letters. */
const ALLOWED = /^\+?[0-9 ().-]+$/;
const SEPARATORS = /[ ().-]/g;
/**
 * Invisible format characters that copy-paste adds around numbers (iOS wraps copied numbers in
 * U+202A…U+202C; zero-width spaces, marks and isolates also appear). They carry nothing; dropped.
 */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/g;
/** Khmer digits ០..៩ (U+17E0..U+17E9): a Khmer keyboard types these. */
const KHMER_DIGIT = /[\u17E0-\u17E9]/g;

const toAsciiDigits = (text: string): string =>
  text.replace(KHMER_DIGIT, (d) => String((d.codePointAt(0) ?? 0x17e0) - 0x17e0));

const invalid = (reason: string) => err('phone_invalid', { reason });

export function normalizePhone(
  input: string,
  defaultCountry: CountryCode = 'KH',
): Result<NormalizedPhone, PhoneErrorCode> {
  if (typeof input !== 'string') return invalid('not_a_string');
  if (input.length > PHONE_MAX_INPUT_LENGTH) return invalid('too_long');
  const text = toAsciiDigits(input.replace(INVISIBLE, '').replace(/\s/g, ' ').trim());
  if (!ALLOWED.test(text)) return invalid('characters');
  if (!isSupportedCountry(defaultCountry)) return invalid('default_country');

  // '00' + country code is the international form written without '+'.
  let compact = text.replace(SEPARATORS, '');
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  if (!/^\+?[0-9]{3,}$/.test(compact)) return invalid('characters');

  const phone = parsePhoneNumberFromString(compact, { defaultCountry, extract: false });
  if (phone === undefined || !phone.isValid()) return invalid('not_a_valid_number');
  const type = phone.getType();
  if (phone.country === undefined || (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE')) {
    return err('phone_not_mobile', { type: type ?? 'UNKNOWN' });
  }
  return ok({ e164: phone.number, country: phone.country, national: phone.formatNational(), type });
}

/**
 * Masks a phone number for logs and UI: '+85512345678' → '+855 ** *** 678'. Keeps the country
 * calling code and the last 3 digits (none when the national part is shorter than 6 digits).
 * Never throws; input that is not a parseable international number keeps at most its last 3 digits.
 */
export function maskPhone(e164: string): string {
  const text = typeof e164 === 'string' ? e164.slice(0, 64) : '';
  const phone = /^\+[0-9]+$/.test(text) ? parsePhoneNumberFromString(text) : undefined;
  if (phone === undefined) {
    const digits = text.replace(/[^0-9]/g, '');
    return digits.length >= 7 ? `***${digits.slice(-3)}` : '***';
  }
  const prefix = `+${phone.countryCallingCode}`;
  const international = phone.formatInternational();
  const rest = international.startsWith(prefix)
    ? international.slice(prefix.length)
    : ` ${phone.nationalNumber}`;
  const keep = phone.nationalNumber.length >= 6 ? 3 : 0;
  let seen = 0;
  const total = rest.replace(/[^0-9]/g, '').length;
  const masked = rest.replace(/[0-9]/g, (digit) => {
    seen += 1;
    return seen > total - keep ? digit : '*';
  });
  return `${prefix}${masked}`;
}

/**
 * A phone number as the citizen writes it, for the screen that just asked them to type it: the
 * national format for a Cambodian number ('012 345 678'), the international one otherwise
 * ('+66 81 234 5678'). The citizen typed it, so it is shown in full (issue 16, item 4).
 */
export function displayPhone(e164: string): string {
  const phone = /^\+[0-9]{6,15}$/.test(e164) ? parsePhoneNumberFromString(e164) : undefined;
  if (phone === undefined) return e164;
  return phone.country === 'KH' ? phone.formatNational() : phone.formatInternational();
}
