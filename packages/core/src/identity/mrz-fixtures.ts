/**
 * Test-only MRZ builders for the identity tests (imported by *.test.ts, never by production code).
 * They compute ICAO 9303 check digits (weights 7, 3, 1) independently of the `mrz` library, so the
 * tests do not trust the code under test to make their own fixtures, and they give a reference
 * reading of MRZ lines that the property tests compare the parser against.
 */

export const MRZ_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<';

const value = (ch: string): number => {
  if (ch === '<') return 0;
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  return ch.charCodeAt(0) - 55;
};

/** ICAO 9303 check digit of `text`, as a character. */
export const checkDigit = (text: string): string =>
  String([...text].reduce((sum, ch, i) => sum + value(ch) * ([7, 3, 1][i % 3] ?? 0), 0) % 10);

const pad = (text: string, length: number): string => text.padEnd(length, '<').slice(0, length);

export const nameField = (surname: string, givenNames: string, length: number): string =>
  pad(`${surname}<<${givenNames}`.replace(/[ -]/g, '<'), length);

export interface Td1Fixture {
  code?: string;
  state?: string;
  number?: string;
  optional1?: string;
  birth?: string;
  sex?: string;
  expiry?: string;
  nationality?: string;
  optional2?: string;
  surname?: string;
  given?: string;
  /** Raw third line, instead of surname/given. */
  names?: string;
}

/** A Cambodian ID card MRZ with correct check digits (defaults: SOK DARA, born 1990-01-01). */
export function td1(f: Td1Fixture = {}): string[] {
  const full = f.number ?? '012345678';
  const number = pad(full, 9);
  // Numbers over 9 characters: '<' in the check digit slot, overflow + check digit + '<' in optional 1.
  const long = full.length > 9;
  const optional1 = long ? `${full.slice(9)}${checkDigit(full)}<${f.optional1 ?? ''}` : (f.optional1 ?? '');
  const l1 = `${f.code ?? 'ID'}${pad(f.state ?? 'KHM', 3)}${number}${long ? '<' : checkDigit(number)}${pad(optional1, 15)}`;
  const birth = f.birth ?? '900101';
  const expiry = f.expiry ?? '300101';
  const head = `${birth}${checkDigit(birth)}${f.sex ?? 'M'}${expiry}${checkDigit(expiry)}`;
  const l2 = `${head}${pad(f.nationality ?? 'KHM', 3)}${pad(f.optional2 ?? '', 11)}`;
  const composite = checkDigit(l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29));
  return [l1, l2 + composite, f.names ?? nameField(f.surname ?? 'SOK', f.given ?? 'DARA', 30)];
}

export interface Td3Fixture {
  code?: string;
  state?: string;
  surname?: string;
  given?: string;
  names?: string;
  number?: string;
  nationality?: string;
  birth?: string;
  sex?: string;
  expiry?: string;
  personal?: string;
  /** Check digit written for an empty personal number: '<' (default) or '0'. */
  emptyPersonalDigit?: string;
}

/** A passport MRZ with correct check digits (defaults: French passport of MARTIN CLAIRE). */
export function td3(f: Td3Fixture = {}): string[] {
  const names = f.names ?? nameField(f.surname ?? 'MARTIN', f.given ?? 'CLAIRE', 39);
  const l1 = pad(`${f.code ?? 'P<'}${pad(f.state ?? 'FRA', 3)}${names}`, 44);
  const number = pad(f.number ?? '18AB23456', 9);
  const birth = f.birth ?? '850315';
  const expiry = f.expiry ?? '320714';
  const personal = pad(f.personal ?? '', 14);
  const personalDigit = (f.personal ?? '') === '' ? (f.emptyPersonalDigit ?? '<') : checkDigit(personal);
  const body =
    `${number}${checkDigit(number)}${pad(f.nationality ?? 'FRA', 3)}${birth}${checkDigit(birth)}` +
    `${f.sex ?? 'F'}${expiry}${checkDigit(expiry)}${personal}${personalDigit}`;
  return [l1, body + checkDigit(body.slice(0, 10) + body.slice(13, 20) + body.slice(21, 43))];
}

/** Do all check digits of these TD1/TD3 lines hold (long TD1 numbers and empty personal numbers included)? */
export function checkDigitsHold(lines: readonly string[]): boolean {
  const [a = '', b = ''] = lines;
  if (lines.length === 3) {
    const docOk = a[14] === '<' ? longNumberDigitHolds(a) : checkDigit(a.slice(5, 14)) === a[14];
    return (
      docOk &&
      checkDigit(b.slice(0, 6)) === b[6] &&
      checkDigit(b.slice(8, 14)) === b[14] &&
      checkDigit(a.slice(5, 30) + b.slice(0, 7) + b.slice(8, 15) + b.slice(18, 29)) === b[29]
    );
  }
  const personal = b.slice(28, 42);
  const personalOk = /^<*$/.test(personal) ? b[42] === '<' || b[42] === '0' : checkDigit(personal) === b[42];
  return (
    checkDigit(b.slice(0, 9)) === b[9] &&
    checkDigit(b.slice(13, 19)) === b[19] &&
    checkDigit(b.slice(21, 27)) === b[27] &&
    personalOk &&
    checkDigit(b.slice(0, 10) + b.slice(13, 20) + b.slice(21, 43)) === b[43]
  );
}

function longNumberDigitHolds(a: string): boolean {
  const optional = a.slice(15, 30);
  const filler = optional.indexOf('<');
  if (filler < 2) return false;
  const full = a.slice(5, 14) + optional.slice(0, filler - 1);
  const digit = optional[filler - 1];
  return (
    /[0-9]/.test(digit ?? '') &&
    (checkDigit(full) === digit || checkDigit(`${a.slice(5, 14)}<${optional.slice(0, filler - 1)}`) === digit)
  );
}

/** 'YYMMDD' with the century rule of the parser (birth: 19YY when 20YY would be after `today`). */
export function isoFromMrz(raw: string, today: string, kind: 'birth' | 'expiry'): string {
  const iso20 = `20${raw.slice(0, 2)}-${raw.slice(2, 4)}-${raw.slice(4, 6)}`;
  return kind === 'birth' && iso20 > today ? `19${iso20.slice(2)}` : iso20;
}

/** 'YYYY-MM-DD' → 'YYMMDD'. */
export const mrzFromIso = (iso: string): string => iso.slice(2).replaceAll('-', '');
