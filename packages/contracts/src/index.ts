export * from './errors';
export * from './registration';
