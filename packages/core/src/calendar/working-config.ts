/**
 * Parsing and validation of working-hours configuration ("08:00-12:00,14:00-17:00", "1-5").
 *
 * Enforces that periods are valid local 'HH:MM' times (end may be '24:00'), each start is before its
 * end, and periods are sorted and non-overlapping; that working days are ISO weekdays 1..7 without
 * duplicates; that UTC offsets are whole minutes within +-14 h and holidays are real 'YYYY-MM-DD'
 * dates. A bad setting must fail at configuration time, not silently skew review deadlines.
 */
import type { Result } from '../result';
import { err, ok } from '../result';

/** One working period of a day, in local wall-clock time, half-open: [start, end). */
export interface WorkingPeriod {
  readonly start: string;
  readonly end: string;
}

export type ConfigResult<T> = Result<T, 'config_invalid'>;

const TIME = /^(\d{2}):(\d{2})$/;
const DAY = /^([1-7])$/;
const DAY_RANGE = /^([1-7])\s*-\s*([1-7])$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const invalid = (reason: string, value?: string) =>
  err('config_invalid', value === undefined ? { reason } : { reason, value });

/** Minutes since local midnight for 'HH:MM' (00:00..23:59, plus 24:00 when `allowMidnightEnd`). */
export function parseTimeOfDay(text: string, allowMidnightEnd = false): number | undefined {
  const m = TIME.exec(text);
  if (m === null) return undefined;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  if (hours === 24 && minutes === 0 && allowMidnightEnd) return 24 * 60;
  if (hours > 23 || minutes > 59) return undefined;
  return hours * 60 + minutes;
}

/** Checks a list of periods and returns them as [startMinute, endMinute) pairs. */
export function periodMinutes(
  periods: readonly WorkingPeriod[],
): ConfigResult<readonly (readonly [number, number])[]> {
  if (periods.length === 0) return invalid('no_periods');
  const out: (readonly [number, number])[] = [];
  let previous: readonly [number, number] | undefined;
  for (const period of periods) {
    const start = parseTimeOfDay(period.start);
    const end = parseTimeOfDay(period.end, true);
    const label = `${period.start}-${period.end}`;
    if (start === undefined || end === undefined) return invalid('invalid_time', label);
    if (start >= end) return invalid('start_not_before_end', label);
    if (previous !== undefined) {
      if (start < previous[0]) return invalid('periods_not_sorted', label);
      if (start < previous[1]) return invalid('periods_overlap', label);
    }
    previous = [start, end];
    out.push(previous);
  }
  return ok(out);
}

/** Parses `"08:00-12:00,14:00-17:00"` (spaces around separators are tolerated). */
export function parseWorkingPeriods(spec: string): ConfigResult<readonly WorkingPeriod[]> {
  if (spec.trim() === '') return invalid('empty');
  const periods: WorkingPeriod[] = [];
  for (const rawPart of spec.split(',')) {
    const part = rawPart.trim();
    const bounds = part.split('-');
    const start = bounds[0]?.trim();
    const end = bounds[1]?.trim();
    if (bounds.length !== 2 || start === undefined || end === undefined) {
      return invalid('malformed_period', part);
    }
    periods.push({ start, end });
  }
  const checked = periodMinutes(periods);
  return checked.ok ? ok(periods) : checked;
}

/** Checks ISO weekdays (integers 1..7, no duplicates) and returns them sorted. */
export function checkWorkingDays(days: readonly number[]): ConfigResult<readonly number[]> {
  if (days.length === 0) return invalid('no_working_days');
  const seen = new Set<number>();
  for (const day of days) {
    if (!Number.isInteger(day) || day < 1 || day > 7) return invalid('day_out_of_range', String(day));
    if (seen.has(day)) return invalid('duplicate_day', String(day));
    seen.add(day);
  }
  return ok([...seen].sort((a, b) => a - b));
}

/** Parses `"1-5"`, `"1,2,3,4,6"` or a mix such as `"1-3,5"` (ISO weekdays, 1 = Monday). */
export function parseWorkingDays(spec: string): ConfigResult<readonly number[]> {
  if (spec.trim() === '') return invalid('empty');
  const days: number[] = [];
  for (const rawPart of spec.split(',')) {
    const part = rawPart.trim();
    const single = DAY.exec(part);
    const range = DAY_RANGE.exec(part);
    if (single !== null) {
      days.push(Number(single[1]));
    } else if (range !== null) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (from > to) return invalid('range_reversed', part);
      for (let day = from; day <= to; day++) days.push(day);
    } else {
      return invalid('malformed_days', part);
    }
  }
  return checkWorkingDays(days);
}

/** A whole number of minutes east of UTC, within the real-world range UTC-14..UTC+14. */
export function checkUtcOffset(minutes: number): ConfigResult<number> {
  return Number.isInteger(minutes) && Math.abs(minutes) <= 14 * 60
    ? ok(minutes)
    : invalid('invalid_utc_offset', String(minutes));
}

/** Every holiday must be a real calendar date written 'YYYY-MM-DD', or it would never match. */
export function checkHolidayDates(dates: Iterable<string>): ConfigResult<true> {
  for (const date of dates) {
    if (!ISO_DATE.test(date) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
      return invalid('invalid_holiday_date', date);
    }
  }
  return ok(true);
}
