/**
 * How every secret of the server is made: 32 random bytes (256 bits) from the operating system's
 * CSPRNG, in the encoding its variable expects. Development generates the missing ones into
 * DATA_DIR/dev-secrets.json with these; `npm run secrets` prints a whole production set.
 */
import { randomBytes } from 'node:crypto';
import type { VariableName } from './schema';

const b64 = () => randomBytes(32).toString('base64');
const token = () => randomBytes(32).toString('base64url');

/** The secrets the server cannot start without in production. */
export const SECRET_FACTORIES: Partial<Record<VariableName, () => string>> = {
  PIN_PEPPER: b64,
  OTP_KEY: b64,
  // The id names the key in every sealed value; a new id per key makes rotation unambiguous.
  DATA_KEKS: () => `k${randomBytes(4).toString('hex')}:${b64()}`,
  BLIND_INDEX_KEY: b64,
  ADMIN_TOKEN: token,
  COOKIE_KEYS: token,
  PAIRWISE_SALT: b64,
  AUDIT_KEYS: () => `a${randomBytes(4).toString('hex')}:${b64()}`,
};

/** Optional secrets worth having in production (the metrics bearer). */
export const OPTIONAL_SECRET_FACTORIES: Partial<Record<VariableName, () => string>> = {
  METRICS_TOKEN: token,
};
