/**
 * What the administrator's console is warned about before it expires (issue 15): the client-API
 * platform certificates, the relying parties' client certificates, and the OpenID Connect
 * signing keys' yearly rotation (GET /api/console/v1/expiries).
 */
export const EXPIRY_KINDS = [
  'platform_root_ca',
  'platform_sub_ca',
  'token_signer',
  'client_certificate',
  'signing_key',
] as const;
export type ExpiryKind = (typeof EXPIRY_KINDS)[number];

/** ok; warning: under 30 days left; critical: under 7 days; expired (or overdue). */
export const EXPIRY_LEVELS = ['ok', 'warning', 'critical', 'expired'] as const;
export type ExpiryLevel = (typeof EXPIRY_LEVELS)[number];

export interface Expiry {
  kind: ExpiryKind;
  /** The relying party (client certificates) or the algorithm (signing keys). */
  subject?: string;
  /** When it expires, or (signing keys) when it is due for rotation. */
  at: string;
  /** Whole days left (negative once past). */
  daysLeft: number;
  level: ExpiryLevel;
}
