/**
 * Administrator API for the public-holiday table (holidays are set each year by sub-decree).
 * Until officer accounts exist it is guarded by the bootstrap ADMIN_TOKEN (constant-time
 * compare); every change is audited with the old and new lists.
 *
 *   GET /api/admin/v1/holidays/:year        the year's holidays
 *   PUT /api/admin/v1/holidays/:year        replace the year's holidays
 */
import { checkHolidayDates } from '@camdigikey/core/calendar/working-config';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAdmin } from '../admin/admin-auth';
import { appendAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { listHolidays } from './review-calendar';

const yearParams = z.object({ year: z.coerce.number().int().min(2000).max(2100) }).strict();
const holidaysBody = z
  .object({
    holidays: z
      .array(
        z
          .object({
            date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
            nameKm: z.string().min(1).max(200),
            nameEn: z.string().min(1).max(200),
          })
          .strict(),
      )
      .max(60),
  })
  .strict();

export function holidayRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get('/api/admin/v1/holidays/:year', { schema: { params: yearParams } }, async (request) => {
    await requireAdmin(request, deps);
    return { year: request.params.year, holidays: await listHolidays(deps.db, request.params.year) };
  });

  app.put(
    '/api/admin/v1/holidays/:year',
    { schema: { params: yearParams, body: holidaysBody } },
    async (request) => {
      const admin = await requireAdmin(request, deps);
      const { year } = request.params;
      const { holidays } = request.body;
      const dates = holidays.map((h) => h.date);
      const valid = checkHolidayDates(dates);
      const inYear = dates.every((d) => d.startsWith(`${year}-`));
      if (!valid.ok || !inYear || new Set(dates).size !== dates.length) {
        throw new AppError('holiday_invalid', {
          details: { reason: !valid.ok ? 'invalid_date' : !inYear ? 'wrong_year' : 'duplicate_date' },
        });
      }
      const before = await listHolidays(deps.db, year);
      const now = deps.clock.now();
      await deps.db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('public_holidays')
          .where('holiday_date', '>=', `${year}-01-01`)
          .where('holiday_date', '<=', `${year}-12-31`)
          .execute();
        if (holidays.length > 0) {
          await trx
            .insertInto('public_holidays')
            .values(
              holidays.map((h) => ({
                holiday_date: h.date,
                name_km: h.nameKm,
                name_en: h.nameEn,
                updated_at: now,
                updated_by: admin,
              })),
            )
            .execute();
        }
        await appendAudit(
          trx,
          {
            actorType: 'admin',
            actorId: admin,
            action: 'calendar.holidays_replaced',
            subjectType: 'holiday_year',
            subjectId: String(year),
            ip: request.ip,
            requestId: request.id,
            details: { before: before.map((h) => h.date), after: dates },
          },
          now,
        );
      });
      return { year, holidays: await listHolidays(deps.db, year) };
    },
  );
}
