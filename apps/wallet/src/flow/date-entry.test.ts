import { describe, expect, it } from 'vitest';
import { dateText, dateValue, isCompleteDate } from './date-entry';

describe('date entry (day/month/year, Khmer digits in Khmer)', () => {
  it('shows an ISO date as day/month/year in the language digits', () => {
    expect(dateText('2020-03-15', 'en')).toBe('15/03/2020');
    expect(dateText('2020-03-15', 'km')).toBe('១៥/០៣/២០២០');
    expect(dateText('15/0', 'km')).toBe('១៥/០');
  });

  it('reads Khmer or Western digits typed with or without separators', () => {
    expect(dateValue('១៥០៣២០២០')).toBe('2020-03-15');
    expect(dateValue('15/03/2020')).toBe('2020-03-15');
    expect(dateValue('15.03.2020')).toBe('2020-03-15');
    expect(dateValue('2020-03-15')).toBe('2020-03-15');
    expect(dateValue('1503')).toBe('15/03');
    expect(dateValue('15/03/')).toBe('15/03');
    expect(dateValue('150320201')).toBe('2020-03-15');
  });

  it('knows a real date from a typed one that cannot be', () => {
    expect(isCompleteDate('2020-02-29')).toBe(true);
    expect(isCompleteDate('2021-02-29')).toBe(false);
    expect(isCompleteDate('15/03')).toBe(false);
  });
});
