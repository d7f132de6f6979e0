/**
 * Working-time arithmetic for review deadlines ("an officer verifies the registration within 8 working
 * hours"). Time only counts inside the configured local periods of working weekdays that are not public
 * holidays. Local time is a fixed UTC offset (Asia/Phnom_Penh is UTC+7 with no DST), so deadlines are
 * reproducible from plain Date arithmetic without a time-zone database. Searches are capped at
 * MAX_SEARCH_DAYS so a calendar without working time fails with a RangeError instead of looping.
 */
import { ok } from '../result';
import type { ConfigResult, WorkingPeriod } from './working-config';
import { checkHolidayDates, checkUtcOffset, checkWorkingDays, periodMinutes } from './working-config';

export type { ConfigResult, WorkingPeriod } from './working-config';
export { parseWorkingDays, parseWorkingPeriods } from './working-config';

export interface WorkingCalendar {
  /** Offset of local time from UTC in minutes; Asia/Phnom_Penh = 420. */
  readonly utcOffsetMinutes: number;
  /** ISO weekdays that are working days, 1 = Monday .. 7 = Sunday. */
  readonly workingDays: readonly number[];
  /** Sorted, non-overlapping local periods of each working day, half-open [start, end). */
  readonly periods: readonly WorkingPeriod[];
  /** Local dates 'YYYY-MM-DD' on which no time counts. */
  readonly holidays: ReadonlySet<string>;
}

export const PHNOM_PENH_UTC_OFFSET_MINUTES = 420;
export const DEFAULT_WORKING_DAYS: readonly number[] = Object.freeze([1, 2, 3, 4, 5]);
export const DEFAULT_WORKING_PERIODS: readonly WorkingPeriod[] = Object.freeze([
  Object.freeze({ start: '08:00', end: '12:00' }),
  Object.freeze({ start: '14:00', end: '17:00' }),
]);
/** How far (in calendar days, three years) a search for working time goes before giving up. */
export const MAX_SEARCH_DAYS = 3 * 366;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The Cambodian civil-service calendar: Mon-Fri, 08:00-12:00 and 14:00-17:00, UTC+7. */
export function defaultCambodianCalendar(holidays: Iterable<string> = []): WorkingCalendar {
  return {
    utcOffsetMinutes: PHNOM_PENH_UTC_OFFSET_MINUTES,
    workingDays: DEFAULT_WORKING_DAYS,
    periods: DEFAULT_WORKING_PERIODS,
    holidays: new Set(holidays),
  };
}

interface Compiled {
  readonly offsetMs: number;
  /** Indexed by ISO weekday 1..7. */
  readonly weekdays: readonly boolean[];
  /** [start, end) in ms since local midnight. */
  readonly periods: readonly (readonly [number, number])[];
  readonly firstStart: number;
  readonly dayTotal: number;
  readonly holidays: ReadonlySet<string>;
}

/** Full check of a calendar (including holiday date format), for use when configuration is loaded. */
export function validateWorkingCalendar(cal: WorkingCalendar): ConfigResult<WorkingCalendar> {
  const checks = [
    checkUtcOffset(cal.utcOffsetMinutes),
    checkWorkingDays(cal.workingDays),
    periodMinutes(cal.periods),
    checkHolidayDates(cal.holidays),
  ];
  for (const check of checks) if (!check.ok) return check;
  return ok(cal);
}

function compile(cal: WorkingCalendar): Compiled {
  const offset = checkUtcOffset(cal.utcOffsetMinutes);
  const days = cal.workingDays.length === 0 ? undefined : checkWorkingDays(cal.workingDays);
  const minutes = cal.periods.length === 0 ? undefined : periodMinutes(cal.periods);
  for (const check of [offset, days, minutes]) {
    if (check !== undefined && !check.ok) {
      throw new RangeError(`invalid working calendar: ${String(check.detail?.reason)}`);
    }
  }
  const weekdays = Array.from({ length: 8 }, (_, i) => cal.workingDays.includes(i));
  const periods = minutes?.ok ? minutes.value.map(([s, e]) => [s * MINUTE_MS, e * MINUTE_MS] as const) : [];
  if (periods.length === 0 || !weekdays.includes(true)) {
    throw new RangeError('working calendar has no working time (no periods or no working days)');
  }
  return {
    offsetMs: cal.utcOffsetMinutes * MINUTE_MS,
    weekdays,
    periods,
    firstStart: periods[0]?.[0] ?? 0,
    dayTotal: periods.reduce((sum, [s, e]) => sum + (e - s), 0),
    holidays: cal.holidays,
  };
}

