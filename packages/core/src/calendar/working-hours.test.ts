/**
 * Pins exact review deadlines on the Cambodian working calendar (Mon-Fri 08:00-12:00, 14:00-17:00,
 * UTC+7, public holidays from the seed table): lunch, evenings, weekends, period boundaries and holidays.
 * Expected instants are written in Phnom Penh local time so they can be checked by hand.
 */
import { describe, expect, it } from 'vitest';
import { CAMBODIA_PUBLIC_HOLIDAYS, holidaySet } from './cambodia-holidays';
import {
  addWorkingTime,
  defaultCambodianCalendar,
  isWorkingInstant,
  nextWorkingStart,
  workingTimeBetween,
} from './working-hours';

/** 'YYYY-MM-DDTHH:MM' (or with ':SS.mmm') in Phnom Penh local time (UTC+7) → Date. */
const pp = (local: string): Date => new Date(`${local}${local.length === 16 ? ':00' : ''}+07:00`);
const H = 3_600_000;
const M = 60_000;
const cal = defaultCambodianCalendar(holidaySet(CAMBODIA_PUBLIC_HOLIDAYS));
const add = (start: string, ms: number) => addWorkingTime(pp(start), ms, cal);

describe('addWorkingTime on the default Cambodian calendar', () => {
  it('stays inside one period', () => {
    expect(add('2026-02-09T08:30', 2 * H)).toEqual(pp('2026-02-09T10:30'));
  });

  it('skips the lunch break', () => {
    expect(add('2026-02-09T10:00', 3 * H)).toEqual(pp('2026-02-09T15:00'));
  });

  it('skips the evening and night', () => {
    expect(add('2026-02-10T16:00', 2 * H)).toEqual(pp('2026-02-11T09:00'));
  });

  it('a working day holds 7 hours: 8 h from Mon 08:00 is Tue 09:00', () => {
    expect(add('2026-02-09T08:00', 7 * H)).toEqual(pp('2026-02-09T17:00'));
    expect(add('2026-02-09T08:00', 8 * H)).toEqual(pp('2026-02-10T09:00'));
  });

  it('skips a weekend: Friday 15:00 + 8 h is Monday 16:00', () => {
    expect(add('2026-02-06T15:00', 8 * H)).toEqual(pp('2026-02-09T16:00'));
  });

  it('starting on a Saturday night counts from Monday 08:00', () => {
    expect(add('2026-02-07T22:00', 1 * H)).toEqual(pp('2026-02-09T09:00'));
    expect(add('2026-02-07T22:00', 8 * H)).toEqual(pp('2026-02-10T09:00'));
  });

  it('starting in the lunch break counts from 14:00', () => {
    expect(add('2026-02-09T12:30', 1 * H)).toEqual(pp('2026-02-09T15:00'));
    expect(add('2026-02-09T12:30', 4 * H)).toEqual(pp('2026-02-10T09:00'));
  });

  it.each([
    ['2026-02-09T08:00', 4 * H, '2026-02-09T12:00'],
    ['2026-02-09T11:59', 1 * M, '2026-02-09T12:00'],
    ['2026-02-09T12:00', 1 * H, '2026-02-09T15:00'],
    ['2026-02-09T14:00', 3 * H, '2026-02-09T17:00'],
    ['2026-02-09T17:00', 1 * H, '2026-02-10T09:00'],
    ['2026-02-09T07:59', 1 * M, '2026-02-09T08:01'],
    ['2026-02-09T08:00', 1, '2026-02-09T08:00:00.001'],
    ['2026-02-06T17:00', 7 * H, '2026-02-09T17:00'],
  ])('at period boundaries: %s + %d ms = %s', (start, ms, expected) => {
    expect(add(start, ms)).toEqual(pp(expected));
  });

  it('skips Khmer New Year 2026 (14-16 Apr) but not Monday 13 Apr', () => {
    // Fri 16:00-17:00 gives 1 h, Mon 13 Apr gives the other 7 h and ends exactly at 17:00.
    expect(add('2026-04-10T16:00', 8 * H)).toEqual(pp('2026-04-13T17:00'));
    expect(add('2026-04-10T16:00', 9 * H)).toEqual(pp('2026-04-17T09:00'));
    expect(add('2026-04-13T10:00', 8 * H)).toEqual(pp('2026-04-17T11:00'));
    // Without the holiday table the same deadline lands on Tuesday 14 April.
    expect(addWorkingTime(pp('2026-04-10T16:00'), 9 * H, defaultCambodianCalendar())).toEqual(
      pp('2026-04-14T09:00'),
    );
  });

  it('skips weekday holidays: Independence Day, Victory Day, Water Festival 2026', () => {
    expect(add('2026-11-06T16:00', 2 * H)).toEqual(pp('2026-11-10T09:00'));
    expect(add('2026-01-06T16:00', 2 * H)).toEqual(pp('2026-01-08T09:00'));
    expect(add('2026-11-20T15:00', 8 * H)).toEqual(pp('2026-11-26T16:00'));
  });

  it('a zero budget answers the start itself; fractional budgets round to whole ms', () => {
    expect(add('2026-02-07T22:00', 0)).toEqual(pp('2026-02-07T22:00'));
    expect(add('2026-02-09T09:00', 1.6)).toEqual(pp('2026-02-09T09:00:00.002'));
  });

  it('handles long spans and refuses budgets beyond the three-year search', () => {
    const start = pp('2025-01-01T00:00');
    const end = addWorkingTime(start, 1708 * H, cal);
    expect(end).toEqual(pp('2025-12-31T17:00'));
    expect(workingTimeBetween(start, end, cal)).toBe(1708 * H);
    expect(() => addWorkingTime(start, 10_000 * H, cal)).toThrow(/does not fit within/);
  });

  it('rejects invalid input with a RangeError', () => {
    expect(() => add('2026-02-09T09:00', -1)).toThrow(RangeError);
    expect(() => add('2026-02-09T09:00', Number.NaN)).toThrow(RangeError);
    expect(() => addWorkingTime(new Date(Number.NaN), H, cal)).toThrow(RangeError);
  });
});

