/**
 * Tests for the PIN policy: format, every simple pattern family, the common-PIN list and birth-date
 * forms are refused; a property test checks the policy against an independent brute-force definition.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { birthDatePinCandidates, COMMON_PINS, checkPin, isTooSimplePin } from './pin-policy';

const code = (pin: string, birthDate?: string) => {
  const r = birthDate === undefined ? checkPin(pin) : checkPin(pin, { birthDate });
  return r.ok ? 'ok' : r.code;
};

describe('checkPin: format', () => {
  it.each([
    '',
    '12345',
    '1234567',
    '12345a',
    ' 123456'.slice(0, 6),
    '12 456',
    '१२३४५६',
    '០១២៣៤៥',
    '１２３４５６',
    '-12345',
    '1.2345',
  ])('%j → pin_format', (pin) => {
    expect(code(pin)).toBe('pin_format');
  });

  it('accepts an unremarkable PIN and returns no value', () => {
    expect(checkPin('402918')).toEqual({ ok: true, value: undefined });
    expect(checkPin('730581', { birthDate: '1990-01-01' })).toEqual({ ok: true, value: undefined });
  });

  it('errors carry no detail', () => {
    expect(checkPin('111111')).toEqual({ ok: false, code: 'pin_too_simple' });
    expect(checkPin('010190', { birthDate: '1990-01-01' })).toEqual({ ok: false, code: 'pin_is_birth_date' });
  });
});

describe('checkPin: too simple', () => {
  it.each(['000000', '111111', '555555', '999999'])('repeated digit %s', (pin) => {
    expect(code(pin)).toBe('pin_too_simple');
  });

  it.each(['012345', '123456', '456789', '567890', '678901', '789012', '890123', '901234'])(
    'ascending run %s',
    (pin) => {
      expect(code(pin)).toBe('pin_too_simple');
    },
  );

  it.each(['543210', '654321', '987654', '098765', '109876', '210987', '321098', '432109'])(
    'descending run %s',
    (pin) => {
      expect(code(pin)).toBe('pin_too_simple');
    },
  );

  it.each([
    ['abcabc', '123123'],
    ['abcabc', '907907'],
    ['ababab', '121212'],
    ['ababab', '474747'],
    ['aabbcc', '112233'],
    ['aabbcc', '887766'],
    ['aaabbb', '111222'],
    ['aaabbb', '999000'],
    ['abccba', '123321'],
    ['abccba', '381183'],
  ])('%s pattern %s', (_label, pin) => {
    expect(code(pin)).toBe('pin_too_simple');
  });

  it('refuses every PIN of the common list, which holds ~30 six-digit entries', () => {
    expect(COMMON_PINS.length).toBeGreaterThanOrEqual(20);
    expect(COMMON_PINS.length).toBeLessThanOrEqual(40);
    for (const pin of COMMON_PINS) {
      expect(pin).toMatch(/^[0-9]{6}$/);
      expect(code(pin)).toBe('pin_too_simple');
    }
    for (const pin of ['696969', '159753', '147258', '789456', '520520', '131313', '101010', '202020']) {
      expect(COMMON_PINS).toContain(pin);
    }
  });

  it('does not refuse near-misses of the patterns', () => {
    for (const pin of ['123457', '124356', '121213', '112234', '123320', '135792', '975318', '111112']) {
      expect(code(pin)).toBe('ok');
    }
  });
});

describe('birth date', () => {
  it('lists DDMMYY, MMDDYY, YYMMDD, YYYYMM and MMYYYY', () => {
    expect(birthDatePinCandidates('1990-07-25')).toEqual(['250790', '072590', '900725', '199007', '071990']);
  });

  it('removes duplicates', () => {
    expect(birthDatePinCandidates('2001-01-01')).toEqual(['010101', '200101', '012001']);
  });

  it('gives [] for an invalid date', () => {
    for (const date of [
      '',
      '1990-02-30',
      '1990-13-01',
      '90-07-25',
      '1990-7-25',
      '25/07/1990',
      '1990-07-25T00:00',
    ]) {
      expect(birthDatePinCandidates(date)).toEqual([]);
    }
  });

  it.each(['250790', '072590', '900725', '199007', '071990'])(
    'refuses %s for someone born 1990-07-25',
    (pin) => {
      expect(code(pin, '1990-07-25')).toBe('pin_is_birth_date');
      expect(code(pin)).toBe('ok');
    },
  );

  it('reports the birth date before simplicity, and ignores an invalid birth date', () => {
    expect(code('121212', '2012-12-12')).toBe('pin_is_birth_date');
    expect(code('250790', 'not a date')).toBe('ok');
  });
});

describe('checkPin: properties', { timeout: 60_000 }, () => {
  /** Independent definition: brute force over the families. */
  const simple = new Set<string>();
  for (let a = 0; a < 10; a++) {
    for (const step of [1, 9]) simple.add([0, 1, 2, 3, 4, 5].map((i) => (a + step * i) % 10).join(''));
    for (let b = 0; b < 10; b++) {
      simple.add(`${a}${b}`.repeat(3));
      simple.add(`${a}${a}${a}${b}${b}${b}`);
      for (let c = 0; c < 10; c++) {
        simple.add(`${a}${b}${c}`.repeat(2));
        simple.add(`${a}${a}${b}${b}${c}${c}`);
        simple.add(`${a}${b}${c}${c}${b}${a}`);
      }
    }
  }

  it('refuses exactly the pattern families and the common list, over all 10^6 PINs', () => {
    let refused = 0;
    for (let n = 0; n < 1_000_000; n++) {
      const pin = String(n).padStart(6, '0');
      const expected = simple.has(pin) || COMMON_PINS.includes(pin);
      if (isTooSimplePin(pin) !== expected) expect(pin).toBe(`classified ${!expected}`);
      if (expected) refused += 1;
    }
    expect(refused).toBeLessThan(4000);
  });

  it('never throws; only 6 ASCII digits can pass', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.stringMatching(/^[0-9]{6}$/)),
        (pin) => {
          const r = checkPin(pin, { birthDate: '1990-07-25' });
          if (r.ok) expect(pin).toMatch(/^[0-9]{6}$/);
          else expect(['pin_format', 'pin_too_simple', 'pin_is_birth_date']).toContain(r.code);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('every candidate of every real birth date is refused', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (d) => {
          const iso = d.toISOString().slice(0, 10);
          const candidates = birthDatePinCandidates(iso);
          expect(candidates.length).toBeGreaterThanOrEqual(3);
          for (const pin of candidates) expect(code(pin, iso)).toBe('pin_is_birth_date');
        },
      ),
      { numRuns: 3000 },
    );
  });
});
