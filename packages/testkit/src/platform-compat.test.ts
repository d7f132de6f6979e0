// Contract test: synthetic citizens pass (and invalid variants fail) the platform's own identity validators.

import { normalizeKhmerName, normalizeLatinName } from '@camdigikey/core/identity/khmer-name';
import { parseIdentityMrz } from '@camdigikey/core/identity/mrz';
import { normalizePhone } from '@camdigikey/core/identity/phone';
import { checkPin } from '@camdigikey/core/identity/pin-policy';
import { describe, expect, it } from 'vitest';
import { badCheckDigitMrz, CITIZENS, expiredDocumentCitizen, makeCitizen, underAgeCitizen } from './citizens';

const today = new Date('2026-06-01T00:00:00Z');
const population = [...CITIZENS, ...Array.from({ length: 300 }, (_, i) => makeCitizen(i * 33_331))];

describe('synthetic citizens vs @camdigikey/core validators', () => {
  it('phones are SMS-capable Cambodian numbers already in national form', () => {
    for (const c of population) {
      const phone = normalizePhone(c.phone);
      expect(phone.ok && phone.value.country === 'KH' && phone.value.national === c.phone, c.phone).toBe(
        true,
      );
    }
  });

  it('PINs satisfy the PIN policy', () => {
    for (const c of population) expect(checkPin(c.pin, { birthDate: c.birthDate }).ok, c.pin).toBe(true);
  });

  it('names are accepted unchanged', () => {
    for (const c of population) {
      for (const km of [c.khmerSurname, c.khmerGivenName]) {
        const r = normalizeKhmerName(km);
        expect(r.ok && r.value === km, km).toBe(true);
      }
      for (const latin of [c.latinSurname, c.latinGivenName])
        expect(normalizeLatinName(latin).ok, latin).toBe(true);
    }
  });

  it('MRZs parse, and the invalid variants fail for the intended reason', () => {
    for (const c of population) expect(parseIdentityMrz(c.mrz.join('\n'), { today }).ok, c.id).toBe(true);
    const codeOf = (lines: string[]) => {
      const r = parseIdentityMrz(lines.join('\n'), { today });
      return r.ok ? 'ok' : r.code;
    };
    expect(codeOf(expiredDocumentCitizen().mrz)).toBe('document_expired');
    expect(codeOf(underAgeCitizen(today).mrz)).toBe('holder_under_age');
    expect(codeOf(badCheckDigitMrz(CITIZENS[0]!))).toBe('mrz_check_digit');
  });
});
