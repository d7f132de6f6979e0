// Seeded generator of fresh, unique synthetic citizens, plus deliberately invalid variants for negative tests.

import type { CitizenData, DocumentType, Gender, SyntheticCitizen } from './citizen-model';
import { exampleEmail, withMrz } from './citizen-model';
import { FOREIGN_NAMES, FOREIGN_STATES, KHMER_NAMES } from './citizen-names';
import type { MrzCheckDigitField } from './mrz-builder';
import { corruptCheckDigit } from './mrz-builder';
import { isTrivialPin } from './pin';
import type { Rng } from './prng';
import { addDays, addYears, digits, isoDate, mulberry32, randInt } from './prng';

/** Fields of {@link makeCitizen} that may be forced. `mrz` is always recomputed from the result. */
export type CitizenOverrides = Partial<CitizenData>;

/** Seeds must be integers in `[0, CITIZEN_SEED_LIMIT)`; within that range identifiers never collide. */
export const CITIZEN_SEED_LIMIT = 10_000_000;

/** Mobile prefixes of generated citizens. `012` is reserved for the fixed `CITIZENS`, so they never clash. */
const GENERATED_PREFIXES: readonly string[] = '10 11 15 16 17 61 69 70 77 78 81 85 89 92 93 95 98 99'.split(
  ' ',
);

/** Bijection of [0, 10^width) onto itself (affine map with a multiplier coprime to 10). */
function scramble(value: number, width: 6 | 7 | 8): number {
  const mod = 10 ** width;
  const mult = { 6: 918_273, 7: 7_654_321, 8: 76_543_211 }[width];
  return ((((value % mod) * mult + 1_234_567) % mod) + mod) % mod;
}

function generatedPhone(seed: number): string {
  const prefix = GENERATED_PREFIXES[seed % GENERATED_PREFIXES.length]!;
  const sub = digits(scramble(Math.floor(seed / GENERATED_PREFIXES.length), 6), 6);
  return `0${prefix} ${sub.slice(0, 3)} ${sub.slice(3)}`;
}

function letterPair(index: number): string {
  return String.fromCharCode(65 + Math.floor(index / 26), 65 + (index % 26));
}

/** Document numbers in each state's usual shape, built from a per-seed unique 7/8-digit serial. */
function generatedDocumentNumber(
  seed: number,
  type: DocumentType,
  nationality: string,
  issue: string,
): string {
  if (type === 'id_card') return `9${digits(scramble(seed, 8), 8)}`;
  const serial = scramble(seed, 7);
  const s7 = digits(serial, 7);
  switch (nationality) {
    case 'KHM':
      return `N9${s7}`;
    case 'FRA':
      return `${issue.slice(2, 4)}${letterPair(Math.floor(serial / 100_000))}${digits(serial % 100_000, 5)}`;
    case 'JPN':
      return `TZ${s7}`;
    case 'USA':
      return `60${s7}`;
    case 'THA':
      return `AB${s7}`;
    default:
      return `P9${s7}`;
  }
}

function randomDate(rng: Rng, fromYear: number, toYear: number): string {
  const y = randInt(rng, fromYear, toYear);
  return `${y}-${digits(randInt(rng, 1, 12), 2)}-${digits(randInt(rng, 1, 28), 2)}`;
}

function randomPin(rng: Rng, birthDate: string): string {
  for (;;) {
    const pin = digits(randInt(rng, 0, 999_999), 6);
    if (!isTrivialPin(pin, birthDate)) return pin;
  }
}

function at<T>(items: readonly T[], roll: number): T {
  return items[Math.min(items.length - 1, Math.floor(roll * items.length))]!;
}

function definedOnly(overrides: CitizenOverrides): CitizenOverrides {
  return Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
}

