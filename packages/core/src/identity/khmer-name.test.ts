/**
 * Tests for name normalisation: Khmer names come out NFC, with single spaces and only allowed Khmer
 * code points (invisible characters dropped where harmless); Latin names come out as MRZ-style A–Z.
 * Property tests feed arbitrary Unicode and check nothing invalid is ever accepted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isAllowedKhmerNameCodePoint,
  NAME_MAX_CODE_POINTS,
  normalizeKhmerName,
  normalizeLatinName,
} from './khmer-name';

const khmer = (input: string) => {
  const r = normalizeKhmerName(input);
  return r.ok ? r.value : r.code;
};
const latin = (input: string) => {
  const r = normalizeLatinName(input);
  return r.ok ? r.value : r.code;
};

describe('normalizeKhmerName: accepted names', () => {
  it.each([
    ['សុខ ដារា', 'សុខ ដារា'],
    ['ចាន់ សុភា', 'ចាន់ សុភា'],
    ['ហ៊ុន', 'ហ៊ុន'],
    ['ស្រីពៅ', 'ស្រីពៅ'],
    ['ឧត្តម', 'ឧត្តម'],
    ['  សុខ   ដារា  ', 'សុខ ដារា'],
    ['សុខ\tដារា\n', 'សុខ ដារា'],
    ['សុខ\u00A0\u3000ដារា', 'សុខ ដារា'],
    ['\uFEFFសុខ', 'សុខ'],
  ])('%j → %j', (input, expected) => {
    expect(khmer(input)).toBe(expected);
  });

  it('strips zero-width spaces everywhere', () => {
    expect(khmer('សុខ\u200Bដារា')).toBe('សុខដារា');
    expect(khmer('\u200Bសុខ\u200B \u200Bដារា\u200B')).toBe('សុខ ដារា');
  });

  it('strips ZWNJ/ZWJ at the ends, next to spaces and next to each other', () => {
    expect(khmer('\u200Cសុខ \u200Dដារា\u200C')).toBe('សុខ ដារា');
    expect(khmer('សុខ\u200C ដារា')).toBe('សុខ ដារា');
    expect(khmer('សុខ \u200C ដារា')).toBe('សុខ ដារា');
  });

  it('keeps one ZWNJ/ZWJ between two Khmer characters, where it selects a glyph form', () => {
    expect(khmer('ហ៊\u200Cុន')).toBe('ហ៊\u200Cុន');
    expect(khmer('ហ៊\u200C\u200D\u200Cុន')).toBe('ហ៊\u200Cុន');
    expect(khmer('ក\u200Dក')).toBe('ក\u200Dក');
  });

  it('returns NFC (reorders combining marks)', () => {
    const input = 'ក\u17DD\u17D2ក';
    expect(input.normalize('NFC')).not.toBe(input);
    expect(khmer(input)).toBe(input.normalize('NFC'));
  });

  it('rewrites the deprecated independent vowels U+17A3 and U+17A4', () => {
    expect(khmer('\u17A3ក')).toBe('\u17A2ក');
    expect(khmer('\u17A4ក')).toBe('\u17A2\u17B6ក');
  });

  it('accepts exactly 64 code points, spaces included', () => {
    const name = `${'ក'.repeat(31)} ${'ខ'.repeat(32)}`;
    expect([...name].length).toBe(64);
    expect(khmer(name)).toBe(name);
  });
});

describe('normalizeKhmerName: refused names', () => {
  it.each(['', '   ', '\u200B', '\u200C\u200D', '\u00A0\n\t', '\u200B \u200B'])('%j → required', (input) => {
    expect(khmer(input)).toBe('khmer_name_required');
  });

  it.each([
    ['Latin', 'Sok Dara'],
    ['Latin mixed', 'សុខA'],
    ['ASCII digit', 'សុខ1'],
    ['Khmer digit', 'សុខ១'],
    ['Khmer khan', 'សុខ។'],
    ['Khmer bariyoosan', 'សុខ៕'],
    ['Khmer lek too', 'សុខៗ'],
    ['riel sign', 'ស៛'],
    ['bathamasat', 'ក\u17D3'],
    ['inherent vowel', 'ក\u17B4'],
    ['Khmer symbols block', 'ក\u19E0'],
    ['hyphen', 'សុខ-ដារា'],
    ['full stop', 'សុខ.'],
    ['emoji', 'សុខ 😀'],
    ['Thai', 'สมชาย'],
    ['Lao', 'ສົມ'],
    ['Chinese', '王'],
    ['vowel sign only', 'ា'],
    ['signs only', '\u17C6\u17C7'],
    ['word starting with a vowel sign', 'ាសុខ'],
    ['second word starting with a sign', 'សុខ ំដារា'],
    ['word joiner', 'សុខ\u2060ដារា'],
    ['soft hyphen', 'សុខ\u00ADដារា'],
    ['lone surrogate', 'សុខ\uD800'],
  ])('%s → invalid', (_label, input) => {
    expect(khmer(input)).toBe('khmer_name_invalid');
  });

  it('refuses more than 64 code points', () => {
    expect(khmer('ក'.repeat(NAME_MAX_CODE_POINTS + 1))).toBe('khmer_name_too_long');
    expect(khmer(`${'ក'.repeat(32)} ${'ខ'.repeat(32)}`)).toBe('khmer_name_too_long');
    expect(khmer('ក'.repeat(1_000_000))).toBe('khmer_name_too_long');
  });

  it('counts length after normalisation', () => {
    expect(khmer(`  ${'ក'.repeat(64)}\u200B\u200B  `)).toBe('ក'.repeat(64));
  });
});

describe('normalizeLatinName', () => {
  it.each([
    ['sok dara', 'SOK DARA'],
    ['  Sok   Dara ', 'SOK DARA'],
    ['Nguyễn Văn An', 'NGUYEN VAN AN'],
    ['Đặng Thị Hồng', 'DANG THI HONG'],
    ['Müller', 'MULLER'],
    ['Strauß', 'STRAUSS'],
    ['Søren Łukasz', 'SOEREN LUKASZ'],
    ["O'Neil", "O'NEIL"],
    ['O\u2019Neil', "O'NEIL"],
    ['Jean-Paul', 'JEAN-PAUL'],
    ['Marie\u2011Claire', 'MARIE-CLAIRE'],
    ['ÇAĞLAR', 'CAGLAR'],
    ['a', 'A'],
  ])('%j → %j', (input, expected) => {
    expect(latin(input)).toBe(expected);
  });

  it.each(['', ' ', '\u200B', '\t\n'])('%j → required', (input) => {
    expect(latin(input)).toBe('latin_name_required');
  });

  it.each([
    'SOK1',
    'SOK.',
    '-',
    "'",
    '-SOK',
    'SOK-',
    'JEAN--PAUL',
    "O''NEIL",
    'JEAN -PAUL',
    'សុខ',
    'Σωκράτης',
    'Иван',
    'ＳＯＫ',
    'SOK 😀',
    'SOK,DARA',
    'SOK\u200CDARA',
  ])('%j → invalid', (input) => {
    expect(latin(input)).toBe('latin_name_invalid');
  });

  it('refuses more than 64 characters', () => {
    expect(latin('A'.repeat(64))).toBe('A'.repeat(64));
    expect(latin('A'.repeat(65))).toBe('latin_name_too_long');
    expect(latin(`${'A'.repeat(32)} ${'B'.repeat(32)}`)).toBe('latin_name_too_long');
    expect(latin('a'.repeat(2_000_000))).toBe('latin_name_too_long');
  });
});

const KHMER_ALPHABET = [
  ...Array.from({ length: 0x1800 - 0x1780 }, (_, i) => String.fromCodePoint(0x1780 + i)),
  '\u200B',
  '\u200C',
  '\u200D',
  ' ',
  '\u00A0',
  '\t',
  '\u19E0',
  'a',
  '😀',
];
const khmerish = fc.string({ unit: fc.constantFrom(...KHMER_ALPHABET), maxLength: 80 });
const anyText = fc.oneof(
  khmerish,
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
  fc.string({ unit: 'binary', minLength: 900, maxLength: 1500 }),
);

describe('name properties', { timeout: 60_000 }, () => {
  it('an accepted Khmer name is NFC, allowed code points, single spaces, ≤ 64, idempotent', () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyText, (input) => {
        const r = normalizeKhmerName(input);
        if (!r.ok) {
          expect(['khmer_name_required', 'khmer_name_invalid', 'khmer_name_too_long']).toContain(r.code);
          return;
        }
        accepted += 1;
        const name = r.value;
        expect(name.normalize('NFC')).toBe(name);
        expect(name).toBe(name.trim());
        expect(name).not.toMatch(/ {2}/);
        expect([...name].length).toBeLessThanOrEqual(NAME_MAX_CODE_POINTS);
        const chars = [...name];
        chars.forEach((ch, i) => {
          if (ch === ' ') return;
          if (ch === '\u200C' || ch === '\u200D') {
            expect(isAllowedKhmerNameCodePoint(chars[i - 1]?.codePointAt(0) ?? 0)).toBe(true);
            expect(isAllowedKhmerNameCodePoint(chars[i + 1]?.codePointAt(0) ?? 0)).toBe(true);
            return;
          }
          expect(isAllowedKhmerNameCodePoint(ch.codePointAt(0) ?? 0)).toBe(true);
        });
        expect(name).toMatch(/[\u1780-\u17A2\u17A5-\u17B3]/);
        expect(normalizeKhmerName(name)).toEqual(r);
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it('zero-width spaces and extra white space never change an accepted Khmer name', () => {
    const base = fc.integer({ min: 0x1780, max: 0x17b3 }).filter((cp) => cp !== 0x17a3 && cp !== 0x17a4);
    const word = fc.array(base, { minLength: 1, maxLength: 8 }).map((a) => String.fromCodePoint(...a));
    const space = fc.constantFrom(' ', '  ', '\u00A0', '\t', ' \u200B ', '\u3000');
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 4 }),
        fc.array(fc.boolean(), { maxLength: 40 }),
        fc.array(space, { maxLength: 5 }),
        (words, zwsp, spaces) => {
          const name = words.join(' ');
          let z = 0;
          let w = 0;
          const noisy = [...name]
            .map((ch) => (ch === ' ' ? (spaces[w++] ?? ' ') : `${zwsp[z++] ? '\u200B' : ''}${ch}`))
            .join('');
          const expected = [...name].length <= NAME_MAX_CODE_POINTS ? name : 'khmer_name_too_long';
          expect(khmer(`${spaces[0] ?? ''}${noisy}\u200B${spaces[1] ?? ''}`)).toBe(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('an accepted Latin name is A–Z words with single spaces, ≤ 64, idempotent and case-insensitive', () => {
    let accepted = 0;
    const latinish = fc.string({
      unit: fc.constantFrom(..."abcXYZ éüß -'\u2019.1ĐøŁ".split('')),
      maxLength: 70,
    });
    fc.assert(
      fc.property(fc.oneof(anyText, latinish), (input) => {
        const r = normalizeLatinName(input);
        if (!r.ok) {
          expect(['latin_name_required', 'latin_name_invalid', 'latin_name_too_long']).toContain(r.code);
          return;
        }
        accepted += 1;
        expect(r.value).toMatch(/^[A-Z]+(?:['-][A-Z]+)*(?: [A-Z]+(?:['-][A-Z]+)*)*$/);
        expect(r.value.length).toBeLessThanOrEqual(NAME_MAX_CODE_POINTS);
        expect(normalizeLatinName(r.value)).toEqual(r);
        expect(normalizeLatinName(r.value.toLowerCase())).toEqual(r);
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(50);
  });
});
