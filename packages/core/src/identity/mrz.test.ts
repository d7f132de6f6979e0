/**
 * Example tests for parseIdentityMrz: the accepted Cambodian ID card and passports, input tolerance,
 * and every rejection (shape, alphabet, unsupported document, check digits, dates, expiry, age).
 * Fixtures come from mrz-fixtures.ts, which computes check digits independently of the parser.
 */

import { parse as mrzLibraryParse } from 'mrz';
import { describe, expect, it } from 'vitest';
import { parseIdentityMrz } from './mrz';
import { checkDigit, td1, td3 } from './mrz-fixtures';

const today = new Date('2025-06-15T03:00:00Z');
const parse = (lines: readonly string[] | string, on = today) =>
  parseIdentityMrz(typeof lines === 'string' ? lines : lines.join('\n'), { today: on });
const code = (lines: readonly string[] | string, on = today) => {
  const r = parse(lines, on);
  return r.ok ? 'ok' : r.code;
};

const KH_ID = [
  'IDKHM0123456784<<<<<<<<<<<<<<<',
  '9001011M3001019KHM<<<<<<<<<<<8',
  'SOK<<DARA<<<<<<<<<<<<<<<<<<<<<',
];

describe('parseIdentityMrz: accepted documents', () => {
  it('reads a Cambodian ID card (TD1)', () => {
    expect(td1()).toEqual(KH_ID);
    expect(parse(KH_ID)).toEqual({
      ok: true,
      value: {
        format: 'TD1',
        documentType: 'id_card',
        documentCode: 'ID',
        issuingState: 'KHM',
        documentNumber: '012345678',
        surname: 'SOK',
        givenNames: 'DARA',
        nationality: 'KHM',
        birthDate: '1990-01-01',
        sex: 'male',
        expiryDate: '2030-01-01',
        lines: KH_ID,
      },
    });
  });

  it('reads a passport (TD3) with a personal number', () => {
    const lines = td3({ personal: 'ZE184226B', given: 'CLAIRE ANNE', sex: '<' });
    expect(parse(lines)).toEqual({
      ok: true,
      value: {
        format: 'TD3',
        documentType: 'passport',
        documentCode: 'P',
        issuingState: 'FRA',
        documentNumber: '18AB23456',
        surname: 'MARTIN',
        givenNames: 'CLAIRE ANNE',
        nationality: 'FRA',
        birthDate: '1985-03-15',
        sex: 'unspecified',
        expiryDate: '2032-07-14',
        personalNumber: 'ZE184226B',
        lines,
      },
    });
  });

  it.each([
    ['USA', 'USA'],
    ['JPN', 'JPN'],
    ['THA', 'THA'],
    ['KHM', 'KHM'],
    ['D<<', 'D'],
  ])('accepts a passport issued by %s', (state, expected) => {
    expect(parse(td3({ state, nationality: state }))).toMatchObject({
      ok: true,
      value: { issuingState: expected, nationality: expected },
    });
  });

  it('reads names: multi-part surname and given names, single name, fillers as spaces', () => {
    const names = (f: Parameters<typeof td1>[0]) => {
      const r = parse(td1(f));
      return r.ok ? [r.value.surname, r.value.givenNames] : r.code;
    };
    expect(names({ surname: 'CHAN SOPHEA', given: 'DARA VUTHY' })).toEqual(['CHAN SOPHEA', 'DARA VUTHY']);
    expect(names({ names: 'SOKHA<<<<<<<<<<<<<<<<<<<<<<<<<' })).toEqual(['SOKHA', '']);
    expect(names({ names: 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCD' })).toEqual([
      'ABCDEFGHIJKLMNOPQRSTUVWXYZABCD',
      '',
    ]);
    expect(names({ names: 'SOK<<<DARA<<<<<<<<<<<<<<<<<<<<' })).toEqual(['SOK', 'DARA']);
  });

  it('reads female sex, a foreign nationality on a KHM card and optional data', () => {
    const r = parse(td1({ sex: 'F', nationality: 'VNM', optional1: 'A12<34', optional2: '99' }));
    expect(r).toMatchObject({
      ok: true,
      value: { sex: 'female', nationality: 'VNM', personalNumber: 'A12<34' },
    });
  });

  it("accepts '0' as the check digit of an empty TD3 personal number", () => {
    expect(code(td3({ emptyPersonalDigit: '0' }))).toBe('ok');
  });

  it('reads a TD1 document number longer than 9 characters (ICAO overflow into optional data)', () => {
    const lines = td1({ number: 'AB1234567890', optional1: 'PN42' });
    expect(lines[0]).toBe(`IDKHMAB1234567<890${checkDigit('AB1234567890')}<PN42<<<<<<`);
    expect(parse(lines)).toMatchObject({
      ok: true,
      value: { documentNumber: 'AB1234567890', personalNumber: 'PN42' },
    });
  });

  it('refuses a TD1 overflow without its check digit (the library reads the missing digit as 0)', () => {
    const lines = td1({ number: '012345674' });
    expect(lines[0]![14]).toBe('0');
    lines[0] = `${lines[0]!.slice(0, 14)}<${lines[0]!.slice(15)}`;
    expect(mrzLibraryParse(lines).valid).toBe(true);
    expect(parse(lines)).toEqual({
      ok: false,
      code: 'mrz_check_digit',
      detail: { fields: ['documentNumber'] },
    });
  });
});

describe('parseIdentityMrz: input tolerance (no silent fixes)', () => {
  it.each([
    ['CRLF', KH_ID.join('\r\n')],
    ['CR', KH_ID.join('\r')],
    ['surrounding white space', `\n  ${KH_ID.join('  \n\t ')}  \n\n`],
    ['blank lines', `\n\n${KH_ID.join('\n\n  \n')}\n`],
  ])('%s', (_label, text) => {
    expect(parse(text)).toMatchObject({ ok: true, value: { lines: KH_ID } });
  });

  it.each([
    ['lower case', KH_ID.map((l) => l.toLowerCase())],
    ['space inside a line', [KH_ID[0]!.replace('KHM', 'KH M').slice(0, 30), KH_ID[1]!, KH_ID[2]!]],
    ['non-MRZ character', [KH_ID[0]!.replace('<', '«'), KH_ID[1]!, KH_ID[2]!]],
    ['one line', [KH_ID[0]!]],
    ['four lines', [...KH_ID, KH_ID[2]!]],
    ['two TD1 lines', KH_ID.slice(0, 2)],
    ['short line', [KH_ID[0]!, KH_ID[1]!.slice(0, 29), KH_ID[2]!]],
    ['long line', [KH_ID[0]!, `${KH_ID[1]!}<`, KH_ID[2]!]],
    ['lines joined', [KH_ID.join('')]],
    ['mixed TD1/TD3', [td3()[0]!, KH_ID[1]!]],
    ['empty', []],
  ])('%s → mrz_format', (_label, lines) => {
    expect(code(lines)).toBe('mrz_format');
  });

  it('does not autocorrect O for 0 in a date', () => {
    expect(code(td1({ birth: '9OO101' }))).toBe('mrz_date_invalid');
  });

  it('refuses huge input without parsing it', () => {
    expect(code(`${KH_ID.join('\n')}${' '.repeat(600)}`)).toBe('mrz_format');
    expect(code('<'.repeat(1_000_000))).toBe('mrz_format');
  });

  it('throws only for a programming error: an invalid `today`', () => {
    expect(() => parseIdentityMrz(KH_ID.join('\n'), { today: new Date('nope') })).toThrow(TypeError);
  });
});

describe('parseIdentityMrz: unsupported documents', () => {
  it.each([
    ['TD2', ['I<KHMSOK<<DARA<<<<<<<<<<<<<<<<<<<<<<', '0123456784KHM9001011M3001019<<<<<<<8']],
    ['TD1 issued by THA', td1({ state: 'THA' })],
    ['TD1 residence card (A)', td1({ code: 'AC' })],
    ['TD1 crew card (C)', td1({ code: 'C<' })],
    ['visa in TD3 shape', td3({ code: 'V<' })],
    ['ID card in TD3 shape', td3({ code: 'I<' })],
  ])('%s → document_type_unsupported', (_label, lines) => {
    expect(code(lines)).toBe('document_type_unsupported');
  });
});

describe('parseIdentityMrz: malformed fields', () => {
  it.each([
    ['sex X', td1({ sex: 'X' }), ['sex']],
    ['unknown nationality', td1({ nationality: 'ZZZ' }), ['nationality']],
    ['fictional UTO passport', td3({ state: 'UTO', nationality: 'UTO' }), ['issuingState', 'nationality']],
    ['document code IV', td1({ code: 'IV' }), ['documentCode']],
    ['digit in passport type', td3({ code: 'P1' }), ['documentCode']],
    ['inner filler in document number', td1({ number: '0123<5678' }), ['documentNumber']],
    ['digit in a name', td1({ names: 'SOK1<<DARA'.padEnd(30, '<') }), ['names']],
    ['no surname', td1({ names: '<<DARA'.padEnd(30, '<') }), ['names']],
    ['empty name field', td1({ names: '<'.repeat(30) }), ['names']],
    ['empty document number', td3({ number: '' }), ['documentNumber']],
  ])('%s → mrz_format', (_label, lines, fields) => {
    expect(parse(lines)).toEqual({ ok: false, code: 'mrz_format', detail: { reason: 'field', fields } });
  });
});
