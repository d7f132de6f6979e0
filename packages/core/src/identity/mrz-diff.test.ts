/**
 * Tests for diffAgainstMrz: the officer must see every disagreement between form and MRZ and no
 * false ones. Names agree under ICAO transliteration and truncation only; other fields exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IdentityMrz, MrzFormFields } from './mrz';
import { diffAgainstMrz, parseIdentityMrz } from './mrz';
import { isNameFieldFull, mrzNameCandidates } from './mrz-diff';
import { td1, td3 } from './mrz-fixtures';

const today = new Date('2025-06-15T00:00:00Z');
const read = (lines: string[]): IdentityMrz => {
  const r = parseIdentityMrz(lines.join('\n'), { today });
  if (!r.ok) throw new Error(`fixture refused: ${r.code}`);
  return r.value;
};
const sok = read(td1());
const form: MrzFormFields = {
  latinSurname: 'SOK',
  latinGivenName: 'DARA',
  documentNumber: '012345678',
  birthDate: '1990-01-01',
  expiryDate: '2030-01-01',
  gender: 'male',
};
/** Fields flagged when only the names differ from what the MRZ says (other fields copied from it). */
const namesDiff = (surname: string, given: string, mrz: IdentityMrz) =>
  diffAgainstMrz(
    {
      latinSurname: surname,
      latinGivenName: given,
      documentNumber: mrz.documentNumber,
      birthDate: mrz.birthDate,
      expiryDate: mrz.expiryDate,
      gender: mrz.sex === 'female' ? 'female' : 'male',
    },
    mrz,
  ).map((d) => d.field);

describe('diffAgainstMrz: exact fields', () => {
  it('no disagreement when everything matches', () => {
    expect(diffAgainstMrz(form, sok)).toEqual([]);
  });

  it('lists every disagreement with both values, in a stable order', () => {
    const other: MrzFormFields = {
      latinSurname: 'SOKH',
      latinGivenName: 'DARO',
      documentNumber: '012345679',
      birthDate: '1990-01-02',
      expiryDate: '2030-01-02',
      gender: 'female',
    };
    expect(diffAgainstMrz(other, sok)).toEqual([
      { field: 'latinSurname', form: 'SOKH', mrz: 'SOK' },
      { field: 'latinGivenName', form: 'DARO', mrz: 'DARA' },
      { field: 'documentNumber', form: '012345679', mrz: '012345678' },
      { field: 'birthDate', form: '1990-01-02', mrz: '1990-01-01' },
      { field: 'expiryDate', form: '2030-01-02', mrz: '2030-01-01' },
      { field: 'gender', form: 'female', mrz: 'male' },
    ]);
  });

  it('compares document number and dates exactly (no trimming or case folding)', () => {
    expect(diffAgainstMrz({ ...form, documentNumber: ' 012345678' }, sok)).toHaveLength(1);
    expect(diffAgainstMrz({ ...form, birthDate: '1990-1-1' }, sok)).toHaveLength(1);
    const passport = read(td3({ number: 'AB12' }));
    expect(diffAgainstMrz({ ...form, documentNumber: 'ab12' }, passport).map((d) => d.field)).toContain(
      'documentNumber',
    );
  });

  it('an unspecified MRZ sex disagrees with either gender', () => {
    const mrz = read(td1({ sex: '<' }));
    expect(diffAgainstMrz(form, mrz)).toEqual([{ field: 'gender', form: 'male', mrz: 'unspecified' }]);
  });
});

describe('diffAgainstMrz: names as ICAO writes them', () => {
  it('ignores case, diacritics, extra spaces, hyphens', () => {
    expect(namesDiff('  sok ', 'Dara', sok)).toEqual([]);
    const mrz = read(td1({ surname: 'NGUYEN', given: 'VAN AN' }));
    expect(namesDiff('Nguyễn', 'Văn-An', mrz)).toEqual([]);
    expect(namesDiff('Nguyễn', 'Văn  An', mrz)).toEqual([]);
    expect(namesDiff('Nguyen', 'Van', mrz)).toEqual(['latinGivenName']);
  });

  it('apostrophes may be omitted (ICAO) or written as fillers', () => {
    expect(mrzNameCandidates("O'Neil")).toEqual([['ONEIL'], ['O', 'NEIL']]);
    expect(namesDiff("O'Neil", 'Dara', read(td1({ surname: 'ONEIL' })))).toEqual([]);
    expect(namesDiff('O\u2019Neil', 'Dara', read(td1({ surname: 'O NEIL' })))).toEqual([]);
    expect(namesDiff("O'Neal", 'Dara', read(td1({ surname: 'ONEIL' })))).toEqual(['latinSurname']);
  });

  it('word boundaries matter: a filler is not nothing', () => {
    expect(namesDiff('CHANSOPHEA', 'DARA', read(td1({ surname: 'CHAN SOPHEA' })))).toEqual(['latinSurname']);
  });

  it('empty given names agree only with empty MRZ given names', () => {
    const mononym = read(td1({ names: 'SOKHA'.padEnd(30, '<') }));
    expect(namesDiff('Sokha', '', mononym)).toEqual([]);
    expect(namesDiff('Sokha', 'Dara', mononym)).toEqual(['latinGivenName']);
    expect(namesDiff('Sok', '', sok)).toEqual(['latinGivenName']);
  });

  it('a name the MRZ shortened without being full is a disagreement', () => {
    expect(isNameFieldFull(sok)).toBe(false);
    expect(namesDiff('Sok', 'Dara Vuthy', sok)).toEqual(['latinGivenName']);
    expect(namesDiff('Sokha', 'Dara', sok)).toEqual(['latinSurname']);
  });
});

