// The MRZ names of a Khmer ID card against the civil register's Latin names: the check for names, which
// no check digit protects (a '<' filler read as 'K' must show, ICAO transliteration and truncation must not).
import { describe, expect, it } from 'vitest';
import { compareMrzNamesWithRegistry } from './registry-compare';

const mrzWithNames = (nameField: string) => {
  const field = nameField.padEnd(30, '<');
  const body = field.replace(/<+$/, '');
  const at = body.indexOf('<<');
  const clean = (s: string) => s.replace(/<+/g, ' ').trim();
  return {
    format: 'TD1' as const,
    lines: ['IDKHM0102345670<<<<<<<<<<<<<<<', '8803148M3205208KHM<<<<<<<<<<<8', field],
    surname: clean(at < 0 ? body : body.slice(0, at)),
    givenNames: at < 0 ? '' : clean(body.slice(at + 2)),
  };
};

describe('compareMrzNamesWithRegistry', () => {
  it('agrees with the register written the ICAO way (case, diacritics, hyphens, spaces)', () => {
    expect(
      compareMrzNamesWithRegistry(mrzWithNames('SOK<<DARA'), { latinSurname: 'Sok', latinGivenName: 'Dara' }),
    ).toEqual([]);
    expect(
      compareMrzNamesWithRegistry(mrzWithNames('NGUYEN<<THI<MAI<ANH'), {
        latinSurname: 'Nguyễn',
        latinGivenName: 'Thị Mai-Anh',
      }),
    ).toEqual([]);
  });

  it('flags a filler read as a letter and a changed letter', () => {
    expect(
      compareMrzNamesWithRegistry(mrzWithNames('SOK<<DARAK'), {
        latinSurname: 'SOK',
        latinGivenName: 'DARA',
      }),
    ).toEqual(['latinGivenName']);
    expect(
      compareMrzNamesWithRegistry(mrzWithNames('ZOK<<DARA'), { latinSurname: 'SOK', latinGivenName: 'DARA' }),
    ).toEqual(['latinSurname']);
  });

  it('accepts the truncation of a full name field, and only that', () => {
    const full = mrzWithNames('CHANTHAVONGSA<<SOMPHOUTHONE<PH');
    expect(full.lines[2]).toHaveLength(30);
    const register = { latinSurname: 'CHANTHAVONGSA', latinGivenName: 'SOMPHOUTHONE PHETSAMONE' };
    expect(compareMrzNamesWithRegistry(full, register)).toEqual([]);
    const other = { latinSurname: 'CHANTHAVONGSA', latinGivenName: 'SOMPHOUTHONE KHAMPHAN' };
    expect(compareMrzNamesWithRegistry(full, other)).toEqual(['latinGivenName']);
  });
});
