/**
 * Example tests for the checks parseIdentityMrz adds on top of field parsing: every check digit
 * (named in detail.fields), real calendar dates, the birth-century rule, expiry on today's
 * Cambodian date and the minimum holder age of 15.
 */
import { describe, expect, it } from 'vitest';
import { parseIdentityMrz } from './mrz';
import { checkDigit, td1, td3 } from './mrz-fixtures';

const today = new Date('2025-06-15T03:00:00Z');
const parse = (lines: readonly string[], on = today) => parseIdentityMrz(lines.join('\n'), { today: on });

/** Replaces the character at `col` of line `row` (no check digit is recomputed). */
const set = (lines: readonly string[], row: number, col: number, ch: string): string[] =>
  lines.map((line, i) => (i === row ? line.slice(0, col) + ch + line.slice(col + 1) : line));
/** Adds 1 (mod 10) to the digit at `col` of line `row`. */
const bump = (lines: readonly string[], row: number, col: number): string[] =>
  set(lines, row, col, String((Number(lines[row]![col]) + 1) % 10));

const digitError = (lines: readonly string[]) => {
  const r = parse(lines);
  return r.ok ? 'ok' : r.code === 'mrz_check_digit' ? r.detail?.fields : r.code;
};

describe('check digits', () => {
  const id = td1({ optional1: 'X42' });
  const passport = td3({ personal: 'ZE184226B' });

  it('fixtures are valid', () => {
    expect(digitError(id)).toBe('ok');
    expect(digitError(passport)).toBe('ok');
  });

  it.each([
    ['TD1 document number digit', id, 0, 14, ['documentNumber', 'composite']],
    ['TD1 birth date digit', id, 1, 6, ['birthDate', 'composite']],
    ['TD1 expiry date digit', id, 1, 14, ['expirationDate', 'composite']],
    ['TD1 composite digit', id, 1, 29, ['composite']],
    ['TD3 document number digit', passport, 1, 9, ['documentNumber', 'composite']],
    ['TD3 birth date digit', passport, 1, 19, ['birthDate', 'composite']],
    ['TD3 expiry date digit', passport, 1, 27, ['expirationDate', 'composite']],
    ['TD3 personal number digit', passport, 1, 42, ['personalNumber', 'composite']],
    ['TD3 composite digit', passport, 1, 43, ['composite']],
  ])('%s', (_label, lines, row, col, fields) => {
    expect(digitError(bump(lines, row, col))).toEqual(fields);
  });

  it('names the field whose data changed', () => {
    expect(digitError(bump(id, 0, 8))).toEqual(['documentNumber', 'composite']);
    expect(digitError(bump(id, 1, 3))).toEqual(['birthDate', 'composite']);
    expect(digitError(bump(passport, 1, 24))).toEqual(['expirationDate', 'composite']);
    expect(digitError(set(passport, 1, 30, 'Q'))).toEqual(['personalNumber', 'composite']);
  });

  it('optional data is protected by the composite digit only', () => {
    expect(digitError(set(id, 0, 20, '7'))).toEqual(['composite']);
    expect(digitError(set(id, 1, 20, '7'))).toEqual(['composite']);
  });

  it('lists several failing digits together', () => {
    expect(digitError(bump(bump(passport, 1, 9), 1, 27))).toEqual([
      'documentNumber',
      'expirationDate',
      'composite',
    ]);
    // Two changes can cancel out in the composite digit (weights 7 + 3 = 10): ICAO's scheme, not a bug.
    expect(digitError(bump(bump(passport, 1, 9), 1, 19))).toEqual(['documentNumber', 'birthDate']);
  });

  it('refuses a filler or a letter in a check digit position', () => {
    expect(digitError(set(passport, 1, 9, '<'))).toContain('documentNumber');
    expect(digitError(set(id, 1, 6, 'A'))).toContain('birthDate');
    expect(digitError(set(id, 1, 29, '<'))).toContain('composite');
  });

  it("refuses a filler digit for a non-empty personal number and 'X' for an empty one", () => {
    expect(digitError(set(passport, 1, 42, '<'))).toContain('personalNumber');
    expect(digitError(td3({ emptyPersonalDigit: '7' }))).toContain('personalNumber');
  });

  it('check digits are checked before dates and field formats', () => {
    expect(digitError(bump(td1({ birth: '901301', sex: 'X' }), 1, 29))).toEqual(['composite']);
  });
});

