/**
 * The user data relying parties receive, with the exact field names of each response.
 *
 * Why: rp-protocol.md §5 (status endpoint claims, `AccessTokenStatusResponse`) and §3 (lookup and
 * verify-account `data`). The two use different naming schemes (`first_name_en` versus
 * `given_name_en`, `mobile_phone` versus `mobile_phone_number`); both are kept as the libraries
 * expect them. Timestamps are epoch milliseconds (see claims.ts).
 */
import type { TokenKind } from './claims';

/** §5 profile claims of a user access token. */
export interface UserProfileClaims {
  camdigikey_id: string;
  personal_code: string;
  first_name_kh: string;
  last_name_kh: string;
  first_name_en: string;
  last_name_en: string;
  gender: 'M' | 'F';
  /** `YYYY-MM-DD` */
  dob: string;
  /** ISO 3166 alpha-2, e.g. `KH` */
  nationality: string;
  /** E.164, e.g. `+85512345678` */
  mobile_phone: string;
  email: string;
}

/** §3/§5 status (introspection) `data`; Node derives `is_valid` from `status`. */
export interface AccessTokenStatusData extends Partial<UserProfileClaims> {
  status: boolean;
  accessToken: string;
  domain?: string;
  iss?: string;
  type?: TokenKind;
  jti?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
}

/** §3 user-lookup `data`. */
export interface LookupProfile {
  camdigikey_id: string;
  account_token: string;
  expired_date: number;
  surname_en: string;
  given_name_en: string;
  surname_kh: string;
  given_name_kh: string;
  gender: 'M' | 'F';
  mobile_phone_number: string;
  email_address: string;
  nationality: string;
  personal_code: string;
}

/** §3 verify-account `user_status`. */
export const USER_STATUS = { DISABLED: 0, ENABLED: 1, EXPIRED: 2, DELETED: 4 } as const;
export type UserStatus = (typeof USER_STATUS)[keyof typeof USER_STATUS];

/** §3 verify-account `data`: the lookup fields without the token, plus `user_status`. */
export interface VerifiedAccountProfile extends Omit<LookupProfile, 'account_token' | 'expired_date'> {
  user_status: UserStatus;
}
