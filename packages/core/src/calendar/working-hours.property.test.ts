/**
 * Property tests of working-time arithmetic: for random starts in 2025-2027 and budgets up to 100 h
 * a deadline is a working instant or the end of a period, it is the earliest instant with the full
 * budget elapsed, and workingTimeBetween inverts addWorkingTime, on the Cambodian and random calendars.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAMBODIA_PUBLIC_HOLIDAYS, holidaySet } from './cambodia-holidays';
import type { WorkingCalendar } from './working-hours';
import {
  addWorkingTime,
  defaultCambodianCalendar,
  isWorkingInstant,
  workingTimeBetween,
} from './working-hours';

const H = 3_600_000;
const holidays = holidaySet(CAMBODIA_PUBLIC_HOLIDAYS);
const cambodia = defaultCambodianCalendar(holidays);

const starts = fc.date({
  min: new Date('2025-01-01T00:00:00+07:00'),
  max: new Date('2027-12-31T23:59:59.999+07:00'),
  noInvalidDate: true,
});
const budgets = fc.integer({ min: 1, max: 100 * H });

const hhmm = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Random calendars: 1-4 sorted, non-overlapping periods, 1-7 working days, offsets from UTC-12 to UTC+14. */
const calendars = fc
  .record({
    bounds: fc.uniqueArray(fc.integer({ min: 0, max: 24 * 60 }), { minLength: 2, maxLength: 8 }),
    workingDays: fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }),
    utcOffsetMinutes: fc.integer({ min: -12 * 60, max: 14 * 60 }),
  })
  .map(({ bounds, workingDays, utcOffsetMinutes }) => {
    const sorted = [...bounds].sort((a, b) => a - b);
    const periods = [];
    let dailyMinutes = 0;
    for (let i = 0; i + 1 < sorted.length; i += 2) {
      const [start, end] = [sorted[i] ?? 0, sorted[i + 1] ?? 0];
      periods.push({ start: hhmm(start), end: hhmm(end) });
      dailyMinutes += end - start;
    }
    const cal: WorkingCalendar = { utcOffsetMinutes, workingDays, periods, holidays };
    return { cal, weeklyMs: dailyMinutes * workingDays.length * 60_000 };
  });

function checkDeadline(start: Date, budget: number, cal: WorkingCalendar): void {
  const end = addWorkingTime(start, budget, cal);
  expect(end.getTime()).toBeGreaterThan(start.getTime());
  const periodEnd = !isWorkingInstant(end, cal) && isWorkingInstant(new Date(end.getTime() - 1), cal);
  expect(isWorkingInstant(end, cal) || periodEnd).toBe(true);
  expect(workingTimeBetween(start, end, cal)).toBe(budget);
  expect(workingTimeBetween(start, new Date(end.getTime() - 1), cal)).toBe(budget - 1);
}

describe('working-time properties', () => {
  it('Cambodian calendar: deadline is a working instant or a period end, and round-trips', () => {
    fc.assert(
      fc.property(starts, budgets, (start, budget) => checkDeadline(start, budget, cambodia)),
      { numRuns: 1000 },
    );
  });

  it('random calendars: the same properties hold', () => {
    fc.assert(
      // Sparse calendars get at most 100 weeks' worth of working time, to stay inside the 3-year search.
      fc.property(calendars, starts, budgets, ({ cal, weeklyMs }, start, raw) =>
        checkDeadline(start, 1 + (raw % Math.min(100 * H, 100 * weeklyMs)), cal),
      ),
      { numRuns: 500 },
    );
  });

  it('budgets compose: add(add(a, x), y) = add(a, x + y)', () => {
    fc.assert(
      fc.property(starts, fc.nat(50 * H), fc.nat(50 * H), (start, x, y) => {
        const stepwise = addWorkingTime(addWorkingTime(start, x, cambodia), y, cambodia);
        expect(stepwise).toEqual(addWorkingTime(start, x + y, cambodia));
      }),
      { numRuns: 500 },
    );
  });

  it('working time is additive over adjacent intervals', () => {
    fc.assert(
      fc.property(starts, starts, starts, (p, q, r) => {
        const [a, b, c] = [p, q, r].sort((x, y) => x.getTime() - y.getTime()) as [Date, Date, Date];
        const whole = workingTimeBetween(a, c, cambodia);
        expect(whole).toBe(workingTimeBetween(a, b, cambodia) + workingTimeBetween(b, c, cambodia));
      }),
      { numRuns: 300 },
    );
  });
});