function instant(d: Date, name: string): number {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new RangeError(`${name} is an invalid Date`);
  return t;
}

function toDate(utcMs: number): Date {
  const d = new Date(utcMs);
  if (Number.isNaN(d.getTime())) throw new RangeError('working-time result is outside the Date range');
  return d;
}

const localDay = (localMs: number): number => Math.floor(localMs / DAY_MS);
/** Day 0 (1970-01-01) was a Thursday, ISO weekday 4. */
const isoWeekday = (day: number): number => ((((day + 3) % 7) + 7) % 7) + 1;
const isoDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const isWorkingDay = (c: Compiled, day: number): boolean =>
  c.weekdays[isoWeekday(day)] === true && !c.holidays.has(isoDate(day));

/** True when working time is running at `d` (inside a period of a working, non-holiday day). */
export function isWorkingInstant(d: Date, cal: WorkingCalendar): boolean {
  const c = compile(cal);
  const local = instant(d, 'd') + c.offsetMs;
  const day = localDay(local);
  if (!isWorkingDay(c, day)) return false;
  const timeOfDay = local - day * DAY_MS;
  return c.periods.some(([s, e]) => s <= timeOfDay && timeOfDay < e);
}

/** The first working instant at or after `d`: `d` itself when working time is running. */
export function nextWorkingStart(d: Date, cal: WorkingCalendar): Date {
  const c = compile(cal);
  const local = instant(d, 'd') + c.offsetMs;
  const first = localDay(local);
  for (let day = first; day - first <= MAX_SEARCH_DAYS; day++) {
    if (!isWorkingDay(c, day)) continue;
    const base = day * DAY_MS;
    for (const [s, e] of c.periods) {
      if (local < base + e) return toDate(Math.max(local, base + s) - c.offsetMs);
    }
  }
  throw new RangeError(
    `working calendar has no working time within ${MAX_SEARCH_DAYS} days after ${d.toISOString()}`,
  );
}

/**
 * The earliest instant at which `ms` of working time have elapsed since `start`. Time before the first
 * working period is not counted; a budget that runs out exactly at the end of a period answers that end
 * (12:00, 17:00), not the next period's start. `ms = 0` answers `start`. `ms` is rounded to whole ms.
 */
export function addWorkingTime(start: Date, ms: number, cal: WorkingCalendar): Date {
  const t0 = instant(start, 'start');
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`working-time budget must be >= 0, got ${ms}`);
  const budget = Math.round(ms);
  if (budget === 0) return new Date(t0);
  const c = compile(cal);
  let cursor = t0 + c.offsetMs;
  let remaining = budget;
  const first = localDay(cursor);
  for (let day = first; day - first <= MAX_SEARCH_DAYS; day++) {
    if (!isWorkingDay(c, day)) continue;
    const base = day * DAY_MS;
    if (cursor <= base + c.firstStart && remaining > c.dayTotal) {
      remaining -= c.dayTotal;
      continue;
    }
    for (const [s, e] of c.periods) {
      const end = base + e;
      if (cursor >= end) continue;
      const from = Math.max(cursor, base + s);
      if (remaining <= end - from) return toDate(from + remaining - c.offsetMs);
      remaining -= end - from;
      cursor = end;
    }
  }
  throw new RangeError(
    remaining === budget
      ? `working calendar has no working time within ${MAX_SEARCH_DAYS} days after ${start.toISOString()}`
      : `working-time budget of ${budget} ms does not fit within ${MAX_SEARCH_DAYS} days after ${start.toISOString()}`,
  );
}

/** Working ms in [a, b); 0 when b <= a. Inverse of addWorkingTime: between(a, add(a, x)) === x. */
export function workingTimeBetween(a: Date, b: Date, cal: WorkingCalendar): number {
  const ta = instant(a, 'a');
  const tb = instant(b, 'b');
  if (tb <= ta) return 0;
  const c = compile(cal);
  const la = ta + c.offsetMs;
  const lb = tb + c.offsetMs;
  const first = localDay(la);
  const last = localDay(lb);
  let total = 0;
  for (let day = first; day <= last; day++) {
    if (!isWorkingDay(c, day)) continue;
    const base = day * DAY_MS;
    if (day > first && day < last) {
      total += c.dayTotal;
      continue;
    }
    for (const [s, e] of c.periods) {
      const from = Math.max(la, base + s);
      const to = Math.min(lb, base + e);
      if (to > from) total += to - from;
    }
  }
  return total;
}
