/**
 * The console's formats (issue 16, item 11): a case's history never shows a raw audit id, and
 * dates are written with the catalogue's month names and, in Khmer, Khmer digits.
 */
import { describe, expect, it } from 'vitest';
import { en } from './i18n/en';
import { km } from './i18n/km';
import { dayParts, historyKey, localDigits } from './ui';

const known = (key: string) => key in en;

describe("a case history's labels", () => {
  it('uses the action’s own label when the catalogue has one', () => {
    expect(historyKey('registration.details_draft_saved', known)).toBe(
      'hist.registration.details_draft_saved',
    );
    expect(en[historyKey('registration.details_draft_saved', known)]).toBe('Draft saved');
    expect(historyKey('login.completed', known)).toBe('hist.login.completed');
  });

  it('falls back to the family of an action it does not know, then to "other", never to the id', () => {
    expect(historyKey('login.something_new', known)).toBe('hist.group.login');
    expect(historyKey('signature.withdrawn', known)).toBe('hist.group.signature');
    expect(historyKey('brand_new.thing', known)).toBe('hist.other');
    for (const action of ['login.something_new', 'brand_new.thing', 'registration.x']) {
      const key = historyKey(action, known);
      expect(en[key]).not.toContain(action);
      expect(km[key]).toMatch(/[\u1780-\u17ff]/);
    }
  });
});

describe('dates', () => {
  it('reads a local day back', () => {
    expect(dayParts('2026-12-07')).toEqual({ year: 2026, month: 12, day: 7 });
    expect(dayParts('7/12/2026')).toBeUndefined();
  });

  it('writes Khmer digits in Khmer and leaves English alone', () => {
    expect(localDigits('2026-12-07 14:05', 'km')).toBe('២០២៦-១២-០៧ ១៤:០៥');
    expect(localDigits(1.25, 'en')).toBe('1.25');
  });

  it('has the day format in both languages, with the same placeholders', () => {
    expect(en['time.date']).toBe('{day} {month} {year}');
    expect(km['time.date']).toMatch(/^ថ្ងៃទី \{day\} ខែ\{month\} ឆ្នាំ \{year\}$/);
  });
});
