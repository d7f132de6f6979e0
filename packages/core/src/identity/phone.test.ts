/**
 * Tests for phone normalisation: every accepted spelling of a Cambodian mobile gives one E.164 value,
 * foreign numbers only in international form, landlines and non-SMS numbers are refused, and the
 * mask never leaks more than the country code and last 3 digits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayPhone, maskPhone, normalizePhone } from './phone';

const e164Of = (input: string, country?: Parameters<typeof normalizePhone>[1]) => {
  const r = country === undefined ? normalizePhone(input) : normalizePhone(input, country);
  return r.ok ? r.value.e164 : r.code;
};

describe('normalizePhone: Cambodian numbers', () => {
  it.each([
    '012 345 678',
    '012345678',
    '+855 12 345 678',
    '+85512345678',
    '85512345678',
    '855 12 345 678',
    '(012) 345-678',
    '012-345-678',
    '012.345.678',
    '+855-12-345-678',
    '+855 (0) 12 345 678',
    '+855 012 345 678',
    '00855 12 345 678',
    '  012 345 678  ',
    '០១២ ៣៤៥ ៦៧៨',
    '\u202A+855 12 345 678\u202C',
    '012\u00A0345\u00A0678',
    '012\t345\u200B678',
  ])('%j → +85512345678', (input) => {
    expect(e164Of(input)).toBe('+85512345678');
  });

  it('returns country, national form and type', () => {
    expect(normalizePhone('0977123456')).toEqual({
      ok: true,
      value: { e164: '+855977123456', country: 'KH', national: '097 712 3456', type: 'MOBILE' },
    });
    expect(normalizePhone('+855 96 123 4567')).toMatchObject({ ok: true, value: { e164: '+855961234567' } });
  });

  it('refuses a valid Phnom Penh landline as not mobile', () => {
    expect(normalizePhone('+85523756789')).toEqual({
      ok: false,
      code: 'phone_not_mobile',
      detail: { type: 'FIXED_LINE' },
    });
    expect(normalizePhone('023 756 789')).toMatchObject({ ok: false, code: 'phone_not_mobile' });
  });

  it('refuses +85523123456: not an allocated landline range in the metadata, so invalid', () => {
    expect(normalizePhone('+85523123456')).toMatchObject({ ok: false, code: 'phone_invalid' });
  });

  it.each(['012 345 67', '+855 1234', '0123', '+855', '012 345 678 901 234'])(
    'too short/long %j',
    (input) => {
      expect(e164Of(input)).toBe('phone_invalid');
    },
  );
});

describe('normalizePhone: foreign numbers', () => {
  it.each([
    ['+33 6 12 34 56 78', '+33612345678', 'FR'],
    ['0033 6 12 34 56 78', '+33612345678', 'FR'],
    ['+1 (415) 555-2671', '+14155552671', 'US'],
    ['+81 90 1234 5678', '+819012345678', 'JP'],
    ['+66 81 234 5678', '+66812345678', 'TH'],
    ['+44 7400 123456', '+447400123456', 'GB'],
  ])('%j → %s', (input, e164, country) => {
    expect(normalizePhone(input)).toMatchObject({ ok: true, value: { e164, country } });
  });

  it('accepts FIXED_LINE_OR_MOBILE (US) numbers', () => {
    expect(normalizePhone('+14155552671')).toMatchObject({
      ok: true,
      value: { type: 'FIXED_LINE_OR_MOBILE' },
    });
  });

  it('refuses a foreign number written without + or 00', () => {
    expect(e164Of('33612345678')).toBe('phone_invalid');
    expect(e164Of('06 12 34 56 78')).toBe('phone_invalid');
  });

  it('uses the given default country for national numbers', () => {
    expect(e164Of('06 12 34 56 78', 'FR')).toBe('+33612345678');
  });

  it('refuses foreign landlines, VoIP, toll-free and other non-SMS numbers', () => {
    expect(e164Of('+44 20 7946 0018')).toBe('phone_not_mobile');
    expect(e164Of('+882 16 1234 5678')).toBe('phone_not_mobile');
    expect(e164Of('+800 1234 5678')).toBe('phone_not_mobile');
  });

  it('refuses an invalid international number', () => {
    expect(e164Of('+33 1')).toBe('phone_invalid');
    expect(e164Of('+999 12345678')).toBe('phone_invalid');
  });
});

describe('normalizePhone: bad input', () => {
  it.each([
    '',
    '   ',
    '+',
    '++85512345678',
    '0+85512345678',
    '012 345 678 ext 12',
    '+855 12 345 678 x5',
    '012345678;ext=1',
    'O12345678',
    'abc',
    '+855 12 345 678#',
    '*855',
    '012/345/678',
    '＋８５５１２３４５６７８',
    '٠١٢٣٤٥٦٧٨',
  ])('%j → phone_invalid', (input) => {
    expect(e164Of(input)).toBe('phone_invalid');
  });

  it('refuses input longer than 32 characters even if the digits are fine', () => {
    expect(e164Of(`${' '.repeat(30)}012345678`)).toBe('phone_invalid');
    expect(e164Of(`012345678${' '.repeat(23)}`)).toBe('+85512345678');
  });

  it('refuses an unsupported default country instead of throwing', () => {
    expect(e164Of('012345678', 'ZZ' as Parameters<typeof normalizePhone>[1])).toBe('phone_invalid');
  });
});

describe('maskPhone', () => {
  it.each([
    ['+85512345678', '+855 ** *** 678'],
    ['+855977123456', '+855 ** *** *456'],
    ['+14155552671', '+1 *** *** *671'],
    ['+33612345678', '+33 * ** ** *6 78'],
  ])('%s → %s', (e164, masked) => {
    expect(maskPhone(e164)).toBe(masked);
  });

  it('never shows more than the last 3 digits of unparseable input', () => {
    expect(maskPhone('not a phone 12345678')).toBe('***678');
    expect(maskPhone('')).toBe('***');
    expect(maskPhone('12')).toBe('***');
  });
});

const phoneChars = fc.constantFrom(...'0123456789 +-().'.split(''));
const phoneLike = fc.oneof(
  fc.string({ unit: phoneChars, maxLength: 40 }),
  fc
    .tuple(fc.constantFrom('', '+', '00', '0', '855', '+855'), fc.string({ unit: phoneChars, maxLength: 14 }))
    .map(([a, b]) => a + b),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 2000 }),
);

describe('normalizePhone: properties', { timeout: 60_000 }, () => {
  it('never throws; an accepted number is E.164, SMS-capable, and normalises to itself', () => {
    fc.assert(
      fc.property(phoneLike, (input) => {
        const r = normalizePhone(input);
        if (!r.ok) {
          expect(['phone_invalid', 'phone_not_mobile']).toContain(r.code);
          return;
        }
        expect(input.length).toBeLessThanOrEqual(32);
        expect(r.value.e164).toMatch(/^\+[1-9][0-9]{6,14}$/);
        expect(['MOBILE', 'FIXED_LINE_OR_MOBILE']).toContain(r.value.type);
        expect(normalizePhone(r.value.e164)).toEqual(r);
        expect(normalizePhone(r.value.national, r.value.country as 'KH')).toEqual(r);
        expect(/[a-z]/i.test(input)).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('Cambodian mobiles are accepted in national, international and 00 forms, with any separators', () => {
    const separator = fc.constantFrom('', '', '', ' ', '-', '.');
    const mobile = fc.oneof(
      fc.tuple(
        fc.constantFrom('12', '15', '17', '10', '70', '92'),
        fc.integer({ min: 200_000, max: 999_999 }),
      ),
      fc.tuple(fc.constantFrom('96', '97', '88'), fc.integer({ min: 2_000_000, max: 9_999_999 })),
    );
    fc.assert(
      fc.property(
        mobile,
        fc.constantFrom('0', '+855', '+855 ', '855', '00855', '+855 (0)'),
        fc.array(separator, { minLength: 12, maxLength: 12 }),
        ([p, n], prefix, seps) => {
          const digits = `${p}${n}`;
          const spaced = [...digits].map((d, i) => d + (seps[i] ?? '')).join('');
          const r = normalizePhone(`${prefix}${spaced}`);
          expect(r).toMatchObject({
            ok: true,
            value: { e164: `+855${digits}`, country: 'KH', type: 'MOBILE' },
          });
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('maskPhone never throws and keeps at most 3 trailing digits of the national part', () => {
    fc.assert(
      fc.property(fc.oneof(phoneLike, fc.string({ unit: 'grapheme', maxLength: 100 })), (input) => {
        const r = normalizePhone(input);
        const masked = maskPhone(r.ok ? r.value.e164 : input);
        const cc = masked.startsWith('+') ? (masked.split(' ')[0] ?? '') : '';
        expect(masked.slice(cc.length).replace(/[^0-9]/g, '').length).toBeLessThanOrEqual(3);
        if (r.ok) expect(r.value.e164.startsWith(cc)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('displayPhone', () => {
  it('writes a Cambodian number as the citizen types it, others internationally, and never hides digits', () => {
    expect(displayPhone('+85512345678')).toBe('012 345 678');
    expect(displayPhone('+855977123456')).toBe('097 712 3456');
    expect(displayPhone('+66812345678')).toBe('+66 81 234 5678');
    expect(displayPhone('not a number')).toBe('not a number');
  });
});
