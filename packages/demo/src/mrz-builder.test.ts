// Tests for the MRZ builders, cross-checked against the independent `mrz` parser.
import fc from 'fast-check';
import { parse } from 'mrz';
import { describe, expect, it } from 'vitest';
import type { MrzCheckDigitField } from './mrz-builder';
import { buildTd1, buildTd3, corruptCheckDigit, mrzCheckDigit, mrzName, toMrzText } from './mrz-builder';

const PARSER_FIELD: Record<MrzCheckDigitField, string> = {
  documentNumber: 'documentNumberCheckDigit',
  birthDate: 'birthDateCheckDigit',
  expiryDate: 'expirationDateCheckDigit',
  personalNumber: 'personalNumberCheckDigit',
  composite: 'compositeCheckDigit',
};

function invalidFields(lines: string[]): (string | null)[] {
  return parse(lines)
    .details.filter((d) => !d.valid)
    .map((d) => d.field);
}

const td1 = buildTd1({
  documentNumber: '010234567',
  birthDate: '1988-03-14',
  sex: 'M',
  expiryDate: '2032-05-20',
  surname: 'Sok',
  givenNames: 'Dara',
});

const td3 = buildTd3({
  issuingState: 'FRA',
  surname: 'Lefèvre',
  givenNames: 'Hélène Marie-Claire',
  passportNumber: '19AB12345',
  nationality: 'FRA',
  birthDate: '1987-06-11',
  sex: 'F',
  expiryDate: '2033-01-15',
});

describe('mrzCheckDigit', () => {
  it('matches the ICAO 9303 worked examples', () => {
    expect(mrzCheckDigit('L898902C3')).toBe('6');
    expect(mrzCheckDigit('740812')).toBe('2');
    expect(mrzCheckDigit('120415')).toBe('9');
    expect(mrzCheckDigit('D23145890')).toBe('7');
    expect(mrzCheckDigit('<<<<<<<<<<<<<<')).toBe('0');
  });

  it('rejects characters outside the MRZ alphabet', () => {
    expect(() => mrzCheckDigit('abc')).toThrow(RangeError);
  });
});

describe('name transliteration', () => {
  it('uppercases, strips diacritics and punctuation, maps separators to <', () => {
    expect(toMrzText("Lefèvre-O'Brien  Jr.")).toBe('LEFEVRE<OBRIEN<JR');
    expect(toMrzText('Øster Æbelø Straße')).toBe('OESTER<AEBELOE<STRASSE');
  });

  it('puts << between surname and given names and truncates to fit', () => {
    expect(mrzName('Sok', 'Dara', 30)).toBe('SOK<<DARA'.padEnd(30, '<'));
    expect(mrzName('Smith', 'John Michael', 30)).toBe('SMITH<<JOHN<MICHAEL'.padEnd(30, '<'));
    const long = mrzName('Vongsavanthongkham', 'Bounthavy Phetsamone Khamla', 30);
    expect(long).toHaveLength(30);
    expect(long.startsWith('VONGSAVANTHONGKHAM<<BOUNTHAVY<')).toBe(true);
    expect(mrzName('A'.repeat(40), 'Bee', 30)).toBe(`${'A'.repeat(27)}<<B`);
  });
});

