/**
 * The relying-party registry: organisations, their apps and what they may ask for. It is the
 * one source of OIDC client metadata (the provider's Client model reads it), and later of the
 * CamDigiKey client-API credentials. Client secrets are stored envelope-encrypted (the provider
 * needs them in clear to check client_secret_basic) and shown once, at creation or rotation.
 */
import { randomBytes } from 'node:crypto';
import type { Database, RelyingPartiesTable } from '@camdigikey/db';
import type { Kysely, Selectable } from 'kysely';
import type { Envelope } from '../crypto/envelope';

export const OIDC_SCOPES = [
  'openid',
  'profile',
  'email',
  'phone',
  'personal_code',
  'face',
  'offline_access',
] as const;
/**
 * What a relying party may be allowed: the OIDC scopes, `open_kyc` for the Open KYC APIs, and
 * `ciba` for backchannel (CIBA, poll mode) logins of citizens it already knows.
 */
export const SUPPORTED_SCOPES = [...OIDC_SCOPES, 'open_kyc', 'ciba'] as const;
const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';

export type RelyingParty = Selectable<RelyingPartiesTable>;

export const secretContext = (clientId: string) => `relying-party:${clientId}:client-secret`;

export const newClientId = () => `cdk_${randomBytes(12).toString('base64url')}`;
export const newClientSecret = () => randomBytes(32).toString('base64url');

/**
 * Where the provider reads a pairwise CIBA relying party's public keys: CIBA Core §4 has such a
 * client name a jwks_uri (and a sector identifier), and one client cannot have jwks and jwks_uri.
 * The provider's fetch hook answers this URL from the registry (oidc/provider.ts); it is never
 * fetched over the network.
 */
export const RP_KEYS_PATH = '/oidc/rp-keys/';
export const rpKeysUrl = (publicUrl: string, clientId: string) =>
  `${publicUrl}${RP_KEYS_PATH}${encodeURIComponent(clientId)}`;

/**
 * A pairwise CIBA relying party's sector (CIBA Core §4, OIDC Core §8.1): the host of its redirect
 * URIs (the registry keeps one host for pairwise clients), so its subjects are the same with or
 * without CIBA. Named as an https URL and never fetched (the provider's
 * sectorIdentifierUriValidate skips it).
 */
const sectorOf = (rp: RelyingParty) => `https://${new URL(rp.redirect_uris[0]!).host}/`;

