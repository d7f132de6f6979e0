/**
 * Custom working calendars (other hours, days and UTC offsets) and calendars that cannot work: a
 * calendar without any working time must fail with a clear RangeError instead of looping forever.
 */
import { describe, expect, it } from 'vitest';
import { CAMBODIA_PUBLIC_HOLIDAYS, holidaySet } from './cambodia-holidays';
import type { WorkingCalendar } from './working-hours';
import {
  addWorkingTime,
  defaultCambodianCalendar,
  isWorkingInstant,
  MAX_SEARCH_DAYS,
  nextWorkingStart,
  validateWorkingCalendar,
  workingTimeBetween,
} from './working-hours';

const pp = (local: string): Date => new Date(`${local}:00+07:00`);
const H = 3_600_000;
const base = defaultCambodianCalendar();
const withChanges = (changes: Partial<WorkingCalendar>): WorkingCalendar => ({ ...base, ...changes });

describe('custom working calendars', () => {
  const sixDays = withChanges({
    workingDays: [1, 2, 3, 4, 5, 6],
    periods: [
      { start: '07:30', end: '11:30' },
      { start: '13:30', end: '16:30' },
    ],
  });

  it('counts Saturdays and the custom hours', () => {
    expect(addWorkingTime(pp('2026-02-06T16:00'), 2 * H, sixDays)).toEqual(pp('2026-02-07T09:00'));
    expect(addWorkingTime(pp('2026-02-07T16:00'), 1 * H, sixDays)).toEqual(pp('2026-02-09T08:00'));
    expect(workingTimeBetween(pp('2026-02-09T00:00'), pp('2026-02-16T00:00'), sixDays)).toBe(42 * H);
  });

  it('a 24/7 calendar is plain time arithmetic', () => {
    const always = withChanges({ utcOffsetMinutes: 0, workingDays: [1, 2, 3, 4, 5, 6, 7] });
    const allDay = { ...always, periods: [{ start: '00:00', end: '24:00' }] };
    const start = new Date('2026-02-07T23:30:00Z');
    expect(addWorkingTime(start, 50 * H, allDay)).toEqual(new Date('2026-02-10T01:30:00Z'));
    expect(workingTimeBetween(start, new Date('2026-03-07T23:30:00Z'), allDay)).toBe(28 * 24 * H);
    expect(isWorkingInstant(start, allDay)).toBe(true);
  });

  it('honours other UTC offsets', () => {
    const utc = withChanges({ utcOffsetMinutes: 0 });
    expect(addWorkingTime(new Date('2026-02-09T08:00:00Z'), H, utc)).toEqual(
      new Date('2026-02-09T09:00:00Z'),
    );
    const newYork = withChanges({ utcOffsetMinutes: -300 });
    expect(addWorkingTime(new Date('2026-02-09T13:00:00Z'), 5 * H, newYork)).toEqual(
      new Date('2026-02-09T20:00:00Z'),
    );
    expect(nextWorkingStart(new Date('2026-02-09T03:00:00Z'), newYork)).toEqual(
      new Date('2026-02-09T13:00:00Z'),
    );
  });

  it('accepts adjacent periods', () => {
    const adjacent = withChanges({
      periods: [
        { start: '08:00', end: '12:00' },
        { start: '12:00', end: '16:00' },
      ],
    });
    expect(addWorkingTime(pp('2026-02-09T11:00'), 2 * H, adjacent)).toEqual(pp('2026-02-09T13:00'));
  });
});

describe('calendars without working time', () => {
  const start = pp('2026-02-09T09:00');

  it.each([
    ['no working days', withChanges({ workingDays: [] })],
    ['no periods', withChanges({ periods: [] })],
  ])('%s: every operation throws a RangeError', (_label, cal) => {
    expect(() => addWorkingTime(start, H, cal)).toThrow(/no working time/);
    expect(() => nextWorkingStart(start, cal)).toThrow(/no working time/);
    expect(() => workingTimeBetween(start, pp('2026-03-09T09:00'), cal)).toThrow(RangeError);
    expect(() => isWorkingInstant(start, cal)).toThrow(RangeError);
  });

  it('gives up after three years when every working day is a holiday', () => {
    const mondays = new Set<string>();
    for (
      let t = Date.parse('2026-02-09T00:00:00Z');
      t < Date.parse('2031-01-01T00:00:00Z');
      t += 7 * 24 * H
    ) {
      mondays.add(new Date(t).toISOString().slice(0, 10));
    }
    const cal = withChanges({ workingDays: [1], holidays: mondays });
    expect(() => addWorkingTime(start, H, cal)).toThrow(`no working time within ${MAX_SEARCH_DAYS} days`);
    expect(() => nextWorkingStart(start, cal)).toThrow(RangeError);
    expect(workingTimeBetween(start, pp('2030-01-01T00:00'), cal)).toBe(0);
  });

  it('rejects malformed calendars built without the parsers', () => {
    const unsorted = withChanges({
      periods: [
        { start: '14:00', end: '17:00' },
        { start: '08:00', end: '12:00' },
      ],
    });
    expect(() => addWorkingTime(start, H, unsorted)).toThrow(/invalid working calendar: periods_not_sorted/);
    expect(() => addWorkingTime(start, H, withChanges({ workingDays: [0, 1] }))).toThrow(/day_out_of_range/);
    expect(() => addWorkingTime(start, H, withChanges({ utcOffsetMinutes: 7.5 }))).toThrow(
      /invalid_utc_offset/,
    );
  });
});

describe('validateWorkingCalendar', () => {
  it('accepts the default calendar with the seed holidays', () => {
    const cal = defaultCambodianCalendar(holidaySet(CAMBODIA_PUBLIC_HOLIDAYS));
    expect(validateWorkingCalendar(cal)).toEqual({ ok: true, value: cal });
  });

  it.each([
    [withChanges({ holidays: new Set(['2026-02-30']) }), 'invalid_holiday_date'],
    [withChanges({ holidays: new Set(['14/04/2026']) }), 'invalid_holiday_date'],
    [withChanges({ utcOffsetMinutes: 900 }), 'invalid_utc_offset'],
    [withChanges({ workingDays: [] }), 'no_working_days'],
    [withChanges({ periods: [] }), 'no_periods'],
    [withChanges({ periods: [{ start: '12:00', end: '08:00' }] }), 'start_not_before_end'],
  ])('rejects %o with %s', (cal, reason) => {
    const result = validateWorkingCalendar(cal);
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.detail?.reason).toBe(reason);
  });
});
