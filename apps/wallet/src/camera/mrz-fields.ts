/**
 * The fields the app pre-fills from a scanned MRZ, read by position as the server does (packages/core
 * identity/mrz.ts): document number (with the TD1 long-number overflow), surname and given names, ISO
 * dates (birth century: 20YY unless that is after today in Cambodia), sex and nationality. Unlike the
 * server's parseIdentityMrz it does not refuse an expired document or an under-age holder: the scanner
 * hands the MRZ on and the server answers with its own error. The reader has already checked every
 * check digit. Written here rather than imported from @camdigikey/core, whose MRZ module brings the
 * `mrz` parsing library into the camera chunk; mrz-fields.test.ts holds both to the same answers.
 */

export type MrzFields = {
  documentNumber: string;
  surname: string;
  givenNames: string;
  /** 'YYYY-MM-DD' ('' when not a calendar date). */
  birthDate: string;
  /** 'YYYY-MM-DD' ('' when not a calendar date). */
  expiryDate: string;
  sex: 'male' | 'female' | 'unspecified';
  nationality: string;
};

/** Cambodia (Asia/Phnom_Penh) is UTC+7 all year. */
const CAMBODIA_OFFSET_MS = 7 * 60 * 60 * 1000;

const stripFillers = (raw: string): string => raw.replace(/<+$/, '');

/** Primary and secondary identifiers: split at the first '<<', fillers read as spaces (as the server does). */
function splitNames(field: string): { surname: string; givenNames: string } {
  if (!/^[A-Z<]+$/.test(field)) return { surname: '', givenNames: '' };
  const body = field.replace(/<+$/, '');
  const at = body.indexOf('<<');
  const clean = (s: string) => s.replace(/<+/g, ' ').trim();
  return {
    surname: clean(at < 0 ? body : body.slice(0, at)),
    givenNames: at < 0 ? '' : clean(body.slice(at + 2)),
  };
}

/** 'YYMMDD' → 'YYYY-MM-DD' in the given century, or '' when not a real date. */
function isoDate(raw: string, century: number): string {
  if (!/^[0-9]{6}$/.test(raw)) return '';
  const year = century + Number(raw.slice(0, 2));
  const month = Number(raw.slice(2, 4));
  const day = Number(raw.slice(4, 6));
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > last) return '';
  return `${year}-${raw.slice(2, 4)}-${raw.slice(4, 6)}`;
}

/** TD1 document numbers over 9 characters continue in the optional data (ICAO 9303-5, note j). */
function td1DocumentNumber(line0: string): string {
  const main = line0.slice(5, 14);
  if (line0[14] !== '<') return stripFillers(main);
  const optional = line0.slice(15, 30);
  const filler = optional.indexOf('<');
  if (filler < 2) return stripFillers(main);
  return main + optional.slice(0, filler - 1);
}

/** Maps the lines of a TD1 (3 × 30) or TD3 (2 × 44) MRZ to the form's fields. */
export function mrzFields(lines: readonly string[], today: Date = new Date()): MrzFields {
  const td1 = lines.length === 3;
  const line0 = lines[0] ?? '';
  const line1 = lines[1] ?? '';
  const names = splitNames(td1 ? (lines[2] ?? '') : line0.slice(5));
  const birthRaw = td1 ? line1.slice(0, 6) : line1.slice(13, 19);
  const expiryRaw = td1 ? line1.slice(8, 14) : line1.slice(21, 27);
  const sexMark = td1 ? line1[7] : line1[20];
  const todayInCambodia = new Date(today.getTime() + CAMBODIA_OFFSET_MS).toISOString().slice(0, 10);
  const birth2000 = isoDate(birthRaw, 2000);
  return {
    documentNumber: td1 ? td1DocumentNumber(line0) : stripFillers(line1.slice(0, 9)),
    surname: names.surname,
    givenNames: names.givenNames,
    birthDate: birth2000 !== '' && birth2000 <= todayInCambodia ? birth2000 : isoDate(birthRaw, 1900),
    expiryDate: isoDate(expiryRaw, 2000),
    sex: sexMark === 'M' ? 'male' : sexMark === 'F' ? 'female' : 'unspecified',
    nationality: stripFillers(td1 ? line1.slice(15, 18) : line1.slice(10, 13)),
  };
}
