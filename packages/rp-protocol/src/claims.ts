/**
 * Token kinds and the claims our server puts in a token's encrypted payload.
 *
 * Why: rp-protocol.md §4.1 lists the kinds (login, auth, user access, organization access,
 * account token) and §5 the claim names RPs see through the status endpoint (`jti, iss, type,
 * domain, iat, nbf, exp`, `iss = "CamDX-CamDigiKey"`, types USER / ORGANIZATION /
 * PROFILE_LOOKUP). From v2 on no RP decrypts a payload (§4.2), so the payload is ours to define;
 * the names follow §5 so that the status endpoint can copy them.
 *
 * Choices (the document leaves these open, §11):
 * - `iat`, `nbf`, `exp` are epoch milliseconds, as v1's `exp` was (§4.4 step 4).
 * - Login and auth tokens have no published `type`; they get `LOGIN` and `AUTH`.
 * - `client_id` binds every token to the RP it was issued to, so that one RP cannot redeem or
 *   introspect another RP's token; the server checks it against the envelope's client.
 */

/** §5 `iss`. */
export const TOKEN_ISSUER = 'CamDX-CamDigiKey';

export const TOKEN_KINDS = ['LOGIN', 'AUTH', 'USER', 'ORGANIZATION', 'PROFILE_LOOKUP'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

interface BaseClaims {
  /** Equals the header's `jwtId` (§4.2). */
  jti: string;
  iss: typeof TOKEN_ISSUER;
  /** The relying party the token was issued to (envelope `clientId`, §2.3). */
  client_id: string;
  /** The RP's registered domain, e.g. `localhost:3002` (§2.1, §2.5). */
  domain: string;
  iat: number;
  nbf: number;
  exp: number;
}

/** §3 login-token, §6: what the auth page needs to show and where to send the user back. */
export interface LoginTokenClaims extends BaseClaims {
  type: 'LOGIN';
  /** Node ≥2.1.3 `callbackVars` (map or null). */
  callback_vars?: Record<string, string> | null;
  /** Node 3.0.1 / Java 3.0.2 per-request return URLs, whitelisted by the operator (§3, §6.1). */
  success_return_url?: string;
  error_return_url?: string;
}

/** §6.1 step 4: the one-time result of the user's approval, exchanged for an access token. */
export interface AuthTokenClaims extends BaseClaims {
  type: 'AUTH';
  camdigikey_id: string;
  /** `jti` of the login token the user approved. */
  login_jti: string;
}

/** §5: user access token, type `USER`. */
export interface UserTokenClaims extends BaseClaims {
  type: 'USER';
  camdigikey_id: string;
}

/** §5, §7: organization (client-credentials) token, type `ORGANIZATION`. */
export interface OrganizationTokenClaims extends BaseClaims {
  type: 'ORGANIZATION';
}

/** §7: account token from lookup, type `PROFILE_LOOKUP` (v1 name, §4.1). */
export interface AccountTokenClaims extends BaseClaims {
  type: 'PROFILE_LOOKUP';
  camdigikey_id: string;
  personal_code: string;
}

export type TokenClaims =
  | LoginTokenClaims
  | AuthTokenClaims
  | UserTokenClaims
  | OrganizationTokenClaims
  | AccountTokenClaims;

export type ClaimsOf<K extends TokenKind> = Extract<TokenClaims, { type: K }>;

type StandardClaim = 'jti' | 'iss' | 'iat' | 'nbf' | 'exp';
/** What a caller supplies to sign a token; the standard claims are filled in. */
export type TokenClaimsInput = TokenClaims extends infer C
  ? C extends TokenClaims
    ? Omit<C, StandardClaim>
    : never
  : never;

export function isTokenKind(value: unknown): value is TokenKind {
  return typeof value === 'string' && (TOKEN_KINDS as readonly string[]).includes(value);
}
