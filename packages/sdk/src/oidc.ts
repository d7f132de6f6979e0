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
import type { SignatureRequest } from './client';
import type { SignatureResult } from './signing';

export interface OidcOptions {
  issuer: string;
  clientId: string;
  /** client_secret_basic (ordinary relying parties). */
  clientSecret?: string;
  /**
   * private_key_jwt (required for financial-grade RPs, FAPI 2.0): the private key whose public
   * JWK the registry holds, as a WebCrypto key (or `{ key, kid }`).
   */
  privateKey?: client.CryptoKey | { key: client.CryptoKey; kid?: string };
  redirectUri: string;
  /**
   * FAPI 2.0 / RFC 9449: bind tokens to this DPoP key pair (ES256). `true` makes a fresh
   * non-extractable pair. Every token, userinfo and resource call then carries a DPoP proof.
   */
  dpop?: boolean | client.CryptoKeyPair;
  /** Push the authorization request first (RFC 9126; required for financial-grade RPs). */
  par?: boolean;
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
    /** The DPoP handle every call uses, when tokens are DPoP-bound. */
    readonly dpop: client.DPoPHandle | undefined,
    private readonly par: boolean,
  ) {}

  static async discover(options: OidcOptions): Promise<CamDigiKeyOidc> {
    if (!options.clientSecret === !options.privateKey) {
      throw new TypeError('give either clientSecret or privateKey');
    }
    const auth = options.privateKey
      ? client.PrivateKeyJwt(options.privateKey)
      : client.ClientSecretBasic(options.clientSecret as string);
    const configuration = await client.discovery(
      new URL(options.issuer),
      options.clientId,
      undefined,
      auth,
      options.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
    );
    let dpop: client.DPoPHandle | undefined;
    if (options.dpop) {
      const pair = options.dpop === true ? await client.randomDPoPKeyPair('ES256') : options.dpop;
      dpop = client.getDPoPHandle(configuration, pair);
    }
    return new CamDigiKeyOidc(configuration, options.redirectUri, dpop, options.par ?? false);
  }

  private get dpopOptions(): client.DPoPOptions {
    return this.dpop ? { DPoP: this.dpop } : {};
  }

  /** The authorization URL and the values to keep until the callback. */
  async start(options: { scope?: string; uiLocales?: 'km' | 'en'; prompt?: string } = {}) {
    const checks: LoginChecks = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const parameters = {
      redirect_uri: this.redirectUri,
      scope: options.scope ?? 'openid profile',
      state: checks.state,
      nonce: checks.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      ...(options.uiLocales ? { ui_locales: options.uiLocales } : {}),
      ...(options.prompt ? { prompt: options.prompt } : {}),
    };
    const url = this.par
      ? await client.buildAuthorizationUrlWithPAR(this.configuration, parameters, this.dpopOptions)
      : client.buildAuthorizationUrl(this.configuration, parameters);
    return { url, checks };
  }

  /** Redeems the callback: checks state, nonce and PKCE, returns the tokens and the ID token's claims. */
  async finish(
    callbackUrl: URL,
    checks: LoginChecks,
  ): Promise<{ tokens: client.TokenEndpointResponse; claims: client.IDToken }> {
    const tokens = await client.authorizationCodeGrant(
      this.configuration,
      callbackUrl,
      {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
      },
      undefined,
      this.dpopOptions,
    );
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token in the token response');
    return { tokens, claims };
  }

  /** The userinfo claims (with a DPoP proof when the token is DPoP-bound). */
  async userinfo(accessToken: string, subject: string): Promise<client.UserInfoResponse> {
    return client.fetchUserInfo(this.configuration, accessToken, subject, this.dpopOptions);
  }

  /**
   * Asks a citizen you know (`loginHint`: the `sub` you received) to sign, over CIBA with an
   * RFC 9396 `authorization_details` entry of type `camdigikey_sign`. Show `bindingMessage`
   * (e.g. a 4-digit code) on your screen: the citizen's app shows the same. Then
   * {@link collectSignature} with the returned `auth_req_id`.
   */
  async requestSignature(loginHint: string, bindingMessage: string, request: SignatureRequest) {
    return client.initiateBackchannelAuthentication(this.configuration, {
      scope: 'openid',
      login_hint: loginHint,
      binding_message: bindingMessage,
      authorization_details: JSON.stringify([{ type: 'camdigikey_sign', ...request }]),
    });
  }

  /**
   * One poll of the token endpoint for a signature request: pending, declined (or expired), or
   * signed with the result to check with `verifySignature` (and the tokens).
   */
  async collectSignature(
    authReqId: string,
  ): Promise<
    | { state: 'pending' | 'declined' | 'expired' }
    | { state: 'signed'; signature: SignatureResult; tokens: client.TokenEndpointResponse }
  > {
    try {
      const tokens = await client.genericGrantRequest(
        this.configuration,
        'urn:openid:params:grant-type:ciba',
        { auth_req_id: authReqId },
        this.dpopOptions,
      );
      const details = (tokens.authorization_details ?? []) as { type: string; signature?: SignatureResult }[];
      const signature = details.find((d) => d.type === 'camdigikey_sign')?.signature;
      if (!signature) throw new Error('no camdigikey_sign detail in the token response');
      return { state: 'signed', signature, tokens };
    } catch (error) {
      const code = (error as { error?: string }).error;
      if (code === 'authorization_pending' || code === 'slow_down') return { state: 'pending' };
      if (code === 'access_denied') return { state: 'declined' };
      if (code === 'expired_token') return { state: 'expired' };
      throw error;
    }
  }

  /** The provider's logout URL (RP-initiated logout), back to `postLogoutRedirectUri`. */
  logoutUrl(idTokenHint: string, postLogoutRedirectUri: string) {
    return client.buildEndSessionUrl(this.configuration, {
      id_token_hint: idTokenHint,
      post_logout_redirect_uri: postLogoutRedirectUri,
    });
  }
}
