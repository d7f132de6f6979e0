// The SyntheticCitizen shape and the derivation of its MRZ and e-mail from the other fields.
import type { MrzSex } from './mrz-builder';
import { buildTd1, buildTd3 } from './mrz-builder';

/** Gender as recorded by the platform. */
export type Gender = 'male' | 'female';

/** Identity document kinds the platform accepts. */
export type DocumentType = 'id_card' | 'passport';

/** A fictitious person with a consistent identity document, contact details and credentials. */
export interface SyntheticCitizen {
  /** Stable test identifier (not a platform id). */
  id: string;
  /** Family name in Khmer script (NFC). For foreigners, an approximate phonetic rendering. */
  khmerSurname: string;
  /** Given name in Khmer script (NFC). */
  khmerGivenName: string;
  /** Family name in uppercase Latin, as printed on the document. */
  latinSurname: string;
  /** Given name(s) in uppercase Latin, as printed on the document. */
  latinGivenName: string;
  gender: Gender;
  /** `YYYY-MM-DD`. */
  birthDate: string;
  /** `id_card`: Cambodian national ID (TD1, issued by KHM); `passport`: TD3 issued by `nationality`. */
  documentType: DocumentType;
  documentNumber: string;
  /** `YYYY-MM-DD`. */
  issueDate: string;
  /** `YYYY-MM-DD`. */
  expiryDate: string;
  /** ICAO 3-letter nationality code, e.g. `KHM`, `FRA`. */
  nationality: string;
  /** Cambodian mobile in national form, e.g. `012 345 678`. Unique across the synthetic population. */
  phone: string;
  /** `@example.com` address, unique across the synthetic population. */
  email: string;
  /** A non-trivial 6-digit PIN (see `isTrivialPin`). */
  pin: string;
  /** MRZ lines: 3×30 (TD1) for ID cards, 2×44 (TD3) for passports. */
  mrz: string[];
}

/** A citizen before its MRZ has been computed. */
export type CitizenData = Omit<SyntheticCitizen, 'mrz'>;

/** Maps a platform gender to the MRZ sex marker. */
export function mrzSex(gender: Gender): MrzSex {
  return gender === 'male' ? 'M' : 'F';
}

/** Builds the MRZ of a citizen's document from its printed fields. */
export function citizenMrz(c: CitizenData): string[] {
  if (c.documentType === 'id_card') {
    return buildTd1({
      issuingState: 'KHM',
      documentNumber: c.documentNumber,
      birthDate: c.birthDate,
      sex: mrzSex(c.gender),
      expiryDate: c.expiryDate,
      nationality: c.nationality,
      surname: c.latinSurname,
      givenNames: c.latinGivenName,
    });
  }
  return buildTd3({
    issuingState: c.nationality,
    surname: c.latinSurname,
    givenNames: c.latinGivenName,
    passportNumber: c.documentNumber,
    nationality: c.nationality,
    birthDate: c.birthDate,
    sex: mrzSex(c.gender),
    expiryDate: c.expiryDate,
  });
}

/** Attaches the MRZ computed from the other fields. */
export function withMrz(c: CitizenData): SyntheticCitizen {
  return { ...c, mrz: citizenMrz(c) };
}

/** `given.surname[.suffix]@example.com`, lowercased, non-letters collapsed to dots. */
export function exampleEmail(latinGivenName: string, latinSurname: string, suffix?: string): string {
  const local = [latinGivenName, latinSurname, suffix]
    .filter((p): p is string => p !== undefined && p !== '')
    .join('.')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.|\.$/g, '');
  return `${local}@example.com`;
}
