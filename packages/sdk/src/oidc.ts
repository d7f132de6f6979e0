/**
 * Logging in with CamDigiKey over OpenID Connect (for new integrations): authorization code with
 * PKCE S256, state and nonce, on `openid-client`. The login page, QR, number matching and single
 * sign-on are the platform's; this helper only runs the two redirects safely.
 *
 * @example
 * ```ts
 * const oidc = await CamDigiKeyOidc.discover({
 *   issuer: 'https://camdigikey.example.gov.kh/oidc',
 *   clientId: 'cdk_…', clientSecret: '…', redirectUri: 'https://portal.example/callback',
 * });
 * const { url, checks } = await oidc.start({ scope: 'openid profile', uiLocales: 'km' });
 * // keep `checks` in the user's session, redirect to `url`; on the callback:
 * const { claims } = await oidc.finish(new URL(req.url, 'https://portal.example'), checks);
 * ```
 */
import * as client from 'openid-client';

export interface OidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Development only: allow an http issuer (e.g. `npm start` on localhost). */
  allowHttp?: boolean;
}

export interface LoginChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export class CamDigiKeyOidc {
  private constructor(
    readonly configuration: client.Configuration,
    private readonly redirectUri: string,
  ) {}

  static async discover(options: OidcOptions): Promise<CamDigiKeyOidc> {
    const configuration = await client.discovery(
      new URL(options.issuer),
      options.clientId,
      undefined,
      client.ClientSecretBasic(options.clientSecret),
      options.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    return new CamDigiKeyOidc(configuration, options.redirectUri);
  }

  /** The authorization URL and the values to keep until the callback. */
  async start(options: { scope?: string; uiLocales?: 'km' | 'en'; prompt?: string } = {}) {
    const checks: LoginChecks = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const url = client.buildAuthorizationUrl(this.configuration, {
      redirect_uri: this.redirectUri,
      scope: options.scope ?? 'openid profile',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      ...(options.uiLocales ? { ui_locales: options.uiLocales } : {}),
      ...(options.prompt ? { prompt: options.prompt } : {}),
    });
    return { url, checks };
  }

  /** Redeems the callback: checks state, nonce and PKCE, returns the tokens and the ID token's claims. */
  async finish(
    callbackUrl: URL,
    checks: LoginChecks,
  ): Promise<{ tokens: client.TokenEndpointResponse; claims: client.IDToken }> {
    const tokens = await client.authorizationCodeGrant(this.configuration, callbackUrl, {
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      pkceCodeVerifier: checks.codeVerifier,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token in the token response');
    return { tokens, claims };
  }

  /** The provider's logout URL (RP-initiated logout), back to `postLogoutRedirectUri`. */
  logoutUrl(idTokenHint: string, postLogoutRedirectUri: string) {
    return client.buildEndSessionUrl(this.configuration, {
      id_token_hint: idTokenHint,
      post_logout_redirect_uri: postLogoutRedirectUri,
    });
  }
}
