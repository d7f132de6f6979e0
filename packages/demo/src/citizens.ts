// Synthetic citizens: a fixed, well-known population (CITIZENS) plus re-exports of the seeded generator.
import type { DocumentType, Gender, SyntheticCitizen } from './citizen-model';
import { exampleEmail, withMrz } from './citizen-model';
import { addYears } from './prng';

export type { CitizenOverrides } from './citizen-factory';
export {
  badCheckDigitMrz,
  CITIZEN_SEED_LIMIT,
  expiredDocumentCitizen,
  makeCitizen,
  underAgeCitizen,
} from './citizen-factory';
export type { CitizenData, DocumentType, Gender, SyntheticCitizen } from './citizen-model';
export { citizenMrz, exampleEmail, mrzSex, withMrz } from './citizen-model';
export type { NamePair, NamePool } from './citizen-names';
export { FOREIGN_NAMES, FOREIGN_STATES, KHMER_NAMES } from './citizen-names';

type Row = [
  khmerSurname: string,
  khmerGivenName: string,
  latinSurname: string,
  latinGivenName: string,
  gender: Gender,
  birthDate: string,
  documentType: DocumentType,
  documentNumber: string,
  issueDate: string,
  nationality: string,
  phone: string,
  pin: string,
];

// Documents are valid for 10 years from issue, so every document below is valid from 2026 to 2030.
// biome-ignore format: one citizen per line reads as a table
const ROWS: readonly Row[] = [
  ['សុខ', 'ដារា', 'SOK', 'DARA', 'male', '1988-03-14', 'id_card', '010234567', '2022-05-20', 'KHM', '012 345 678', '482915'],
  ['ចាន់', 'សុភា', 'CHAN', 'SOPHEA', 'female', '1992-07-02', 'id_card', '010876543', '2023-01-11', 'KHM', '012 456 789', '730264'],
  ['ហេង', 'ស្រីនាង', 'HENG', 'SREYNEANG', 'female', '1995-11-23', 'id_card', '020119384', '2021-09-03', 'KHM', '012 581 347', '915372'],
  ['គឹម', 'វិចិត្រ', 'KIM', 'VICHET', 'male', '1979-01-30', 'id_card', '030556712', '2024-02-14', 'KHM', '012 603 918', '264839'],
  ['លី', 'បុប្ផា', 'LY', 'BOPHA', 'female', '1985-09-19', 'id_card', '011347820', '2022-11-30', 'KHM', '012 718 254', '857103'],
  ['ជា', 'ពិសិដ្ឋ', 'CHEA', 'PISETH', 'male', '2000-05-17', 'id_card', '120904561', '2025-03-08', 'KHM', '012 829 460', '391648'],
  ['ម៉ៅ', 'ធីតា', 'MAO', 'THIDA', 'female', '1990-12-05', 'id_card', '080223917', '2021-06-25', 'KHM', '012 934 172', '620497'],
  ['កែវ', 'សំណាង', 'KEO', 'SAMNANG', 'male', '1968-04-21', 'id_card', '170664283', '2023-08-17', 'KHM', '012 247 936', '148260'],
  ['សេង', 'រតនា', 'SENG', 'RATANA', 'female', '2003-02-28', 'id_card', '150087326', '2024-10-02', 'KHM', '012 376 045', '597031'],
  ['ទេព', 'សុវណ្ណ', 'TEP', 'SOVANN', 'male', '1972-08-08', 'id_card', '040771935', '2022-01-19', 'KHM', '012 490 861', '803526'],
  ['អ៊ុក', 'ចាន់ថា', 'OUK', 'CHANTHA', 'female', '1983-10-12', 'passport', 'N01928374', '2024-06-10', 'KHM', '012 652 309', '736418'],
  ['ម៉ាទីន', 'ក្លែរ', 'MARTIN', 'CLAIRE', 'female', '1987-06-11', 'passport', '19AB12345', '2023-04-03', 'FRA', '012 763 514', '259870'],
  ['តាណាកា', 'កេនជី', 'TANAKA', 'KENJI', 'male', '1976-02-09', 'passport', 'TK4829173', '2022-09-27', 'JPN', '012 874 625', '618342'],
  ['ស្មីត', 'ចន ម៉ៃឃើល', 'SMITH', 'JOHN MICHAEL', 'male', '1981-12-24', 'passport', '583920174', '2021-12-01', 'USA', '012 985 736', '470951'],
  ['ស្រីសុខ', 'មាលី', 'SRISUK', 'MALEE', 'female', '1998-07-30', 'passport', 'AA7302615', '2025-01-22', 'THA', '012 136 847', '925186'],
];

function fromRow(row: Row, index: number): SyntheticCitizen {
  const [khmerSurname, khmerGivenName, latinSurname, latinGivenName, gender, birthDate, documentType] = row;
  const [, , , , , , , documentNumber, issueDate, nationality, phone, pin] = row;
  return withMrz({
    id: `citizen-${String(index + 1).padStart(2, '0')}`,
    khmerSurname: khmerSurname.normalize('NFC'),
    khmerGivenName: khmerGivenName.normalize('NFC'),
    latinSurname,
    latinGivenName,
    gender,
    birthDate,
    documentType,
    documentNumber,
    issueDate,
    expiryDate: addYears(issueDate, 10),
    nationality,
    phone,
    email: exampleEmail(latinGivenName, latinSurname),
    pin,
  });
}

/**
 * The fixed synthetic population: 10 Cambodian national ID card holders (TD1, `IDKHM…`), one Cambodian
 * passport holder and four foreign passport holders (FRA, JPN, USA, THA; TD3). Ids are `citizen-01` …
 * `citizen-15`; phones all use the `012` prefix (never used by `makeCitizen`). Deeply frozen: copy before
 * modifying (`{ ...CITIZENS[0] }`).
 */
export const CITIZENS: readonly Readonly<SyntheticCitizen>[] = Object.freeze(
  ROWS.map((row, i) => {
    const c = fromRow(row, i);
    Object.freeze(c.mrz);
    return Object.freeze(c);
  }),
);

/** Looks a fixed citizen up by id (`citizen-01` …). @throws Error when unknown. */
export function citizenById(id: string): Readonly<SyntheticCitizen> {
  const found = CITIZENS.find((c) => c.id === id);
  if (!found) throw new Error(`no fixed citizen '${id}'`);
  return found;
}
