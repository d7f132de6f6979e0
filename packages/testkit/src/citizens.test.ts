// Tests for the synthetic citizen population and generator, including MRZ validity via the `mrz` parser.
import fc from 'fast-check';
import { parse } from 'mrz';
import { describe, expect, it } from 'vitest';
import { formatNationalMobile, isCambodianMobile, toE164 } from './cambodian-phone';
import type { SyntheticCitizen } from './citizens';
import {
  badCheckDigitMrz,
  CITIZEN_SEED_LIMIT,
  CITIZENS,
  citizenById,
  expiredDocumentCitizen,
  makeCitizen,
  underAgeCitizen,
} from './citizens';
import { isTrivialPin } from './pin';
import { ageOn } from './prng';

const KHMER = /^[\u1780-\u17FF\u19E0-\u19FF]+(?: [\u1780-\u17FF\u19E0-\u19FF]+)*$/u;

function expectWellFormed(c: SyntheticCitizen): void {
  for (const km of [c.khmerSurname, c.khmerGivenName]) {
    expect(km).toMatch(KHMER);
    expect(km.normalize('NFC')).toBe(km);
  }
  expect(c.latinSurname).toMatch(/^[A-Z][A-Z -]*$/);
  expect(c.latinGivenName).toMatch(/^[A-Z][A-Z -]*$/);
  expect(isCambodianMobile(c.phone)).toBe(true);
  expect(formatNationalMobile(c.phone)).toBe(c.phone);
  expect(c.email).toMatch(/^[a-z0-9.]+@example\.com$/);
  expect(isTrivialPin(c.pin, c.birthDate)).toBe(false);
  const result = parse(c.mrz);
  expect(result.valid).toBe(true);
  expect(result.format).toBe(c.documentType === 'id_card' ? 'TD1' : 'TD3');
  expect(result.fields.documentNumber).toBe(c.documentNumber);
  expect(result.fields.nationality).toBe(c.nationality);
  expect(result.fields.sex).toBe(c.gender);
  expect(result.fields.lastName).toBe(c.latinSurname.replace(/[ -]/g, ' '));
  expect(result.fields.birthDate).toBe(c.birthDate.replace(/-/g, '').slice(2));
  expect(result.fields.expirationDate).toBe(c.expiryDate.replace(/-/g, '').slice(2));
}

function expectAllDistinct(list: readonly SyntheticCitizen[]): void {
  for (const key of ['id', 'documentNumber', 'phone', 'email'] as const) {
    expect(new Set(list.map((c) => c[key])).size).toBe(list.length);
  }
}

describe('CITIZENS', () => {
  it('has 8+ Khmer ID card holders and 4+ foreign passport holders', () => {
    const khmerIds = CITIZENS.filter((c) => c.documentType === 'id_card' && c.nationality === 'KHM');
    const foreign = CITIZENS.filter((c) => c.documentType === 'passport' && c.nationality !== 'KHM');
    expect(khmerIds.length).toBeGreaterThanOrEqual(8);
    expect(foreign.length).toBeGreaterThanOrEqual(4);
    expect(new Set(foreign.map((c) => c.nationality))).toEqual(new Set(['FRA', 'JPN', 'USA', 'THA']));
    for (const c of khmerIds) expect(c.mrz[0]!.startsWith('IDKHM')).toBe(true);
    for (const c of foreign) expect(c.mrz[0]!.startsWith(`P<${c.nationality}`)).toBe(true);
  });

  it('every citizen is well formed with a valid MRZ', () => {
    for (const c of CITIZENS) expectWellFormed(c);
  });

  it('identifiers are unique and the first citizen is SOK DARA', () => {
    expectAllDistinct(CITIZENS);
    const first = citizenById('citizen-01');
    expect([first.khmerSurname, first.khmerGivenName, first.latinSurname, first.latinGivenName]).toEqual([
      'សុខ',
      'ដារា',
      'SOK',
      'DARA',
    ]);
    expect(first.phone).toBe('012 345 678');
    expect(toE164(first.phone)).toBe('+85512345678');
    expect(first.email).toBe('dara.sok@example.com');
    expect(() => citizenById('nobody')).toThrow();
  });

  it('documents are valid from 2026 through 2030 and holders are adults', () => {
    for (const c of CITIZENS) {
      expect(c.issueDate < '2026-01-01').toBe(true);
      expect(c.expiryDate > '2030-12-31').toBe(true);
      expect(ageOn(c.birthDate, new Date('2026-01-01'))).toBeGreaterThanOrEqual(18);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(CITIZENS)).toBe(true);
    expect(Object.isFrozen(CITIZENS[0])).toBe(true);
    expect(Object.isFrozen(CITIZENS[0]!.mrz)).toBe(true);
  });
});