/**
 * Builds a fresh synthetic citizen, deterministically from `seed`: the same seed always yields the same
 * person, and distinct seeds in `[0, CITIZEN_SEED_LIMIT)` yield distinct ids, document numbers, phones
 * and e-mails (which never collide with the fixed `CITIZENS` either). About 3 in 4 are Khmer ID card
 * holders, the rest foreign passport holders. `overrides` replace generated fields; `expiryDate`
 * follows an overridden `issueDate`, `email` follows overridden Latin names, and the MRZ is rebuilt.
 * @throws RangeError for a seed outside the supported range.
 */
export function makeCitizen(seed: number, overrides: CitizenOverrides = {}): SyntheticCitizen {
  if (!Number.isInteger(seed) || seed < 0 || seed >= CITIZEN_SEED_LIMIT) {
    throw new RangeError(`seed must be an integer in [0, ${CITIZEN_SEED_LIMIT}), got ${seed}`);
  }
  const rng = mulberry32(seed ^ 0x6b686d);
  const roll = { type: rng(), state: rng(), gender: rng(), surname: rng(), given: rng() };
  const drawnBirth = randomDate(rng, 1960, 2004);
  const drawnIssue = randomDate(rng, 2021, 2025);

  const documentType = overrides.documentType ?? (roll.type < 0.75 ? 'id_card' : 'passport');
  const nationality =
    overrides.nationality ?? (documentType === 'id_card' ? 'KHM' : at(FOREIGN_STATES, roll.state));
  const gender: Gender = overrides.gender ?? (roll.gender < 0.5 ? 'male' : 'female');
  const pool = nationality === 'KHM' ? KHMER_NAMES : (FOREIGN_NAMES[nationality] ?? FOREIGN_NAMES.USA!);
  const surname = at(pool.surnames, roll.surname);
  const given = at(gender === 'male' ? pool.male : pool.female, roll.given);
  const issueDate = overrides.issueDate ?? drawnIssue;
  const birthDate = overrides.birthDate ?? drawnBirth;
  const latinSurname = overrides.latinSurname ?? surname.latin;
  const latinGivenName = overrides.latinGivenName ?? given.latin;

  const data: CitizenData = {
    id: `citizen-s${seed}`,
    khmerSurname: surname.km,
    khmerGivenName: given.km,
    latinSurname,
    latinGivenName,
    gender,
    birthDate,
    documentType,
    documentNumber: generatedDocumentNumber(seed, documentType, nationality, issueDate),
    issueDate,
    expiryDate: addYears(issueDate, 10),
    nationality,
    phone: generatedPhone(seed),
    email: exampleEmail(latinGivenName, latinSurname, String(seed)),
    pin: randomPin(rng, birthDate),
    ...definedOnly(overrides),
  };
  return withMrz(data);
}

/** A Khmer ID card holder whose card expired on 2024-06-30 (issued 2014-06-30). */
export function expiredDocumentCitizen(seed = 9_000_001): SyntheticCitizen {
  return makeCitizen(seed, {
    documentType: 'id_card',
    nationality: 'KHM',
    issueDate: '2014-06-30',
    expiryDate: '2024-06-30',
  });
}

/**
 * A Khmer ID card holder who is 14 years (and about 100 days) old on `today`, with a card issued 30 days
 * before `today` and valid for 10 years — valid document, but under the platform's minimum age.
 */
export function underAgeCitizen(today: Date, seed = 9_000_002): SyntheticCitizen {
  const todayIso = isoDate(today);
  const issueDate = addDays(todayIso, -30);
  return makeCitizen(seed, {
    documentType: 'id_card',
    nationality: 'KHM',
    birthDate: addDays(addYears(todayIso, -14), -100),
    issueDate,
    expiryDate: addYears(issueDate, 10),
  });
}

/** The citizen's MRZ with one wrong check digit (by default the document number's). */
export function badCheckDigitMrz(
  citizen: SyntheticCitizen,
  field: MrzCheckDigitField = 'documentNumber',
): string[] {
  return corruptCheckDigit(citizen.mrz, field);
}
