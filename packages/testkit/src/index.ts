// Public entry point of @camdigikey/testkit: synthetic citizens, documents, passkeys and mail for tests.

export * from './cambodian-phone';
export * from './citizens';
export * from './document-image';
export * from './mrz-builder';
export * from './pin';
export type { Rng } from './prng';
export { addDays, addYears, ageOn, isoDate, mulberry32, parseIsoDate } from './prng';
export * from './smtp-inbox';
export * from './webauthn-authenticator';
export { AuthDataFlags, fromBase64Url, p1363ToDer, toBase64Url } from './webauthn-encoding';
export * from './y4m';
