/**
 * @camdigikey/demo-rp: a small ministry portal that logs in with CamDigiKey (OpenID Connect),
 * used for demos (`src/main.ts`) and by the browser end-to-end tests.
 */
export { createDemoRp, type DemoRp, type DemoRpOptions } from './app';
export type { Citizen } from './html';
export type { Bilingual, Lang } from './i18n';
