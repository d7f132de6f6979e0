/**
 * Parsing of the working-hours settings: well-formed specs are accepted and normalised, and every
 * malformed spec is refused with `config_invalid` and a reason, never silently accepted.
 */
import { describe, expect, it } from 'vitest';
import { parseTimeOfDay, parseWorkingDays, parseWorkingPeriods } from './working-config';

const reasonOf = (result: { ok: boolean; detail?: Readonly<Record<string, unknown>> }) =>
  result.ok ? undefined : result.detail?.reason;

describe('parseWorkingPeriods', () => {
  it('parses the default Cambodian hours', () => {
    expect(parseWorkingPeriods('08:00-12:00,14:00-17:00')).toEqual({
      ok: true,
      value: [
        { start: '08:00', end: '12:00' },
        { start: '14:00', end: '17:00' },
      ],
    });
  });

  it('tolerates spaces, a single period, adjacent periods and a 24:00 end', () => {
    expect(parseWorkingPeriods(' 07:30 - 11:30 , 13:30-16:30 ')).toEqual({
      ok: true,
      value: [
        { start: '07:30', end: '11:30' },
        { start: '13:30', end: '16:30' },
      ],
    });
    expect(parseWorkingPeriods('09:00-18:00').ok).toBe(true);
    expect(parseWorkingPeriods('08:00-12:00,12:00-16:00').ok).toBe(true);
    expect(parseWorkingPeriods('00:00-24:00').ok).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['08:00', 'malformed_period'],
    ['08:00-12:00-14:00', 'malformed_period'],
    ['08:00-12:00,', 'malformed_period'],
    ['08:00-12:00;14:00-17:00', 'malformed_period'],
    ['8:00-12:00', 'invalid_time'],
    ['08:00-12:60', 'invalid_time'],
    ['25:00-26:00', 'invalid_time'],
    ['24:00-24:00', 'invalid_time'],
    ['08h00-12h00', 'invalid_time'],
    ['12:00-08:00', 'start_not_before_end'],
    ['08:00-08:00', 'start_not_before_end'],
    ['14:00-17:00,08:00-12:00', 'periods_not_sorted'],
    ['08:00-12:00,11:00-17:00', 'periods_overlap'],
  ])('refuses %j (%s)', (spec, reason) => {
    const result = parseWorkingPeriods(spec);
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.code).toBe('config_invalid');
    expect(reasonOf(result)).toBe(reason);
  });
});

describe('parseWorkingDays', () => {
  it.each([
    ['1-5', [1, 2, 3, 4, 5]],
    ['1,2,3,4,6', [1, 2, 3, 4, 6]],
    ['1-3, 5', [1, 2, 3, 5]],
    ['6,1-5', [1, 2, 3, 4, 5, 6]],
    ['7', [7]],
    ['1-7', [1, 2, 3, 4, 5, 6, 7]],
  ])('parses %j', (spec, days) => {
    expect(parseWorkingDays(spec)).toEqual({ ok: true, value: days });
  });

  it.each([
    ['', 'empty'],
    ['0-4', 'malformed_days'],
    ['1-8', 'malformed_days'],
    ['Mon-Fri', 'malformed_days'],
    ['1,,2', 'malformed_days'],
    ['1.5', 'malformed_days'],
    ['5-1', 'range_reversed'],
    ['1-5,3', 'duplicate_day'],
    ['1,1', 'duplicate_day'],
  ])('refuses %j (%s)', (spec, reason) => {
    const result = parseWorkingDays(spec);
    expect(result.ok).toBe(false);
    expect(reasonOf(result)).toBe(reason);
  });
});

describe('parseTimeOfDay', () => {
  it('reads minutes since midnight and only allows 24:00 as an end', () => {
    expect(parseTimeOfDay('00:00')).toBe(0);
    expect(parseTimeOfDay('17:45')).toBe(17 * 60 + 45);
    expect(parseTimeOfDay('24:00')).toBeUndefined();
    expect(parseTimeOfDay('24:00', true)).toBe(24 * 60);
    expect(parseTimeOfDay('24:01', true)).toBeUndefined();
    expect(parseTimeOfDay('1:00')).toBeUndefined();
  });
});
