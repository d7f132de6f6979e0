// Unit tests of the ICAO layout, check digits and check-digit repair on hand-made score tables.
import { CITIZENS } from '@camdigikey/testkit/citizens';
import { describe, expect, it } from 'vitest';
import type { Reading } from './correct';
import { correctWithCheckDigits, rivalCosts } from './correct';
import { ALPHABETS, allChecksHold, checkDigit } from './layout';
import type { MrzFormat } from './locate';

const td1 = CITIZENS[0]!.mrz; // IDKHM0102345670<<<… / 8803148M3205208KHM<<<…8 / SOK<<DARA<<<…
const td3 = CITIZENS[10]!.mrz;

/** Readings where the printed character scores 0.9 and every other allowed one 0.4, plus overrides. */
function readingsOf(
  format: MrzFormat,
  lines: readonly string[],
  overrides: Record<string, Record<string, number>> = {},
): Reading[][][] {
  return lines.map((line, l) =>
    [...line].map((truth, c) => {
      const extra = overrides[`${l}:${c}`] ?? {};
      return [...ALPHABETS[format][l]![c]!]
        .map((char) => ({ char, score: extra[char] ?? (char === truth ? 0.9 : 0.4) }))
        .sort((a, b) => b.score - a.score);
    }),
  );
}

describe('checkDigit', () => {
  it('matches the ICAO 9303 examples', () => {
    expect(checkDigit('L898902C3')).toBe(6);
    expect(checkDigit('740812')).toBe(2);
    expect(checkDigit('120415')).toBe(9);
    expect(checkDigit('D23145890')).toBe(7);
  });

  it('accepts the synthetic citizens and rejects a changed digit', () => {
    for (const c of CITIZENS) expect(allChecksHold(c.mrz.length === 3 ? 'TD1' : 'TD3', c.mrz)).toBe(true);
    expect(allChecksHold('TD1', [td1[0]!.replace('0102', '0103'), td1[1]!, td1[2]!])).toBe(false);
  });
});

describe('ALPHABETS', () => {
  it('gives every position of both formats an alphabet that holds the printed character', () => {
    for (const c of CITIZENS) {
      const format = c.mrz.length === 3 ? 'TD1' : 'TD3';
      c.mrz.forEach((line, l) => {
        expect(ALPHABETS[format][l]).toHaveLength(line.length);
        for (const [i, ch] of [...line].entries()) expect(ALPHABETS[format][l]![i]).toContain(ch);
      });
    }
  });
});

describe('correctWithCheckDigits', () => {
  it('keeps a reading whose check digits hold', () => {
    expect(correctWithCheckDigits('TD1', readingsOf('TD1', td1))).toEqual({ lines: td1, corrected: 0 });
  });

  it('repairs an O read for a 0 in the document number when the check digit says so', () => {
    // Line 1 column 5 is the '0' of 010234567; the glyph looked slightly more like 'O'.
    const readings = readingsOf('TD1', td1, { '0:5': { O: 0.86, '0': 0.84 } });
    expect(readings[0]![5]![0]!.char).toBe('O');
    expect(correctWithCheckDigits('TD1', readings)).toEqual({ lines: td1, corrected: 1 });
  });

  it('repairs a misread check digit itself and a TD3 composite digit', () => {
    // Passport number check digit (line 2 column 10) is '5', the composite (column 44) is '4'.
    expect([td3[1]![9], td3[1]![43]]).toEqual(['5', '4']);
    const readings = readingsOf('TD3', td3, {
      '1:9': { '5': 0.8, '3': 0.84 },
      '1:43': { '4': 0.8, '9': 0.83 },
    });
    expect(correctWithCheckDigits('TD3', readings)).toEqual({ lines: td3, corrected: 2 });
  });

  it('refuses when two different repairs are about equally likely', () => {
    // Birth date 880314, check digit 8. The first digit looked like a 9 (9803148 fails: +7); putting the
    // 8 back and changing the check digit to 5 are repairs of the same cost.
    expect(td1[1]!.slice(0, 7)).toBe('8803148');
    const readings = readingsOf('TD1', td1, { '1:0': { '9': 0.9, '8': 0.88 }, '1:6': { '5': 0.88 } });
    expect(correctWithCheckDigits('TD1', readings)).toEqual({ reason: 'ambiguous', group: 'birthDate' });
    // With the check digit clearly printed, the repair is unique.
    const clear = readingsOf('TD1', td1, { '1:0': { '9': 0.9, '8': 0.88 }, '1:6': { '5': 0.6 } });
    expect(correctWithCheckDigits('TD1', clear)).toEqual({ lines: td1, corrected: 1 });
  });

  it('refuses a repair that would need an unlikely glyph', () => {
    const readings = readingsOf('TD1', td1, { '1:6': { '1': 0.95, '8': 0.2 } });
    expect(correctWithCheckDigits('TD1', readings)).toMatchObject({ reason: 'unrepairable' });
  });
});

describe('rivalCosts', () => {
  const min = (costs: number[][]) => Math.min(...costs.flat());

  it('is the score gap of a near-tie in a name, which no check digit covers', () => {
    const readings = readingsOf('TD1', td1, { '2:0': { S: 0.9, Z: 0.88 } });
    const costs = rivalCosts('TD1', readings, td1, 1);
    expect(costs[2]![0]).toBeCloseTo(0.02, 5);
    expect(min(costs)).toBeCloseTo(0.02, 5);
  });

  it('ignores a near-tie that the check digits rule out', () => {
    const readings = readingsOf('TD1', td1, { '1:0': { '8': 0.9, '3': 0.89 } });
    expect(rivalCosts('TD1', readings, td1, 0.3)[1]![0]).toBe(0.3);
  });

  it('finds a near-tie that keeps its check digit (1 and B differ by 10 at weight 3)', () => {
    // Document number 010234567: a '1' read as 'B' (values 1 and 11) leaves its check digit intact.
    const readings = readingsOf('TD1', td1, { '0:6': { '1': 0.9, B: 0.87 } });
    expect(rivalCosts('TD1', readings, td1, 1)[0]![6]).toBeCloseTo(0.03, 5);
  });

  it('finds two misreads that cancel out in the check digit (0 → B at weights 7 and 3)', () => {
    // The specimen: document number 007007007 read as BB7007007 with every check digit valid.
    const lines = [td3[0]!, `007007007${checkDigit('007007007')}${td3[1]!.slice(10)}`];
    const composite = lines[1]!.slice(0, 10) + lines[1]!.slice(13, 20) + lines[1]!.slice(21, 43);
    lines[1] = lines[1]!.slice(0, 43) + checkDigit(composite);
    expect(allChecksHold('TD3', lines)).toBe(true);
    const readings = readingsOf('TD3', lines, { '1:0': { '0': 0.9, B: 0.87 }, '1:1': { '0': 0.9, B: 0.88 } });
    const costs = rivalCosts('TD3', readings, lines, 1);
    expect(costs[1]![0]).toBeCloseTo(0.05, 5);
    expect(costs[1]![1]).toBeCloseTo(0.05, 5);
    // Only one of the two looking like a B: no valid rival through it.
    const one = readingsOf('TD3', lines, { '1:0': { '0': 0.9, B: 0.87 } });
    expect(rivalCosts('TD3', one, lines, 0.5)[1]![0]).toBe(0.5);
  });
});
