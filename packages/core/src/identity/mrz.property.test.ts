/**
 * Property tests for parseIdentityMrz: arbitrary input never throws; generated valid documents read
 * back exactly; and after any single-character change an MRZ is either refused or read consistently
 * with its (changed) characters, never with a failing check digit. The reference reading below is
 * written independently of mrz.ts and of the `mrz` library.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IdentityMrz } from './mrz';
import { parseIdentityMrz } from './mrz';
import { checkDigitsHold, isoFromMrz, MRZ_ALPHABET, mrzFromIso, nameField, td1, td3 } from './mrz-fixtures';

const TODAY = '2025-06-15';
const today = new Date(`${TODAY}T00:00:00Z`);
const parse = (lines: readonly string[] | string) =>
  parseIdentityMrz(typeof lines === 'string' ? lines : lines.join('\n'), { today });
const CODES = [
  'mrz_format',
  'document_type_unsupported',
  'mrz_check_digit',
  'mrz_date_invalid',
  'document_expired',
  'holder_under_age',
];

/** What an accepted MRZ must say, read straight from its characters. */
function reference(lines: readonly string[]): IdentityMrz {
  const isTd1 = lines.length === 3;
  const [a = '', b = '', c = ''] = lines;
  const strip = (s: string) => s.replace(/<+$/, '');
  const words = (s: string) =>
    s
      .split('<')
      .filter((w) => w !== '')
      .join(' ');
  let documentNumber = strip(isTd1 ? a.slice(5, 14) : b.slice(0, 9));
  let personal = isTd1 ? a.slice(15, 30) : b.slice(28, 42);
  if (isTd1 && a[14] === '<') {
    const end = personal.indexOf('<');
    documentNumber = a.slice(5, 14) + personal.slice(0, end - 1);
    personal = personal.slice(end + 1);
  }
  const names = strip(isTd1 ? c : a.slice(5));
  const split = names.indexOf('<<');
  const sex = (isTd1 ? b[7] : b[20]) ?? '';
  const personalNumber = strip(personal);
  return {
    format: isTd1 ? 'TD1' : 'TD3',
    documentType: isTd1 ? 'id_card' : 'passport',
    documentCode: strip(a.slice(0, 2)),
    issuingState: strip(a.slice(2, 5)),
    documentNumber,
    surname: words(split < 0 ? names : names.slice(0, split)),
    givenNames: split < 0 ? '' : words(names.slice(split + 2)),
    nationality: strip(isTd1 ? b.slice(15, 18) : b.slice(10, 13)),
    birthDate: isoFromMrz(isTd1 ? b.slice(0, 6) : b.slice(13, 19), TODAY, 'birth'),
    sex: ({ M: 'male', F: 'female', '<': 'unspecified' } as const)[sex as 'M'] ?? 'unspecified',
    expiryDate: isoFromMrz(isTd1 ? b.slice(8, 14) : b.slice(21, 27), TODAY, 'expiry'),
    ...(personalNumber === '' ? {} : { personalNumber }),
    lines: [...lines],
  };
}

/** Accepted ⇒ check digits hold and fields match the characters; refused ⇒ a known code. */
function assertConsistent(lines: readonly string[]): boolean {
  const r = parse(lines);
  if (!r.ok) {
    expect(CODES).toContain(r.code);
    return false;
  }
  expect(checkDigitsHold(lines)).toBe(true);
  expect(r.value).toEqual(reference(lines));
  return true;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const word = fc.string({ unit: fc.constantFrom(...LETTERS), minLength: 1, maxLength: 8 });
const words = (min: number, max: number) =>
  fc.array(word, { minLength: min, maxLength: max }).map((w) => w.join(' '));
const alnum = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...MRZ_ALPHABET.slice(0, 36)), minLength: min, maxLength: max });
const DAY = 86_400_000;
const isoDate = (from: string, to: string) =>
  fc
    .integer({ min: Date.parse(from) / DAY, max: Date.parse(to) / DAY })
    .map((d) => new Date(d * DAY).toISOString().slice(0, 10));
const state = fc.constantFrom('KHM', 'FRA', 'USA', 'JPN', 'THA', 'VNM', 'D', 'GBR', 'XXA', 'CHN');
const person = fc.record({
  surname: words(1, 2),
  given: words(0, 3),
  birth: isoDate('1925-06-16', '2010-06-15'),
  expiry: isoDate(TODAY, '2099-12-31'),
  sex: fc.constantFrom('M', 'F', '<'),
  nationality: state,
});

const idCard = fc
  .record({ p: person, number: alnum(1, 12), optional1: alnum(0, 8), optional2: alnum(0, 11) })
  .filter(({ p }) => nameField(p.surname, p.given, 99).replace(/<+$/, '').length <= 30)
  .map(({ p, number, optional1, optional2 }) => ({
    p,
    number,
    personal: optional1,
    lines: td1({
      ...p,
      birth: mrzFromIso(p.birth),
      expiry: mrzFromIso(p.expiry),
      number,
      optional1,
      optional2,
    }),
  }));
