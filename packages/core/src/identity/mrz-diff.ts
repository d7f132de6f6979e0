/**
 * Compares what the citizen typed in the registration form with the MRZ of the document, and lists
 * every disagreement for the reviewing officer. Names are compared the way ICAO 9303 writes them on
 * the MRZ (upper-case A–Z, diacritics folded, spaces and hyphens as fillers, apostrophes omitted or
 * as fillers, long names truncated); every other field must match exactly. A name that only differs
 * by MRZ truncation is not a disagreement; anything else is, so that officers see all of them.
 */
import { foldLatin } from './khmer-name';
import type { IdentityMrz } from './mrz';

export interface MrzFormFields {
  readonly latinSurname: string;
  readonly latinGivenName: string;
  readonly documentNumber: string;
  /** 'YYYY-MM-DD'. */
  readonly birthDate: string;
  /** 'YYYY-MM-DD'. */
  readonly expiryDate: string;
  readonly gender: 'male' | 'female';
}

export interface MrzDisagreement {
  readonly field: keyof MrzFormFields;
  readonly form: string;
  readonly mrz: string;
}

/**
 * The name as it would be written on the MRZ, as words: one candidate with apostrophes omitted
 * (ICAO 9303-3) and one with apostrophes as fillers (what some issuers do).
 */
export function mrzNameCandidates(name: string): string[][] {
  const folded = foldLatin(name);
  const words = (text: string) => text.split(/[^A-Z]+/).filter((w) => w !== '');
  const omitted = words(folded.replaceAll("'", ''));
  const filler = words(folded);
  return omitted.join(' ') === filler.join(' ') ? [omitted] : [omitted, filler];
}

/**
 * True when the MRZ name field is full up to its last character, which ICAO uses to signal that
 * the names may have been truncated.
 */
export function isNameFieldFull(mrz: Pick<IdentityMrz, 'format' | 'lines'>): boolean {
  const field = mrz.format === 'TD1' ? mrz.lines[2] : mrz.lines[0]?.slice(5);
  return field !== undefined && field !== '' && !field.endsWith('<');
}

/**
 * MRZ words match form words exactly, or, when the name field is full, as a truncation: the MRZ may
 * keep fewer words and each kept word may be cut short (down to an initial), never reordered or changed.
 */
function namesAgree(form: readonly string[], mrz: readonly string[], truncated: boolean): boolean {
  if (form.join(' ') === mrz.join(' ')) return true;
  if (!truncated || mrz.length > form.length) return false;
  return mrz.every((word, i) => word !== '' && (form[i] ?? '').startsWith(word));
}

/**
 * True when `name` (as a person or a register writes it) cannot be what the MRZ name field holds
 * (`mrzName`, words separated by spaces), ICAO 9303 transliteration and, for a full field, truncation
 * allowed.
 */
export function nameDisagrees(formName: string, mrzName: string, truncated: boolean): boolean {
  const mrzWords = mrzName.split(' ').filter((w) => w !== '');
  return !mrzNameCandidates(formName).some((candidate) => namesAgree(candidate, mrzWords, truncated));
}

export function diffAgainstMrz(form: MrzFormFields, mrz: IdentityMrz): MrzDisagreement[] {
  const out: MrzDisagreement[] = [];
  const truncated = isNameFieldFull(mrz);
  if (nameDisagrees(form.latinSurname, mrz.surname, truncated)) {
    out.push({ field: 'latinSurname', form: form.latinSurname, mrz: mrz.surname });
  }
  if (nameDisagrees(form.latinGivenName, mrz.givenNames, truncated)) {
    out.push({ field: 'latinGivenName', form: form.latinGivenName, mrz: mrz.givenNames });
  }
  const exact: [keyof MrzFormFields, string, string][] = [
    ['documentNumber', form.documentNumber, mrz.documentNumber],
    ['birthDate', form.birthDate, mrz.birthDate],
    ['expiryDate', form.expiryDate, mrz.expiryDate],
    ['gender', form.gender, mrz.sex],
  ];
  for (const [field, formValue, mrzValue] of exact) {
    if (formValue !== mrzValue) out.push({ field, form: formValue, mrz: mrzValue });
  }
  return out;
}