describe('buildTd1', () => {
  it('produces 3 lines of 30 that the mrz library parses as valid', () => {
    expect(td1).toHaveLength(3);
    for (const line of td1) expect(line).toHaveLength(30);
    expect(td1[0]).toBe('IDKHM0102345670<<<<<<<<<<<<<<<');
    const result = parse(td1);
    expect(result.format).toBe('TD1');
    expect(result.valid).toBe(true);
    expect(result.fields).toMatchObject({
      documentCode: 'ID',
      issuingState: 'KHM',
      documentNumber: '010234567',
      birthDate: '880314',
      sex: 'male',
      expirationDate: '320520',
      nationality: 'KHM',
      lastName: 'SOK',
      firstName: 'DARA',
    });
  });

  it('handles long document numbers and optional data', () => {
    const lines = buildTd1({
      documentNumber: 'KH12345678901',
      birthDate: '1990-01-31',
      sex: 'F',
      expiryDate: '2031-12-31',
      surname: 'Chan',
      givenNames: 'Sophea',
      optional1: 'X1',
      optional2: 'PP17',
    });
    expect(lines[0]!.slice(5, 15)).toBe('KH1234567<');
    const result = parse(lines);
    expect(result.valid).toBe(true);
    expect(result.fields.optional2).toBe('PP17');
  });

  it('accepts arbitrary names and numbers (property)', () => {
    const alnum = fc.stringMatching(/^[A-Z0-9]{1,9}$/);
    const name = fc.stringMatching(/^[A-Za-zÀ-ÿ' -]{1,40}$/);
    const date = fc
      .date({ min: new Date('1930-01-01'), max: new Date('2069-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(alnum, date, date, name, name, fc.constantFrom('M', 'F', '<'), (num, b, e, s, g, sex) => {
        const lines = buildTd1({
          documentNumber: num,
          birthDate: b,
          expiryDate: e,
          surname: s,
          givenNames: g,
          sex,
        });
        const invalid = invalidFields(lines).filter((f) => f !== 'lastName' && f !== 'firstName');
        expect(invalid).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects malformed dates', () => {
    const base = { documentNumber: '1', sex: 'M' as const, surname: 'A', givenNames: 'B' };
    expect(() => buildTd1({ ...base, birthDate: '1990-02-30', expiryDate: '2030-01-01' })).toThrow(
      RangeError,
    );
    expect(() => buildTd1({ ...base, birthDate: '14/03/1988', expiryDate: '2030-01-01' })).toThrow(
      RangeError,
    );
  });
});

describe('buildTd3', () => {
  it('produces 2 lines of 44 that the mrz library parses as valid', () => {
    expect(td3).toHaveLength(2);
    for (const line of td3) expect(line).toHaveLength(44);
    expect(td3[0]).toBe('P<FRALEFEVRE<<HELENE<MARIE<CLAIRE<<<<<<<<<<<');
    const result = parse(td3);
    expect(result.format).toBe('TD3');
    expect(result.valid).toBe(true);
    expect(result.fields).toMatchObject({ documentNumber: '19AB12345', nationality: 'FRA', sex: 'female' });
  });

  it('reproduces the ICAO 9303 specimen passport', () => {
    const lines = buildTd3({
      issuingState: 'UTO',
      surname: 'Eriksson',
      givenNames: 'Anna María',
      passportNumber: 'L898902C3',
      nationality: 'UTO',
      birthDate: '1974-08-12',
      sex: 'F',
      expiryDate: '2012-04-15',
      personalNumber: 'ZE184226B',
    });
    expect(lines).toEqual([
      'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<',
      'L898902C36UTO7408122F1204159ZE184226B<<<<<10',
    ]);
  });
});

describe('corruptCheckDigit', () => {
  const cases: [string, string[], MrzCheckDigitField[]][] = [
    ['TD1', td1, ['documentNumber', 'birthDate', 'expiryDate', 'composite']],
    ['TD3', td3, ['documentNumber', 'birthDate', 'expiryDate', 'personalNumber', 'composite']],
  ];
  for (const [format, lines, fields] of cases) {
    for (const field of fields) {
      it(`${format}: only the ${field} check digit becomes invalid`, () => {
        const corrupted = corruptCheckDigit(lines, field);
        expect(corrupted).not.toEqual(lines);
        expect(parse(corrupted).valid).toBe(false);
        expect(invalidFields(corrupted)).toEqual([PARSER_FIELD[field]]);
      });
    }
  }

  it('finds the embedded check digit of a long TD1 document number', () => {
    const lines = buildTd1({
      documentNumber: 'KH12345678901',
      birthDate: '1990-01-31',
      sex: 'F',
      expiryDate: '2031-12-31',
      surname: 'Chan',
      givenNames: 'Sophea',
    });
    expect(invalidFields(corruptCheckDigit(lines, 'documentNumber'))).toEqual(['documentNumberCheckDigit']);
  });

  it('does not modify its input and rejects impossible requests', () => {
    const copy = [...td1];
    corruptCheckDigit(td1, 'birthDate');
    expect(td1).toEqual(copy);
    expect(() => corruptCheckDigit(td1, 'personalNumber')).toThrow(RangeError);
    expect(() => corruptCheckDigit(['ABC'], 'birthDate')).toThrow(RangeError);
  });
});