const passport = fc
  .record({ p: person, number: alnum(1, 9), personal: alnum(0, 14), state })
  .filter(({ p }) => nameField(p.surname, p.given, 99).replace(/<+$/, '').length <= 39)
  .map(({ p, number, personal, state }) => ({
    p,
    number,
    personal,
    lines: td3({ ...p, state, birth: mrzFromIso(p.birth), expiry: mrzFromIso(p.expiry), number, personal }),
  }));
const doc = fc.oneof(idCard, passport);

describe('parseIdentityMrz: properties', { timeout: 60_000 }, () => {
  it('never throws on arbitrary text and only returns known codes', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: fc.constantFrom(...MRZ_ALPHABET, '\n', '\r', ' '), maxLength: 200 }),
      fc.string({ unit: 'binary', minLength: 400, maxLength: 5000 }),
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = parseIdentityMrz(t, { today });
        if (r.ok) expect(r.value).toEqual(reference(r.value.lines));
        else expect(CODES).toContain(r.code);
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws on MRZ-alphabet lines of the right shape; accepts only consistent ones', () => {
    const line = (n: number, prefix: string) =>
      fc
        .string({
          unit: fc.constantFrom(...MRZ_ALPHABET),
          minLength: n - prefix.length,
          maxLength: n - prefix.length,
        })
        .map((s) => prefix + s);
    const shaped = fc.oneof(
      fc.tuple(line(30, ''), line(30, ''), line(30, '')),
      fc.tuple(line(30, 'IDKHM'), line(30, ''), line(30, '')),
      fc.tuple(line(44, ''), line(44, '')),
      fc.tuple(line(44, 'P<FRA'), line(44, '')),
      fc.tuple(line(36, ''), line(36, '')),
    );
    fc.assert(
      fc.property(shaped, (lines) => void assertConsistent(lines)),
      { numRuns: 5000 },
    );
  });

  it('reads every generated valid document back exactly', () => {
    fc.assert(
      fc.property(doc, ({ p, number, personal, lines }) => {
        const r = parse(lines);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value).toMatchObject({
          documentNumber: number,
          surname: p.surname,
          givenNames: p.given,
          nationality: p.nationality,
          birthDate: p.birth,
          expiryDate: p.expiry,
          sex: { M: 'male', F: 'female', '<': 'unspecified' }[p.sex],
        });
        expect(r.value.personalNumber).toBe(personal === '' ? undefined : personal);
        expect(r.value).toEqual(reference(lines));
      }),
      { numRuns: 4000 },
    );
  });

  it('after one changed character: refused, or read consistently with valid check digits', () => {
    let accepted = 0;
    fc.assert(
      fc.property(doc, fc.nat(), fc.nat(), fc.constantFrom(...MRZ_ALPHABET), ({ lines }, row, col, ch) => {
        const r0 = row % lines.length;
        const line = lines[r0] ?? '';
        const c0 = col % line.length;
        if (line[c0] === ch) return;
        const mutated = lines.map((l, i) => (i === r0 ? l.slice(0, c0) + ch + l.slice(c0 + 1) : l));
        if (assertConsistent(mutated)) accepted += 1;
      }),
      { numRuns: 6000 },
    );
    expect(accepted).toBeGreaterThan(500);
  });
});

describe('parseIdentityMrz: exhaustive single-character changes of two fixtures', { timeout: 60_000 }, () => {
  const cases: [string, string[], (row: number, col: number) => boolean, [number, number][]][] = [
    [
      'TD1',
      td1({ optional1: 'PN42', optional2: '7' }),
      (row) => row === 2,
      [
        [0, 14],
        [1, 6],
        [1, 14],
        [1, 29],
      ],
    ],
    [
      'TD3',
      td3({ personal: 'ZE184226B' }),
      (row, col) => row === 0 && col >= 5,
      [
        [1, 9],
        [1, 19],
        [1, 27],
        [1, 42],
        [1, 43],
      ],
    ],
  ];
  it.each(cases)('%s', (_label, lines, isNamePosition, checkDigits) => {
    let tried = 0;
    lines.forEach((line, row) => {
      [...line].forEach((original, col) => {
        for (const ch of MRZ_ALPHABET) {
          if (ch === original) continue;
          tried += 1;
          const mutated = lines.map((l, i) => (i === row ? l.slice(0, col) + ch + l.slice(col + 1) : l));
          const ok = assertConsistent(mutated);
          // Names are not protected by check digits: letters and fillers there always read.
          if (isNamePosition(row, col) && /[A-Z<]/.test(ch)) expect(ok).toBe(true);
          if (isNamePosition(row, col) && /[0-9]/.test(ch)) expect(ok).toBe(false);
          const isDigit = checkDigits.some(([r, c]) => r === row && c === col);
          const fillerForm = row === 0 && col === 14 && ch === '<';
          if (isDigit && !fillerForm)
            expect(parse(mutated)).toMatchObject({ ok: false, code: 'mrz_check_digit' });
        }
      });
    });
    expect(tried).toBe(lines.join('').length * 36);
  });
});