describe('diffAgainstMrz: truncated names (name field full)', () => {
  const long = read(td1({ names: 'NILAVADHANANANDA<<CHAYAPA<DEJT' }));

  it('accepts the MRZ as a truncation of the form', () => {
    expect(isNameFieldFull(long)).toBe(true);
    expect(long.givenNames).toBe('CHAYAPA DEJT');
    expect(namesDiff('Nilavadhanananda', 'Chayapa Dejthamrong Krasuang', long)).toEqual([]);
  });

  it('still flags real differences', () => {
    expect(namesDiff('Nilavadhanananda', 'Chayapa Dejxhamrong', long)).toEqual(['latinGivenName']);
    expect(namesDiff('Nilavadhanananda', 'Chayapa', long)).toEqual(['latinGivenName']);
    expect(namesDiff('Nilavadhanananda', 'Dejthamrong Chayapa', long)).toEqual(['latinGivenName']);
    expect(namesDiff('Nilavadhananda', 'Chayapa Dejthamrong', long)).toEqual(['latinSurname']);
  });

  it('accepts given names cut to initials, in order', () => {
    const initials = read(td1({ names: 'ABCDEFGHIJKLMNOPQRSTUVWXY<<J<M' }));
    expect(namesDiff('Abcdefghijklmnopqrstuvwxy', 'John Michael', initials)).toEqual([]);
    expect(namesDiff('Abcdefghijklmnopqrstuvwxy', 'Michael John', initials)).toEqual(['latinGivenName']);
  });

  it('a surname filling the whole field hides the given names', () => {
    const mrz = read(td3({ names: 'WOLFESCHLEGELSTEINHAUSENBERGERDORFFWELC' }));
    expect(mrz.givenNames).toBe('');
    expect(namesDiff('Wolfeschlegelsteinhausenbergerdorffwelche', 'Hubert Blaine', mrz)).toEqual([]);
    expect(namesDiff('Wolfeschlegel', 'Hubert', mrz)).toEqual(['latinSurname']);
  });
});

describe('diffAgainstMrz: properties', { timeout: 60_000 }, () => {
  const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const word = fc.string({ unit: fc.constantFrom(...LETTERS), minLength: 1, maxLength: 10 });
  const names = fc.array(word, { minLength: 1, maxLength: 4 });

  it('the form written from the MRZ (any case, hyphens or spaces) never disagrees', () => {
    fc.assert(
      fc.property(names, names, fc.constantFrom(' ', '-', '  '), fc.boolean(), (s, g, sep, lower) => {
        if (`${s.join(' ')}  ${g.join(' ')}`.length > 39) return;
        const lines = td3({ surname: s.join(' '), given: g.join(' '), sex: 'M' });
        const mrz = read(lines);
        const write = (w: string) => (lower ? w.toLowerCase() : w);
        const typed: MrzFormFields = {
          latinSurname: write(s.join(sep)),
          latinGivenName: write(g.join(sep)),
          documentNumber: mrz.documentNumber,
          birthDate: mrz.birthDate,
          expiryDate: mrz.expiryDate,
          gender: 'male',
        };
        expect(diffAgainstMrz(typed, mrz)).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it('a name that differs in one letter is always flagged unless the MRZ cut it off', () => {
    fc.assert(
      fc.property(names, names, fc.nat(), fc.constantFrom(...LETTERS), (s, g, at, ch) => {
        const mrz = read(td1({ surname: s.join(' '), given: g.join(' ') }));
        const given = g.join(' ');
        const i = at % given.length;
        if (given[i] === ' ' || given[i] === ch) return;
        const changed = given.slice(0, i) + ch + given.slice(i + 1);
        const flagged = namesDiff(s.join(' '), changed, mrz).includes('latinGivenName');
        const visible = mrz.givenNames.length > i && mrz.givenNames === given.slice(0, mrz.givenNames.length);
        if (visible) expect(flagged).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