describe('dates', () => {
  const code = (lines: readonly string[], on = today) => {
    const r = parse(lines, on);
    return r.ok ? `${r.value.birthDate} ${r.value.expiryDate}` : r.code;
  };

  it.each([
    ['month 13', td1({ birth: '901301' }), ['birthDate']],
    ['month 00', td1({ birth: '900001' }), ['birthDate']],
    ['day 00', td1({ expiry: '300100' }), ['expirationDate']],
    ['31 April', td1({ expiry: '300431' }), ['expirationDate']],
    ['30 February', td3({ birth: '850230' }), ['birthDate']],
    ['29 February 2027', td1({ expiry: '270229' }), ['expirationDate']],
    ['29 February 1990', td1({ birth: '900229' }), ['birthDate']],
    ['fillers in the day', td1({ birth: '9001<<' }), ['birthDate']],
    ['both dates', td1({ birth: '900230', expiry: '3013<1' }), ['birthDate', 'expirationDate']],
  ])('%s → mrz_date_invalid', (_label, lines, fields) => {
    expect(parse(lines)).toEqual({ ok: false, code: 'mrz_date_invalid', detail: { fields } });
  });

  it('accepts 29 February in leap years, including 2000', () => {
    expect(code(td1({ birth: '000229', expiry: '280229' }))).toBe('2000-02-29 2028-02-29');
    expect(code(td1({ birth: '880229' }))).toBe('1988-02-29 2030-01-01');
  });

  it('reads a birth year as 20YY unless that date is after today, else 19YY', () => {
    const at = new Date('2045-06-15T00:00:00Z');
    expect(code(td1({ birth: '300615', expiry: '500101' }), at)).toBe('2030-06-15 2050-01-01');
    expect(code(td1({ birth: '450615', expiry: '500101' }), at)).toBe('holder_under_age');
    expect(code(td1({ birth: '450616', expiry: '500101' }), at)).toBe('1945-06-16 2050-01-01');
    expect(code(td1({ birth: '991231' }))).toBe('1999-12-31 2030-01-01');
    expect(code(td1({ birth: '250616' }))).toBe('1925-06-16 2030-01-01');
  });

  it('reads expiry years as 20YY', () => {
    expect(code(td1({ expiry: '991231' }))).toBe('1990-01-01 2099-12-31');
  });
});

describe('expiry and age on today (Cambodian calendar date, UTC+7)', () => {
  const result = (lines: readonly string[], on: Date) => {
    const r = parse(lines, on);
    return r.ok ? 'ok' : r.code;
  };

  it('a document expiring today is still valid; one that expired yesterday is not', () => {
    expect(result(td1({ expiry: '250615' }), today)).toBe('ok');
    expect(parse(td1({ expiry: '250614' }))).toEqual({
      ok: false,
      code: 'document_expired',
      detail: { expiryDate: '2025-06-14' },
    });
    expect(result(td3({ expiry: '200101' }), today)).toBe('document_expired');
  });

  it('uses the date in Cambodia, not in UTC', () => {
    const lines = td1({ expiry: '250614' });
    expect(result(lines, new Date('2025-06-14T16:59:59Z'))).toBe('ok');
    expect(result(lines, new Date('2025-06-14T17:00:00Z'))).toBe('document_expired');
  });

  it('the holder must be 15 on today', () => {
    expect(result(td1({ birth: '100615' }), today)).toBe('ok');
    expect(parse(td1({ birth: '100616' }))).toEqual({
      ok: false,
      code: 'holder_under_age',
      detail: { minimumAge: 15 },
    });
    expect(result(td3({ birth: '250615' }), today)).toBe('holder_under_age');
    expect(result(td3({ birth: '200101' }), today)).toBe('holder_under_age');
  });

  it('someone born on 29 February turns 15 on 1 March of a common year', () => {
    const lines = td1({ birth: '080229' });
    expect(result(lines, new Date('2023-02-28T12:00:00Z'))).toBe('holder_under_age');
    expect(result(lines, new Date('2023-03-01T00:00:00Z'))).toBe('ok');
  });

  it('expiry is reported before age', () => {
    expect(result(td1({ birth: '200101', expiry: '240101' }), today)).toBe('document_expired');
  });

  it('check digit helper matches ICAO examples', () => {
    expect(checkDigit('D23145890')).toBe('7');
    expect(checkDigit('740812')).toBe('2');
    expect(checkDigit('120415')).toBe('9');
    expect(checkDigit('L898902C<')).toBe('3');
  });
});
