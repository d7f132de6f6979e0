/**
 * The time of oidc-provider's records. The provider stamps and judges everything it stores
 * (sessions, grants, codes, tokens: `iat`, `exp`, `loginTs`) with the machine's clock through its
 * own `epochTime()`, which cannot be configured. Our code that stores, expires or reads those
 * records (the storage adapter, the TTL callbacks, the sessions list in "Me") must judge them on
 * the same clock, or a record would be expired by one clock while alive on the other. This is the
 * one place outside the clock port that reads the machine's time, and only for the provider's
 * records; every other rule reads `deps.clock`.
 */
export function providerEpochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The provider's "now" as a Date (for expiry columns of its records). */
export function providerNow(): Date {
  return new Date(providerEpochSeconds() * 1000);
}
