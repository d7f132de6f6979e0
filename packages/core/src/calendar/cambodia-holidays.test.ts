/**
 * Sanity of the public-holiday seed table: every year 2025-2027 is present, dates are real ISO dates,
 * sorted and unique, every entry has a Khmer-script and an English name, and the multi-day and lunar
 * holidays that the deadline tests rely on are there.
 */
import { describe, expect, it } from 'vitest';
import { CAMBODIA_PUBLIC_HOLIDAYS, holidaySet } from './cambodia-holidays';

const KHMER = /[\u1780-\u17FF]/;
const dates = CAMBODIA_PUBLIC_HOLIDAYS.map((h) => h.date);
const byDate = new Map(CAMBODIA_PUBLIC_HOLIDAYS.map((h) => [h.date, h]));

describe('CAMBODIA_PUBLIC_HOLIDAYS', () => {
  it.each(['2025', '2026', '2027'])('covers %s', (year) => {
    const inYear = dates.filter((d) => d.startsWith(`${year}-`));
    // 13 fixed days plus 8 lunar days; in 2026 Visak Bochea shares 1 May with Labour Day.
    expect(inYear).toHaveLength(year === '2026' ? 20 : 21);
  });

  it('only holds real ISO dates in 2025-2027', () => {
    for (const date of dates) {
      expect(date).toMatch(/^202[5-7]-\d{2}-\d{2}$/);
      expect(new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(date);
    }
  });

  it('is sorted and has no duplicate dates', () => {
    expect(new Set(dates).size).toBe(dates.length);
    expect([...dates].sort()).toEqual(dates);
  });

  it('names every day in Khmer script and in English', () => {
    for (const holiday of CAMBODIA_PUBLIC_HOLIDAYS) {
      expect(holiday.nameKm.trim()).not.toBe('');
      expect(holiday.nameKm).toMatch(KHMER);
      expect(holiday.nameEn.trim()).not.toBe('');
      expect(holiday.nameEn).toMatch(/^[\x20-\x7E]+$/);
    }
  });

  it('has every fixed holiday in every year', () => {
    const fixed = ['01-01', '01-07', '03-08', '04-14', '04-15', '04-16', '05-01', '05-14', '06-18'];
    for (const year of ['2025', '2026', '2027']) {
      for (const day of [...fixed, '09-24', '10-15', '10-29', '11-09']) {
        expect(byDate.has(`${year}-${day}`), `${year}-${day}`).toBe(true);
      }
    }
  });

  it('has Khmer New Year 2026 on 14-16 April, but not 13 April', () => {
    for (const date of ['2026-04-14', '2026-04-15', '2026-04-16']) {
      expect(byDate.get(date)?.nameEn).toMatch(/^Khmer New Year/);
    }
    expect(byDate.has('2026-04-13')).toBe(false);
  });

  it('has the lunar holidays of the sub-decree dates used for seeding', () => {
    const lunar: Record<string, RegExp> = {
      '2025-05-11': /Visak Bochea/,
      '2025-05-15': /Royal Ploughing/,
      '2025-09-23': /Pchum Ben/,
      '2025-11-06': /Water Festival/,
      '2026-05-01': /Labour Day and Visak Bochea/,
      '2026-05-05': /Royal Ploughing/,
      '2026-10-10': /Pchum Ben/,
      '2026-11-25': /Water Festival/,
      '2027-05-20': /Visak Bochea/,
      '2027-05-24': /Royal Ploughing/,
      '2027-10-01': /Pchum Ben \(day 3\)/,
      '2027-11-12': /Water Festival \(day 1\)/,
    };
    for (const [date, name] of Object.entries(lunar)) expect(byDate.get(date)?.nameEn, date).toMatch(name);
  });
});

describe('holidaySet', () => {
  it('collects the dates of the entries', () => {
    const set = holidaySet(CAMBODIA_PUBLIC_HOLIDAYS);
    expect(set.size).toBe(62);
    expect(set.has('2026-04-15')).toBe(true);
    expect(holidaySet([{ date: '2026-01-01' }, { date: '2026-01-01' }])).toEqual(new Set(['2026-01-01']));
  });
});
