export * from './errors';
export * from './registration';
export * from './signing';
