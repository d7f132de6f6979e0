/**
 * A citizen as the client API shows them (rp-protocol.md §5 and §3): the access-token status
 * claims (`first_name_en`, `mobile_phone`, …) and the lookup/verify profile (`given_name_en`,
 * `mobile_phone_number`, …), with gender as M/F and nationality as ISO 3166 alpha-2 (`KH`).
 */
import {
  type LookupProfile,
  USER_STATUS,
  type UserProfileClaims,
  type UserStatus,
} from '@camdigikey/rp-protocol';
// The codes only: the package's Node entry also loads every country's name in ~80 languages
// (~0.9 MB of JSON), none of which a profile shows.
import countries from 'i18n-iso-countries/index';
import { openPersonal } from '../accounts/personal-data';
import type { Deps } from '../deps';
import { sealContext } from '../flows/registration/flow-data';

/** ICAO 9303 codes that are not ISO 3166 alpha-3 (Germany is `D` in an MRZ). */
const ICAO_EXCEPTIONS: Record<string, string> = { D: 'DE', UTO: 'UT' };

/** Every issuing state an MRZ can name: the ISO alpha-3 codes and ICAO's own (`D`, `UTO`). */
const ISSUING_STATES = [
  ...new Set([...Object.keys(countries.getAlpha3Codes()), ...Object.keys(ICAO_EXCEPTIONS)]),
];

export function alpha2(icao: string): string {
  const code = icao.replace(/</g, '');
  return ICAO_EXCEPTIONS[code] ?? countries.alpha3ToAlpha2(code) ?? code;
}

export async function accountRow(deps: Deps, accountId: string) {
  return deps.db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
}

type Account = NonNullable<Awaited<ReturnType<typeof accountRow>>>;

export function personalCodeOf(deps: Deps, a: Account): string {
  return deps.envelope.openText(a.document_number_enc, sealContext.accountDocumentNumber(a.id));
}

export function statusClaims(deps: Deps, a: Account): UserProfileClaims {
  const p = openPersonal(deps.envelope, a);
  return {
    camdigikey_id: a.id,
    personal_code: personalCodeOf(deps, a),
    first_name_kh: p.khmerGivenName ?? '',
    last_name_kh: p.khmerSurname ?? '',
    first_name_en: p.latinGivenName,
    last_name_en: p.latinSurname,
    gender: a.gender === 'male' ? 'M' : 'F',
    dob: p.birthDate,
    nationality: alpha2(p.nationality),
    mobile_phone: p.phoneE164,
    email: p.email,
  };
}

export function lookupProfile(deps: Deps, a: Account): Omit<LookupProfile, 'account_token' | 'expired_date'> {
  const p = openPersonal(deps.envelope, a);
  return {
    camdigikey_id: a.id,
    surname_en: p.latinSurname,
    given_name_en: p.latinGivenName,
    surname_kh: p.khmerSurname ?? '',
    given_name_kh: p.khmerGivenName ?? '',
    gender: a.gender === 'male' ? 'M' : 'F',
    mobile_phone_number: p.phoneE164,
    email_address: p.email,
    nationality: alpha2(p.nationality),
    personal_code: personalCodeOf(deps, a),
  };
}

/** §3 verify-account `user_status`: the account's state as the RP may know it. */
export function userStatus(a: Account | undefined, today: string): UserStatus {
  if (!a || a.status === 'rejected') return USER_STATUS.DELETED;
  if (a.status !== 'active') return USER_STATUS.DISABLED;
  if (a.document_expiry_date < today) return USER_STATUS.EXPIRED;
  return USER_STATUS.ENABLED;
}

/** The live account holding this personal code (ID card or passport number), if any. */
export async function accountByPersonalCode(deps: Deps, personalCode: string) {
  const code = personalCode.trim().toUpperCase();
  if (!/^[A-Z0-9]{5,20}$/.test(code)) return undefined;
  // The blind index covers (issuing state, number) and a personal code does not name its state:
  // one keyed hash per ICAO state (about 250, well under a millisecond), then one indexed lookup.
  const indexes = ISSUING_STATES.map((state) => deps.blindIndex.documentNumber(state, code));
  return deps.db
    .selectFrom('accounts')
    .selectAll()
    .where('document_number_bidx', 'in', indexes)
    .where('status', 'in', ['active', 'suspended', 'locked'])
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}
