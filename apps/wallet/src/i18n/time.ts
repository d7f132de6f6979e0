/**
 * Dates and times as the citizen reads them: Phnom Penh time (UTC+7 all year, no daylight
 * saving), month names from the app's catalogue, Khmer digits in Khmer. Pure functions: the
 * translation function comes from the caller.
 */
import { localDigits } from './digits';

const PHNOM_PENH_OFFSET_MS = 7 * 3_600_000;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export const isIsoDateTime = (value: string) => ISO_DATE_TIME.test(value);

export type Translate = (key: string, params?: Record<string, string | number>) => string;

const pad = (n: number) => String(n).padStart(2, '0');

/** The calendar fields of an instant in Phnom Penh. */
export function phnomPenhParts(iso: string) {
  const d = new Date(new Date(iso).getTime() + PHNOM_PENH_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
  };
}

/** "5 November 2025, 14:30" / "៥ វិច្ឆិកា ២០២៥ ម៉ោង ១៤:៣០". */
export function formatDateTime(iso: string, lang: 'km' | 'en', t: Translate): string {
  if (Number.isNaN(new Date(iso).getTime())) return iso;
  const p = phnomPenhParts(iso);
  return t('time.date_time', {
    day: localDigits(p.day, lang),
    month: t(`month.${p.month}`),
    year: localDigits(p.year, lang),
    time: localDigits(p.time, lang),
  });
}

/** A calendar date (YYYY-MM-DD, no time zone): "5 November 2025". */
export function formatDate(value: string, lang: 'km' | 'en', t: Translate): string {
  if (!ISO_DATE.test(value)) return value;
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  if (month < 1 || month > 12) return value;
  return t('time.date', {
    day: localDigits(day, lang),
    month: t(`month.${month}`),
    year: localDigits(year, lang),
  });
}

/** "4:05" for a countdown of seconds (minutes:seconds). */
export function formatCountdown(seconds: number, lang: 'km' | 'en'): string {
  const s = Math.max(0, Math.ceil(seconds));
  return localDigits(`${Math.floor(s / 60)}:${pad(s % 60)}`, lang);
}
