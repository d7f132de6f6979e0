export * from './connect';
export * from './migrate';
export type * from './schema';
export { LIVE_ACCOUNT_STATUSES } from './schema';
