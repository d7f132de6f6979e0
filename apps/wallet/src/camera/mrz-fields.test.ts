// The fields the scanner pre-fills must be what the server reads from the same MRZ
// (parseIdentityMrz), for every synthetic citizen, long TD1 numbers included; unlike the server the
// mapping still answers for an expired document or a young holder (the server refuses those itself).
import { parseIdentityMrz, splitNames } from '@camdigikey/core/identity/mrz';
import { CITIZENS, expiredDocumentCitizen, makeCitizen, underAgeCitizen } from '@camdigikey/testkit/citizens';
import { buildTd1 } from '@camdigikey/testkit/mrz-builder';
import { describe, expect, it } from 'vitest';
import { mrzFields } from './mrz-fields';

const TODAY = new Date('2026-06-01T00:00:00Z');

function serverFields(lines: readonly string[]) {
  const parsed = parseIdentityMrz(lines.join('\n'), { today: TODAY });
  if (!parsed.ok) throw new Error(`server refuses: ${parsed.code}`);
  const { documentNumber, surname, givenNames, birthDate, expiryDate, sex, nationality } = parsed.value;
  return { documentNumber, surname, givenNames, birthDate, expiryDate, sex, nationality };
}

describe('mrzFields', () => {
  it.each(CITIZENS.map((c) => [c.id, c] as const))('matches the server for %s', (_, citizen) => {
    expect(mrzFields(citizen.mrz, TODAY)).toEqual(serverFields(citizen.mrz));
  });

  it('matches the server for generated citizens (both formats)', () => {
    for (let seed = 500; seed < 540; seed++) {
      const citizen = makeCitizen(seed);
      expect(mrzFields(citizen.mrz, TODAY)).toEqual(serverFields(citizen.mrz));
    }
  });

  it('gives the printed fields of a Cambodian ID card', () => {
    const citizen = CITIZENS[0]!;
    expect(mrzFields(citizen.mrz, TODAY)).toEqual({
      documentNumber: citizen.documentNumber,
      surname: 'SOK',
      givenNames: 'DARA',
      birthDate: '1988-03-14',
      expiryDate: citizen.expiryDate,
      sex: 'male',
      nationality: 'KHM',
    });
  });

  it('joins a TD1 document number longer than 9 characters', () => {
    const lines = buildTd1({
      documentNumber: 'AB123456789012',
      birthDate: '1990-02-03',
      sex: 'F',
      expiryDate: '2031-02-03',
      surname: 'CHAN',
      givenNames: 'SOPHEA MEAS',
    });
    expect(mrzFields(lines, TODAY)).toEqual(serverFields(lines));
    expect(mrzFields(lines, TODAY).documentNumber).toBe('AB123456789012');
    expect(mrzFields(lines, TODAY).givenNames).toBe('SOPHEA MEAS');
  });

  it('still maps an expired document and an under-age holder', () => {
    const expired = expiredDocumentCitizen();
    expect(mrzFields(expired.mrz, TODAY).expiryDate).toBe('2024-06-30');
    const young = underAgeCitizen(TODAY);
    expect(mrzFields(young.mrz, TODAY).birthDate).toBe(young.birthDate);
  });

  it('puts a birth year in the 1900s when the 2000s date is still to come (in Cambodia)', () => {
    const lines = buildTd1({
      documentNumber: '010203040',
      birthDate: '1926-06-01',
      sex: '<',
      expiryDate: '2030-01-01',
      surname: 'KEO',
      givenNames: '',
    });
    // '260601' is read as 2026-06-01 unless that day has not come yet in Phnom Penh (UTC+7).
    expect(mrzFields(lines, new Date('2026-05-31T16:59:00Z')).birthDate).toBe('1926-06-01');
    expect(mrzFields(lines, new Date('2026-05-31T17:00:00Z')).birthDate).toBe('2026-06-01');
    expect(mrzFields(lines, TODAY)).toMatchObject({ sex: 'unspecified', givenNames: '', surname: 'KEO' });
  });
});

describe('name splitting', () => {
  it.each([
    ['SOK<<DARA<<<<<<<<<<<<<<<<<<<<', 'SOK', 'DARA'],
    ['SMITH<<JOHN<MICHAEL<<<<<<<<<<', 'SMITH', 'JOHN MICHAEL'],
    ['DE<LA<CRUZ<<MARIA<<<<<<<<<<<<', 'DE LA CRUZ', 'MARIA'],
    ['KEO<<<<<<<<<<<<<<<<<<<<<<<<<<', 'KEO', ''],
    ['SINGLENAMEONLYWITHOUTFILLERSX', 'SINGLENAMEONLYWITHOUTFILLERSX', ''],
  ])('splits %s as the server does', (field, surname, givenNames) => {
    const lines = ['IDKHM0102345678<<<<<<<<<<<<<<<', '8803146M3105198KHM<<<<<<<<<<<8', field];
    expect(mrzFields(lines, TODAY)).toMatchObject({ surname, givenNames });
    expect(splitNames(field)).toEqual({ surname, givenNames });
  });
});
