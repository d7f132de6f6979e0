/**
 * The OIDC view of a citizen: which claims each scope releases (architecture: only what the
 * scope names), Khmer names as `given_name#km` / `family_name#km` (OIDC language tags), the
 * personal code (ID card or passport number) and the face photo each behind their own scope.
 * Only active accounts can be found; pending, rejected, suspended or locked ones cannot log in.
 */
import type { AccountsTable, Database } from '@camdigikey/db';
import type { Kysely, Selectable } from 'kysely';
import { openPersonal } from '../accounts/personal-data';
import type { Envelope } from '../crypto/envelope';
import { sealContext } from '../flows/registration/flow-data';
import { latestAccountBlob } from '../uploads/blobs';

export const CLAIMS_BY_SCOPE = {
  openid: ['sub', 'acr', 'amr', 'auth_time', 'sid'],
  profile: [
    'name',
    'given_name',
    'family_name',
    'given_name#km',
    'family_name#km',
    'gender',
    'birthdate',
    'nationality',
  ],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  personal_code: ['personal_code', 'personal_code_type'],
  face: ['face_photo'],
} as const;

/**
 * The scopes a claims parameter (OIDC Core §5.5) reaches into: a claim asked for by name is
 * released as if its scope were asked, and only when the relying party is allowed that scope
 * (`allowed`); the consent page lists those scopes. Claims of other scopes are refused.
 */
export function scopesOfClaims(claims: readonly string[], allowed: ReadonlySet<string>) {
  const granted = new Set<string>();
  const refused: string[] = [];
  for (const claim of claims) {
    const scope = Object.entries(CLAIMS_BY_SCOPE).find(([, names]) =>
      (names as readonly string[]).includes(claim),
    )?.[0];
    if (scope && allowed.has(scope)) granted.add(scope);
    else refused.push(claim);
  }
  return { scopes: [...granted], refused };
}

/** The claim names a claims parameter asks for (userinfo and id_token together). */
export function requestedClaims(claims: unknown): string[] {
  if (!claims || typeof claims !== 'object') return [];
  const names = new Set<string>();
  for (const part of Object.values(claims as Record<string, unknown>))
    if (part && typeof part === 'object') for (const name of Object.keys(part)) names.add(name);
  return [...names];
}

export async function accountClaims(
  db: Kysely<Database>,
  envelope: Envelope,
  accountId: string,
  scope: string,
  /** Withhold the face photo (the cooling-off after a recovery): given the recovery time. */
  withholdFace: (recoveredAt: Date | null) => boolean = () => false,
  /** The account's row when the caller has just read it (the provider's findAccount). */
  preloaded?: Selectable<AccountsTable>,
) {
  const a =
    preloaded ?? (await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst());
  if (!a) return undefined;
  const scopes = new Set(scope.split(' '));
  const claims: Record<string, unknown> = { sub: accountId };
  const p = openPersonal(envelope, a);
  if (scopes.has('profile')) {
    Object.assign(claims, {
      name: `${p.latinGivenName} ${p.latinSurname}`,
      given_name: p.latinGivenName,
      family_name: p.latinSurname,
      ...(p.khmerGivenName ? { 'given_name#km': p.khmerGivenName } : {}),
      ...(p.khmerSurname
        ? {
            'family_name#km': p.khmerSurname,
            'name#km': `${p.khmerSurname} ${p.khmerGivenName ?? ''}`.trim(),
          }
        : {}),
      gender: a.gender,
      birthdate: p.birthDate,
      nationality: p.nationality,
    });
  }
  if (scopes.has('email')) Object.assign(claims, { email: p.email, email_verified: true });
  if (scopes.has('phone')) Object.assign(claims, { phone_number: p.phoneE164, phone_number_verified: true });
  if (scopes.has('personal_code')) {
    Object.assign(claims, {
      personal_code: envelope.openText(a.document_number_enc, sealContext.accountDocumentNumber(a.id)),
      personal_code_type: a.document_type,
    });
  }
  if (scopes.has('face') && !withholdFace(a.recovered_at)) {
    const blob = await latestAccountBlob(db, envelope, a.id, 'selfie');
    if (blob) claims.face_photo = `data:${blob.media_type};base64,${blob.bytes.toString('base64')}`;
  }
  return { account: a, claims };
}
