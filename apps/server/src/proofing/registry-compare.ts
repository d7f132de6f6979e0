/**
 * Field-by-field comparison of claimed identity data with the civil register (Khmer names after
 * Unicode NFC normalisation and whitespace folding, Latin names case-insensitive, dates and gender
 * exact). Used by registration evidence and by the Open KYC `info*` APIs, so both score alike.
 */
import type { IdentityMrz } from '@camdigikey/core/identity/mrz';
import { isNameFieldFull, nameDisagrees } from '@camdigikey/core/identity/mrz-diff';
import type { RegistryRecord } from '../ports/civil-registry';

export interface ClaimedIdentity {
  khmerSurname: string | null;
  khmerGivenName: string | null;
  latinSurname: string | null;
  latinGivenName: string | null;
  gender: string | null;
  birthDate: string | null;
  issueDate: string | null;
  expiryDate: string | null;
}

const fold = (v: string | null | undefined) =>
  (v ?? '').normalize('NFC').replace(/\s+/g, ' ').trim().toUpperCase();

export function compareWithRegistry(claimed: ClaimedIdentity, record: RegistryRecord) {
  const fields: [keyof ClaimedIdentity, string][] = [
    ['khmerSurname', record.khmerSurname],
    ['khmerGivenName', record.khmerGivenName],
    ['latinSurname', record.latinSurname],
    ['latinGivenName', record.latinGivenName],
    ['gender', record.gender],
    ['birthDate', record.birthDate],
    ['issueDate', record.issueDate],
    ['expiryDate', record.expiryDate],
  ];
  const incorrectFields = fields
    .filter(([name, value]) => fold(claimed[name]) !== fold(value))
    .map(([name]) => name);
  return { incorrectFields, score: Math.round((1 - incorrectFields.length / fields.length) * 1000) / 1000 };
}

/**
 * The names in the document's MRZ against the register's Latin names. No check digit protects MRZ
 * names, so this is the check that catches a misread or altered name: the register's names must be
 * what ICAO 9303 would write in the MRZ (upper case, diacritics folded, fillers for spaces and hyphens;
 * a full name field may truncate). Answers the disagreeing name fields.
 */
export function compareMrzNamesWithRegistry(
  mrz: Pick<IdentityMrz, 'format' | 'lines' | 'surname' | 'givenNames'>,
  record: Pick<RegistryRecord, 'latinSurname' | 'latinGivenName'>,
): Array<'latinSurname' | 'latinGivenName'> {
  const truncated = isNameFieldFull(mrz);
  const out: Array<'latinSurname' | 'latinGivenName'> = [];
  if (nameDisagrees(record.latinSurname, mrz.surname, truncated)) out.push('latinSurname');
  if (nameDisagrees(record.latinGivenName, mrz.givenNames, truncated)) out.push('latinGivenName');
  return out;
}
