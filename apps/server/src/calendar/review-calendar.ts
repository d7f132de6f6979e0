/**
 * The review deadline: REVIEW_WORKING_HOURS working hours after submission on the Cambodian
 * working calendar (working days and periods from configuration, public holidays from the
 * `public_holidays` table that administrators edit).
 */
import { addWorkingTime, type WorkingCalendar } from '@camdigikey/core/calendar/working-hours';
import type { Database } from '@camdigikey/db';
import type { Kysely } from 'kysely';
import type { Config } from '../config/load';

export interface Holiday {
  date: string;
  nameKm: string;
  nameEn: string;
}

export async function listHolidays(db: Kysely<Database>, year?: number): Promise<Holiday[]> {
  let query = db
    .selectFrom('public_holidays')
    .select(['holiday_date', 'name_km', 'name_en'])
    .orderBy('holiday_date');
  if (year !== undefined)
    query = query.where('holiday_date', '>=', `${year}-01-01`).where('holiday_date', '<=', `${year}-12-31`);
  const rows = await query.execute();
  return rows.map((r) => ({ date: r.holiday_date, nameKm: r.name_km, nameEn: r.name_en }));
}

export async function workingCalendar(
  db: Kysely<Database>,
  review: Config['review'],
): Promise<WorkingCalendar> {
  const holidays = await listHolidays(db);
  return {
    utcOffsetMinutes: review.utcOffsetMinutes,
    workingDays: review.workingDays,
    periods: review.periods,
    holidays: new Set(holidays.map((h) => h.date)),
  };
}

export async function reviewDeadline(
  db: Kysely<Database>,
  review: Config['review'],
  submittedAt: Date,
): Promise<Date> {
  return addWorkingTime(submittedAt, review.workingHours * 3_600_000, await workingCalendar(db, review));
}
