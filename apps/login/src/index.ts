export * from './assets';
export * from './html';
export * from './pages';