describe('makeCitizen', () => {
  it('is deterministic per seed and differs across seeds', () => {
    expect(makeCitizen(42)).toEqual(makeCitizen(42));
    expect(makeCitizen(42)).not.toEqual(makeCitizen(43));
  });

  it('produces well-formed citizens with unique identifiers (never clashing with CITIZENS)', () => {
    const generated = Array.from({ length: 400 }, (_, i) => makeCitizen(i * 7919));
    for (const c of generated) expectWellFormed(c);
    expectAllDistinct([...CITIZENS, ...generated]);
    expect(generated.some((c) => c.documentType === 'passport')).toBe(true);
    expect(generated.some((c) => c.documentType === 'id_card')).toBe(true);
  });

  it('distinct seeds never share a document number, phone or e-mail (property)', () => {
    const seed = fc.integer({ min: 0, max: CITIZEN_SEED_LIMIT - 1 });
    fc.assert(
      fc.property(seed, seed, (a, b) => {
        fc.pre(a !== b);
        const [x, y] = [makeCitizen(a), makeCitizen(b)];
        expect(x.documentNumber).not.toBe(y.documentNumber);
        expect(x.phone).not.toBe(y.phone);
        expect(x.email).not.toBe(y.email);
      }),
      { numRuns: 300 },
    );
  });

  it('applies overrides and recomputes derived fields and the MRZ', () => {
    const c = makeCitizen(7, {
      documentType: 'passport',
      nationality: 'JPN',
      latinSurname: 'SATO',
      issueDate: '2025-02-03',
      gender: 'female',
    });
    expectWellFormed(c);
    expect(c.mrz[0]!.startsWith('P<JPNSATO<<')).toBe(true);
    expect(c.expiryDate).toBe('2035-02-03');
    expect(c.email).toContain('.sato.7@example.com');
    expect(makeCitizen(7, { birthDate: undefined })).toEqual(makeCitizen(7));
  });

  it('rejects seeds outside the supported range', () => {
    expect(() => makeCitizen(-1)).toThrow(RangeError);
    expect(() => makeCitizen(1.5)).toThrow(RangeError);
    expect(() => makeCitizen(CITIZEN_SEED_LIMIT)).toThrow(RangeError);
  });
});

describe('invalid variants', () => {
  it('expiredDocumentCitizen has a well-formed MRZ but an expiry in the past', () => {
    const c = expiredDocumentCitizen();
    expectWellFormed(c);
    expect(c.expiryDate < '2026-01-01').toBe(true);
    expect(c.expiryDate > c.issueDate).toBe(true);
  });

  it('underAgeCitizen is 14 years old on the given day', () => {
    for (const today of ['2026-03-01', '2028-02-29', '2030-12-31']) {
      const c = underAgeCitizen(new Date(`${today}T10:00:00Z`));
      expectWellFormed(c);
      expect(ageOn(c.birthDate, new Date(today))).toBe(14);
      expect(c.issueDate < today && c.expiryDate > today).toBe(true);
    }
  });

  it('badCheckDigitMrz breaks exactly one check digit', () => {
    for (const c of [CITIZENS[0]!, CITIZENS[12]!]) {
      const bad = badCheckDigitMrz(c);
      const invalid = parse(bad).details.filter((d) => !d.valid);
      expect(invalid.map((d) => d.field)).toEqual(['documentNumberCheckDigit']);
      expect(parse(badCheckDigitMrz(c, 'birthDate')).valid).toBe(false);
    }
  });
});

describe('PIN and phone rules', () => {
  it('flags trivial PINs', () => {
    for (const pin of [
      '000000',
      '123456',
      '654321',
      '890123',
      '121212',
      '123123',
      '123321',
      '12345',
      'abcdef',
    ]) {
      expect(isTrivialPin(pin)).toBe(true);
    }
    expect(isTrivialPin('140388', '1988-03-14')).toBe(true);
    expect(isTrivialPin('880314', '1988-03-14')).toBe(true);
    expect(isTrivialPin('482915', '1988-03-14')).toBe(false);
  });

  it('recognises Cambodian mobile numbers', () => {
    expect(isCambodianMobile('012 345 678')).toBe(true);
    expect(isCambodianMobile('+855 97 123 4567')).toBe(true);
    expect(formatNationalMobile('+855971234567')).toBe('097 123 4567');
    expect(isCambodianMobile('023 456 789')).toBe(false); // Phnom Penh landline
    expect(isCambodianMobile('12 345 678')).toBe(false);
    expect(() => toE164('023 456 789')).toThrow(RangeError);
  });
});
