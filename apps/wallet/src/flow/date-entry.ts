/**
 * Date entry as Cambodians write dates (issue 16, item 11): day/month/year, in Khmer digits in the
 * Khmer app, whatever the browser's own date picker would show (`mm/dd/yyyy` in a browser set to
 * US English). The form keeps an ISO date (`YYYY-MM-DD`) once all 8 digits are there, and the
 * partial text before that (the server then says the date is not valid). Pure functions.
 */
import { fromKhmerDigits, localDigits } from '../i18n/digits';

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** What the field shows for a form value, in the language's digits: `15/03/2020` / `១៥/០៣/២០២០`. */
export function dateText(value: string, lang: 'km' | 'en'): string {
  const iso = ISO.exec(value);
  return localDigits(iso ? `${iso[3]}/${iso[2]}/${iso[1]}` : value, lang);
}

/** The form value for what was typed (Khmer or Western digits, with or without separators). */
export function dateValue(typed: string): string {
  const western = fromKhmerDigits(typed).trim();
  if (ISO.test(western)) return western;
  const digits = western.replace(/\D/g, '').slice(0, 8);
  if (digits.length === 8) return `${digits.slice(4)}-${digits.slice(2, 4)}-${digits.slice(0, 2)}`;
  return (
    digits.slice(0, 2) +
    (digits.length > 2 ? `/${digits.slice(2, 4)}` : '') +
    (digits.length > 4 ? `/${digits.slice(4)}` : '')
  );
}

/** Whether a form value is a complete calendar date (a real day of a real month). */
export function isCompleteDate(value: string): boolean {
  const iso = ISO.exec(value);
  if (!iso) return false;
  const [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
