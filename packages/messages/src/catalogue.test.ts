import { ERROR_CODES, errorMessageId } from '@camdigikey/contracts/errors';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { bilingual, catalogues, format, isMessageId, LANGUAGES, toKhmerDigits } from './index';
import { km } from './km';

const KHMER = /[\u1780-\u17FF]/;
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('have the same keys in Khmer and English', () => {
    expect(Object.keys(km).sort()).toEqual(Object.keys(en).sort());
  });

  it('have a non-empty text for every key in every language', () => {
    for (const language of LANGUAGES) {
      for (const [id, text] of Object.entries(catalogues[language])) {
        expect(text.trim(), `${language} ${id}`).not.toBe('');
      }
    }
  });

  it('write every Khmer text in Khmer script', () => {
    for (const [id, text] of Object.entries(km)) expect(text, id).toMatch(KHMER);
  });

  it('use the same placeholders in both languages', () => {
    for (const id of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(km[id]), id).toEqual(placeholders(en[id]));
    }
  });

  it('have a message for every error code', () => {
    const missing = ERROR_CODES.map(errorMessageId).filter((id) => !isMessageId(id));
    expect(missing).toEqual([]);
  });
});

describe('format', () => {
  it('fills placeholders and writes numbers with Khmer digits in Khmer', () => {
    expect(format('error.otp_invalid', 'en', { attemptsLeft: 3 })).toBe(
      'The code is not correct. 3 attempts left.',
    );
    expect(format('error.otp_invalid', 'km', { attemptsLeft: 3 })).toContain('៣');
    expect(bilingual('notify.otp.sms', { code: '123456' }).km).toContain('123456');
  });

  it('leaves unknown placeholders visible instead of inventing text', () => {
    expect(format('error.otp_invalid', 'en')).toContain('{attemptsLeft}');
  });

  it('maps digits', () => {
    expect(toKhmerDigits('2026-11-28')).toBe('២០២៦-១១-២៨');
  });
});
