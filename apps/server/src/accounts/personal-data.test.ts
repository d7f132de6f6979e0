import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Envelope } from '../crypto/envelope';
import { BlindIndex } from '../crypto/keyed-hash';
import {
  openPersonal,
  type PersonalData,
  type PersonalRow,
  personalContext,
  sealPersonal,
} from './personal-data';

const keys = {
  envelope: new Envelope([{ id: 'k1', key: new Uint8Array(randomBytes(32)) }]),
  blindIndex: new BlindIndex(new Uint8Array(randomBytes(32))),
};
const ID = '6f1d2c3b-0000-4000-8000-000000000001';
const OTHER = '6f1d2c3b-0000-4000-8000-000000000002';

const dara: PersonalData = {
  phoneE164: '+85512345678',
  email: 'Dara.Sok@Example.com',
  khmerSurname: 'សុខ',
  khmerGivenName: 'ដារា',
  latinSurname: 'SOK',
  latinGivenName: 'DARA',
  birthDate: '1990-04-17',
  nationality: 'KHM',
};

const rowOf = (id: string, columns: ReturnType<typeof sealPersonal>): PersonalRow => ({ id, ...columns });

describe('personal data at rest', () => {
  it('seals every field into one value and leaves none in clear', () => {
    const columns = sealPersonal(keys, ID, dara);
    expect(columns.personal_enc?.startsWith('v1.k1.')).toBe(true);
    const stored = JSON.stringify(columns);
    for (const value of Object.values(dara)) expect(stored).not.toContain(value);
    expect(stored).not.toContain(dara.email.toLowerCase());
    expect(columns).toMatchObject({
      phone_e164: null,
      email: null,
      khmer_surname: null,
      khmer_given_name: null,
      latin_surname: null,
      latin_given_name: null,
      birth_date: null,
      nationality: null,
    });
  });

  it('opens what it sealed', () => {
    expect(openPersonal(keys.envelope, rowOf(ID, sealPersonal(keys, ID, dara)))).toEqual(dara);
    const noKhmer = { ...dara, khmerSurname: null, khmerGivenName: null };
    expect(openPersonal(keys.envelope, rowOf(ID, sealPersonal(keys, ID, noKhmer)))).toEqual(noKhmer);
  });

  it('binds the value to its row: copied into another account it does not open', () => {
    const columns = sealPersonal(keys, ID, dara);
    expect(personalContext(ID)).toBe(`account:${ID}:personal`);
    expect(() => openPersonal(keys.envelope, rowOf(OTHER, columns))).toThrow();
  });

  it('gives the same blind index for the same phone and e-mail (any letter case), and another for others', () => {
    const a = sealPersonal(keys, ID, dara);
    const b = sealPersonal(keys, OTHER, { ...dara, email: ' dara.sok@example.COM ' });
    expect(a.phone_bidx).toBe(b.phone_bidx);
    expect(a.email_bidx).toBe(b.email_bidx);
    expect(a.phone_bidx).toMatch(/^[0-9a-f]{64}$/);
    expect(a.phone_bidx).not.toBe(a.email_bidx);
    const c = sealPersonal(keys, OTHER, { ...dara, phoneE164: '+85512345679', email: 'dara2@example.com' });
    expect(c.phone_bidx).not.toBe(a.phone_bidx);
    expect(c.email_bidx).not.toBe(a.email_bidx);
    // Another BLIND_INDEX_KEY gives unrelated indexes: the index is not a plain hash of the number.
    const otherKey = { ...keys, blindIndex: new BlindIndex(new Uint8Array(randomBytes(32))) };
    expect(sealPersonal(otherKey, ID, dara).phone_bidx).not.toBe(a.phone_bidx);
  });

  it('reads a row written before migration 0022 (still in clear)', () => {
    const legacy: PersonalRow = {
      id: ID,
      personal_enc: null,
      phone_e164: dara.phoneE164,
      email: dara.email,
      khmer_surname: dara.khmerSurname,
      khmer_given_name: dara.khmerGivenName,
      latin_surname: dara.latinSurname,
      latin_given_name: dara.latinGivenName,
      birth_date: dara.birthDate,
      nationality: dara.nationality,
    };
    expect(openPersonal(keys.envelope, legacy)).toEqual(dara);
    expect(() => openPersonal(keys.envelope, { ...legacy, latin_surname: null })).toThrow(
      /neither sealed nor in clear/,
    );
  });

  it('refuses a sealed value that is not personal data', () => {
    const notPersonal = keys.envelope.sealText(JSON.stringify({ phoneE164: 1 }), personalContext(ID));
    const row = rowOf(ID, { ...sealPersonal(keys, ID, dara), personal_enc: notPersonal });
    expect(() => openPersonal(keys.envelope, row)).toThrow(/malformed/);
  });
});
