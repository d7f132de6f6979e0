/**
 * The FAPI 2.0 Security Profile (OpenID FAPI 2.0 Security Profile, final) for relying parties the
 * registry marks `financial_grade` (banks that receive KYC data; issue 17). oidc-provider does
 * the protocol; this module only switches its FAPI 2.0 profile on for those clients, and the
 * registry gives them the metadata that makes the rest mandatory:
 *
 *  - PAR required (`require_pushed_authorization_requests`), PKCE S256 (required for every
 *    client already), `redirect_uri` always sent, authorization codes ≤ 60 s, single use;
 *  - client authentication with `private_key_jwt` only (checked when registered or changed), the
 *    assertion's audience the issuer;
 *  - sender-constrained access tokens with DPoP (RFC 9449, `dpop_bound_access_tokens`): a token
 *    is refused without a fresh proof of its key, a proof is used once (replay detection stored
 *    with the provider's other records) and only for its method and URL;
 *  - the issuer in every authorization response (RFC 9207 `iss`), RFC 9396 details for signing.
 * Ordinary relying parties keep the ordinary profile.
 */
import type { Configuration } from 'oidc-provider';

type Features = NonNullable<Configuration['features']>;

export const FINANCIAL_GRADE = 'urn:camdigikey:financial_grade';

export function fapiFeatures(): Pick<Features, 'fapi' | 'dPoP'> {
  return {
    fapi: {
      enabled: true,
      profile: (_ctx, client) => (client?.metadata()[FINANCIAL_GRADE] === true ? '2.0' : undefined),
    },
    dPoP: { enabled: true, allowReplay: false },
  } as Pick<Features, 'fapi' | 'dPoP'>;
}