describe('workingTimeBetween', () => {
  it('is 0 for empty or reversed intervals and for non-working stretches', () => {
    expect(workingTimeBetween(pp('2026-02-09T10:00'), pp('2026-02-09T10:00'), cal)).toBe(0);
    expect(workingTimeBetween(pp('2026-02-09T11:00'), pp('2026-02-09T10:00'), cal)).toBe(0);
    expect(workingTimeBetween(pp('2026-02-06T17:00'), pp('2026-02-09T08:00'), cal)).toBe(0);
    expect(workingTimeBetween(pp('2026-02-09T12:00'), pp('2026-02-09T14:00'), cal)).toBe(0);
  });

  it('counts partial periods, whole days and weeks', () => {
    expect(workingTimeBetween(pp('2026-02-09T08:00'), pp('2026-02-10T09:00'), cal)).toBe(8 * H);
    expect(workingTimeBetween(pp('2026-02-09T11:30'), pp('2026-02-09T14:15'), cal)).toBe(45 * M);
    expect(workingTimeBetween(pp('2026-02-09T00:00'), pp('2026-02-16T00:00'), cal)).toBe(35 * H);
    expect(workingTimeBetween(pp('2026-04-13T00:00'), pp('2026-04-20T00:00'), cal)).toBe(14 * H);
  });

  it('counts a whole year: 261 weekdays minus 17 weekday holidays in 2026', () => {
    expect(workingTimeBetween(pp('2026-01-01T00:00'), pp('2027-01-01T00:00'), cal)).toBe(244 * 7 * H);
    const noHolidays = defaultCambodianCalendar();
    expect(workingTimeBetween(pp('2026-01-01T00:00'), pp('2027-01-01T00:00'), noHolidays)).toBe(261 * 7 * H);
  });

  const starts = [
    '2026-02-09T08:00',
    '2026-02-09T11:59',
    '2026-02-09T12:00',
    '2026-02-09T12:30',
    '2026-02-09T16:59',
    '2026-02-09T17:00',
    '2026-02-07T22:00',
    '2026-04-10T16:00',
    '2026-04-14T09:00',
    '2025-12-31T16:00',
    '2026-11-06T15:45',
  ];
  const budgets = [1, M, H, 3 * H, 4 * H, 7 * H, 8 * H, 40 * H, 100 * H, 12_345_678];
  it.each(starts.flatMap((s) => budgets.map((b) => [s, b] as const)))(
    'is the inverse of addWorkingTime from %s with %d ms',
    (start, budget) => {
      const a = pp(start);
      expect(workingTimeBetween(a, addWorkingTime(a, budget, cal), cal)).toBe(budget);
    },
  );
});

describe('isWorkingInstant and nextWorkingStart', () => {
  it.each([
    ['2026-02-09T08:00', true],
    ['2026-02-09T07:59:59.999', false],
    ['2026-02-09T11:59', true],
    ['2026-02-09T12:00', false],
    ['2026-02-09T14:00', true],
    ['2026-02-09T17:00', false],
    ['2026-02-07T10:00', false],
    ['2026-04-14T10:00', false],
  ])('%s is working time: %s', (local, expected) => {
    expect(isWorkingInstant(pp(local), cal)).toBe(expected);
  });

  it.each([
    ['2026-02-09T09:15', '2026-02-09T09:15'],
    ['2026-02-09T12:30', '2026-02-09T14:00'],
    ['2026-02-06T17:00', '2026-02-09T08:00'],
    ['2026-02-07T22:00', '2026-02-09T08:00'],
    ['2026-04-10T17:00', '2026-04-13T08:00'],
    ['2026-04-13T17:30', '2026-04-17T08:00'],
  ])('the next working start after %s is %s', (local, expected) => {
    expect(nextWorkingStart(pp(local), cal)).toEqual(pp(expected));
  });
});
