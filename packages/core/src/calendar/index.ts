/**
 * Public surface of the working-hours calendar used for registration review deadlines, so callers
 * import one module instead of reaching into the individual files.
 */
export * from './cambodia-holidays';
export { checkHolidayDates, checkUtcOffset, checkWorkingDays, parseTimeOfDay } from './working-config';
export * from './working-hours';
