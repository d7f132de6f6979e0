/**
 * The demo portal's side of OpenID Connect, all protocol work done by openid-client 6: discovery
 * (lazily, so the portal can start before the identity server), the authorization request
 * (code + PKCE S256 + state + nonce, scope `openid profile`, the visitor's language as
 * ui_locales), the callback (code exchange with every check, then userinfo) and RP-initiated
 * logout. Plain http is accepted only for a loopback issuer (local development and tests).
 */
import * as oidc from 'openid-client';
import type { Citizen } from './html';
import type { Lang } from './i18n';
import type { PendingLogin } from './session';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && (LOOPBACK.has(url.hostname) || url.hostname.startsWith('127.'));
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

const join = (...parts: unknown[]): string | undefined => {
  const words = parts.map(text).filter((p): p is string => p !== undefined);
  return words.length > 0 ? words.join(' ') : undefined;
};

/** What the portal shows of a citizen, from the ID token (sub, acr) and userinfo (names). */
export function citizenFrom(idToken: oidc.IDToken, info: Record<string, unknown>): Citizen {
  return {
    sub: idToken.sub,
    nameKm: text(info['name#km']) ?? join(info['family_name#km'], info['given_name#km']),
    nameLatin: text(info.name) ?? join(info.given_name, info.family_name),
    birthdate: text(info.birthdate),
    acr: text(idToken.acr),
  };
}

export class OidcClient {
  private configuration: Promise<oidc.Configuration> | undefined;

  constructor(private readonly settings: OidcSettings) {
    const issuer = new URL(settings.issuer);
    if (issuer.protocol !== 'https:' && !isLoopbackHttp(issuer))
      throw new Error(`the issuer must use https (http only on loopback): ${settings.issuer}`);
  }

  /** The provider's configuration, discovered once (retried after a failure). */
  config(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      this.configuration = oidc
        .discovery(
          issuer,
          this.settings.clientId,
          undefined,
          oidc.ClientSecretBasic(this.settings.clientSecret),
          isLoopbackHttp(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined,
        )
        .catch((error: unknown) => {
          this.configuration = undefined;
          throw error;
        });
    }
    return this.configuration;
  }

  /** A fresh authorization request: the URL to send the browser to and what to keep for the callback. */
  async authorizationRequest(redirectUri: string, lang: Lang): Promise<{ url: URL; pending: PendingLogin }> {
    const config = await this.config();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const pending: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier,
      createdAt: Date.now(),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scope ?? 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      ui_locales: lang,
    });
    return { url, pending };
  }

  /**
   * Completes the callback: validates state and iss, exchanges the code with the PKCE verifier,
   * validates the ID token (nonce included) and reads userinfo for the same subject. Throws
   * oidc.AuthorizationResponseError when the provider answered with an error (e.g. access_denied).
   */
  async callback(currentUrl: URL, pending: PendingLogin): Promise<{ citizen: Citizen; idToken: string }> {
    const config = await this.config();
    const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) throw new Error('no ID token');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    return { citizen: citizenFrom(claims, info), idToken: tokens.id_token };
  }

  /** The provider's end-session URL (RP-initiated logout), or undefined when it has none. */
  async endSessionUrl(idToken: string | undefined, postLogoutRedirectUri: string, lang: Lang) {
    const config = await this.config();
    if (!config.serverMetadata().end_session_endpoint) return undefined;
    return oidc.buildEndSessionUrl(config, {
      client_id: this.settings.clientId,
      post_logout_redirect_uri: postLogoutRedirectUri,
      ui_locales: lang,
      ...(idToken ? { id_token_hint: idToken } : {}),
    });
  }
}

/**
 * The error code to show for a failed callback: the provider's own code (access_denied,
 * invalid_grant…), `invalid_response` when a check failed (state, iss, ID token, nonce),
 * `server_error` otherwise (e.g. the provider is unreachable).
 */
export function errorCodeOf(error: unknown): string {
  if (error instanceof oidc.AuthorizationResponseError) return error.error;
  if (error instanceof oidc.ResponseBodyError) return error.error;
  if (error instanceof oidc.ClientError) return 'invalid_response';
  return 'server_error';
}