/** The client metadata oidc-provider validates and uses for this relying party. */
export function clientMetadata(
  rp: RelyingParty,
  envelope: Envelope,
  publicUrl: string,
): Record<string, unknown> {
  const scopes = rp.allowed_scopes.filter((s) => (OIDC_SCOPES as readonly string[]).includes(s));
  const pairwiseCiba = rp.subject_type === 'pairwise' && rp.allowed_scopes.includes('ciba');
  return {
    client_id: rp.client_id,
    ...(rp.client_secret_enc
      ? { client_secret: envelope.openText(rp.client_secret_enc, secretContext(rp.client_id)) }
      : {}),
    client_name: rp.app_name,
    // The provider takes only web URLs as logo_uri; a logo held as a data: URI stays ours.
    ...(rp.logo_url?.startsWith('https:') ? { logo_uri: rp.logo_url } : {}),
    ...(rp.privacy_policy_url ? { policy_uri: rp.privacy_policy_url } : {}),
    redirect_uris: rp.redirect_uris,
    post_logout_redirect_uris: rp.post_logout_redirect_uris,
    ...(rp.backchannel_logout_uri
      ? { backchannel_logout_uri: rp.backchannel_logout_uri, backchannel_logout_session_required: true }
      : {}),
    grant_types: [
      'authorization_code',
      ...(scopes.includes('offline_access') ? ['refresh_token'] : []),
      ...(rp.allowed_scopes.includes('ciba') ? [CIBA_GRANT] : []),
    ],
    ...(rp.allowed_scopes.includes('ciba') ? { backchannel_token_delivery_mode: 'poll' } : {}),
    // A relying party allowed CIBA may ask for signatures over it (issue 17, RFC 9396).
    ...(rp.allowed_scopes.includes('ciba') ? { authorization_details_types: ['camdigikey_sign'] } : {}),
    response_types: ['code'],
    token_endpoint_auth_method: rp.token_endpoint_auth_method,
    ...(rp.token_endpoint_auth_method === 'private_key_jwt'
      ? { token_endpoint_auth_signing_alg: 'ES256', ...(pairwiseCiba ? {} : { jwks: rp.jwks }) }
      : {}),
    ...(pairwiseCiba
      ? { jwks_uri: rpKeysUrl(publicUrl, rp.client_id), sector_identifier_uri: sectorOf(rp) }
      : {}),
    id_token_signed_response_alg: 'ES256',
    subject_type: rp.subject_type,
    scope: scopes.join(' '),
    // FAPI 2.0 (issue 17, oidc/fapi.ts): pushed requests only, sender-constrained (DPoP) tokens.
    ...(rp.financial_grade
      ? {
          require_pushed_authorization_requests: true,
          dpop_bound_access_tokens: true,
          'urn:camdigikey:financial_grade': true,
        }
      : {}),
    'urn:camdigikey:organisation': rp.organisation,
    'urn:camdigikey:domain': rp.domain,
    ...(rp.app_name_km ? { 'urn:camdigikey:app_name_km': rp.app_name_km } : {}),
  };
}

/**
 * The client-API front door (rp-protocol.md §6.1) runs the login of an RP through this provider as
 * a public OIDC client of its own, `api.<client id>`, whose only redirect URI is our callback;
 * it is the same registry entry (name, logo, domain shown on the login page).
 */
export const API_CLIENT_PREFIX = 'api.';
export const apiCallbackUrl = (publicUrl: string) => `${publicUrl}/client-api/callback`;

export async function findRelyingParty(
  db: Kysely<Database>,
  clientId: string,
): Promise<RelyingParty | undefined> {
  const id = clientId.startsWith(API_CLIENT_PREFIX) ? clientId.slice(API_CLIENT_PREFIX.length) : clientId;
  return db.selectFrom('relying_parties').selectAll().where('client_id', '=', id).executeTakeFirst();
}

async function apiFrontDoorMetadata(db: Kysely<Database>, publicUrl: string, clientId: string) {
  const rp = await findRelyingParty(db, clientId);
  if (rp?.status !== 'active') return undefined;
  const issued = await db
    .selectFrom('api_clients')
    .select('client_id')
    .where('rp_client_id', '=', rp.client_id)
    .executeTakeFirst();
  if (!issued) return undefined;
  return {
    client_id: clientId,
    client_name: rp.app_name,
    // The provider takes only web URLs as logo_uri; a logo held as a data: URI stays ours.
    ...(rp.logo_url?.startsWith('https:') ? { logo_uri: rp.logo_url } : {}),
    redirect_uris: [apiCallbackUrl(publicUrl)],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    id_token_signed_response_alg: 'ES256',
    subject_type: 'public',
    scope: 'openid',
    'urn:camdigikey:organisation': rp.organisation,
    'urn:camdigikey:domain': rp.domain,
    ...(rp.app_name_km ? { 'urn:camdigikey:app_name_km': rp.app_name_km } : {}),
  };
}

export async function activeClientMetadata(
  db: Kysely<Database>,
  envelope: Envelope,
  clientId: string,
  publicUrl: string,
) {
  if (clientId.startsWith(API_CLIENT_PREFIX)) return apiFrontDoorMetadata(db, publicUrl, clientId);
  const rp = await findRelyingParty(db, clientId);
  return rp && rp.status === 'active' ? clientMetadata(rp, envelope, publicUrl) : undefined;
}
