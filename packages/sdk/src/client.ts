/**
 * The CamDigiKey client API for relying-party backends, with the function names of the official
 * `camdigikey-client` library (rp-protocol.md §3) and its environment variables, so switching is
 * a change of import. Two differences on purpose:
 *  - the signer certificate chain is verified link by link up to the root of your trust store
 *    (the official Node library only checks that the root is present, §4.3), and every token is
 *    verified locally against that signer before it is trusted;
 *  - the TLS connection trusts only that root (not the system CAs), and presents your keystore.
 *
 * @example
 * ```ts
 * import { CamDigiKeyClient } from '@camdigikey/client';
 * const client = CamDigiKeyClient.default; // from CAMDIGIKEY_* environment variables
 * const { data } = await client.getLoginToken({ orderId: '42' });
 * // redirect the browser to data.loginUrl; on /callback?authToken=…:
 * const { data: token } = await client.getUserAccessToken(authToken);
 * const { is_valid, payload } = await client.validateJwt(token.accessToken);
 * ```
 */

import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import {
  type AccessTokenStatusData,
  ChainError,
  type ClientKeys,
  decodeClientCredentials,
  type InnerResponse,
  type LookupProfile,
  openResponse,
  readPkcs12,
  sealRequest,
  TokenError,
  type VerifiedAccountProfile,
  verifySignerChainBody,
  verifyToken,
} from '@camdigikey/rp-protocol';
import { CamDigiKeyError, ERROR_CODES } from './errors';
import type { SignatureResult } from './signing';

export const DEFAULT_SERVER_URL = 'https://service-account.camdigikey.gov.kh:8446';
const BASE = '/api/v3.0/authentication/service-account';
const CHAIN = '/api/v3.0/authentication/certificates/access-token';

/** As the official library names it. */
export interface CamDigiKeyClientConfig {
  clientId: string;
  hmacKey: string;
  aesSecretKey: string;
  aesIvParams: string;
  clientDomain: string;
  serverBaseUrl?: string;
}

export interface CamDigiKeyTlsConfig {
  keystoreFile: string;
  keystoreFilePassword: string;
  trustStoreFile: string;
  trustStoreFilePassword: string;
}

export type ApiResponse<T> = InnerResponse<T>;
export interface LoginTokenResponse {
  loginToken: string;
  loginUrl: string;
  /** This platform's addition: the link a mobile app opens for app-to-app login. */
  appLoginUrl?: string;
  /** This platform's addition: whether the CamDigiKey app can return to your app (a registered app id). */
  appToApp?: { available: boolean; reason?: string };
}
export interface AccessTokenResponse {
  accessToken: string;
}
export interface RefreshAccessTokenResponse {
  service_account_id: string;
  accessToken: string;
  created_date: number;
}
export interface LogoutAccessTokenResponse {
  accessToken: string;
  status: number;
  jwtId: string;
}
export interface OrganizationAccessTokenResponse {
  accessToken: string;
  created_date: number;
}
export interface UserFaceResponse {
  face: string;
}
export interface ValidateJwtResponse {
  is_valid: boolean;
  payload: AccessTokenStatusData | null;
}
export interface GetLoginTokenOptions {
  successReturnUrl?: string;
  errorReturnUrl?: string;
}

type Env = Record<string, string | undefined>;

/**
 * A PKCS#12 file as issued: the binary file, or the base64 text of it exactly as the credentials
 * answer carries it (`keystore.base64`) pasted into a file. A DER PKCS#12 starts with 0x30, which
 * is never a base64 character, so the two cannot be confused.
 */
export function readStoreFile(path: string): Buffer {
  const bytes = readFileSync(path);
  const text = bytes.toString('latin1').trim();
  if (bytes[0] !== 0x30 && /^[A-Za-z0-9+/=\s]+$/.test(text))
    return Buffer.from(text.replace(/\s+/g, ''), 'base64');
  return bytes;
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new CamDigiKeyError(`${name} is not set`, ERROR_CODES.INVALID_REQUEST);
  return value;
}

export class CamDigiKeyClient {
  private static instance: CamDigiKeyClient | undefined;
  private readonly keys: ClientKeys;
  private readonly base: URL;
  private readonly agent: Agent | undefined;
  private readonly trustedRoot: X509Certificate;
  private signer: { certificate: X509Certificate; until: number } | undefined;

  constructor(
    private readonly options: {
      client: CamDigiKeyClientConfig;
      tls: CamDigiKeyTlsConfig;
      now?: () => number;
    },
  ) {
    const c = options.client;
    this.keys = decodeClientCredentials({
      clientId: c.clientId,
      hmacKey: c.hmacKey,
      secretKey: c.aesSecretKey,
      ivParam: c.aesIvParams,
    });
    this.base = new URL(c.serverBaseUrl ?? DEFAULT_SERVER_URL);
    const trust = readPkcs12(readStoreFile(options.tls.trustStoreFile), options.tls.trustStoreFilePassword);
    const root = trust.find((e) => e.certificate)?.certificate;
    if (!root)
      throw new CamDigiKeyError(
        'the trust store holds no certificate',
        ERROR_CODES.INVALID_CERTIFICATE_CHAIN,
      );
    this.trustedRoot = root;
    this.agent =
      this.base.protocol === 'https:'
        ? new Agent({
            pfx: readStoreFile(options.tls.keystoreFile),
            passphrase: options.tls.keystoreFilePassword,
            ca: [root.toString()],
            minVersion: 'TLSv1.2',
            keepAlive: true,
          })
        : undefined;
  }

  /** A client from the official library's environment variables. */
  static fromEnv(env: Env = process.env, options: { now?: () => number } = {}): CamDigiKeyClient {
    return new CamDigiKeyClient({
      ...options,
      client: {
        clientId: required(env, 'CAMDIGIKEY_CLIENT_ID'),
        hmacKey: required(env, 'CAMDIGIKEY_HMAC_KEY'),
        aesSecretKey: required(env, 'CAMDIGIKEY_AES_SECRET_KEY'),
        aesIvParams: required(env, 'CAMDIGIKEY_AES_IV_PARAMS'),
        clientDomain: required(env, 'CAMDIGIKEY_CLIENT_DOMAIN'),
        serverBaseUrl: env.CAMDIGIKEY_SERVER_BASED_URL ?? DEFAULT_SERVER_URL,
      },
      tls: {
        keystoreFile: required(env, 'CAMDIGIKEY_CLIENT_KEYSTORE_FILE'),
        keystoreFilePassword: required(env, 'CAMDIGIKEY_CLIENT_KEYSTORE_FILE_PASSWORD'),
        trustStoreFile: required(env, 'CAMDIGIKEY_CLIENT_TRUST_STORE_FILE'),
        trustStoreFilePassword: required(env, 'CAMDIGIKEY_CLIENT_TRUST_STORE_FILE_PASSWORD'),
      },
    });
  }

  /** The client built from the environment on first use (like the official `CamDigiKeyClient.default`). */
  static get default(): CamDigiKeyClient {
    CamDigiKeyClient.instance ??= CamDigiKeyClient.fromEnv();
    return CamDigiKeyClient.instance;
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.agent?.destroy();
  }

  private send(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const url = new URL(path, this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (!this.agent) {
      return fetch(url, {
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: payload,
      }).then(async (r) => ({ status: r.status, json: await r.json().catch(() => undefined) }));
    }
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  private async call<T>(name: string, inner: Record<string, unknown>): Promise<ApiResponse<T>> {
    let reply: { status: number; json: unknown };
    try {
      reply = await this.send(
        'POST',
        `${BASE}/${name}`,
        sealRequest(this.keys, { clientId: this.keys.clientId, ...inner }),
      );
    } catch (cause) {
      throw new CamDigiKeyError(
        `Error requesting to CamDigiKey Server. ${String(cause)}`,
        ERROR_CODES.TRANSPORT,
      );
    }
    if (reply.status < 200 || reply.status >= 300) {
      const message = (reply.json as { message?: string } | undefined)?.message ?? `HTTP ${reply.status}`;
      throw new CamDigiKeyError(message, ERROR_CODES.TRANSPORT);
    }
    let response: ApiResponse<T>;
    try {
      response = openResponse<T>(this.keys, reply.json);
    } catch (cause) {
      throw new CamDigiKeyError(
        cause instanceof Error ? cause.message : 'Signatures not match',
        ERROR_CODES.INVALID_TOKEN_SIGNATURE,
      );
    }
    if (response.error !== 0) throw new CamDigiKeyError(response.message, response.error);
    return response;
  }

  /** The token signer, from a chain verified link by link up to the trust-store root; cached until it expires. */
  async signerCertificate(): Promise<X509Certificate> {
    if (this.signer && this.signer.until > this.now()) return this.signer.certificate;
    const reply = await this.send('GET', CHAIN).catch((cause: unknown) => {
      throw new CamDigiKeyError(
        `Error requesting to CamDigiKey Server. ${String(cause)}`,
        ERROR_CODES.TRANSPORT,
      );
    });
    try {
      const certificate = verifySignerChainBody(reply.json, this.trustedRoot, { now: this.now() });
      this.signer = { certificate, until: new Date(certificate.validTo).getTime() };
      return certificate;
    } catch (error) {
      if (error instanceof ChainError)
        throw new CamDigiKeyError(
          'Invalid certificate chain validation of signer certificate',
          ERROR_CODES.INVALID_CERTIFICATE_CHAIN,
        );
      throw error;
    }
  }

  /** §4.4 steps 1–3: throws {@link CamDigiKeyError} 101 (or 100, 107) when the token is not ours. */
  async verifyTokenSignature(token: string): Promise<void> {
    const signer = await this.signerCertificate();
    try {
      verifyToken(token, signer, { now: this.now() });
    } catch (error) {
      if (error instanceof TokenError) throw new CamDigiKeyError(error.message, error.code);
      throw error;
    }
  }

  getLoginToken(callbackVars?: Record<string, string>, options: GetLoginTokenOptions = {}) {
    return this.call<LoginTokenResponse>('login-token', {
      domain: this.options.client.clientDomain,
      requestedDate: this.now(),
      callbackVars: callbackVars ?? null,
      ...options,
    });
  }

  async getUserAccessToken(authToken: string) {
    const token = authToken.includes('%') ? decodeURIComponent(authToken) : authToken;
    await this.verifyTokenSignature(token);
    return this.call<AccessTokenResponse>('access-token', { authToken: token });
  }

  /** Is this access token valid now, and whose is it? (local signature check, then the status call). */
  async validateJwt(jwt: string): Promise<ValidateJwtResponse> {
    try {
      await this.verifyTokenSignature(jwt);
    } catch (error) {
      if (error instanceof CamDigiKeyError && error.errorCode !== ERROR_CODES.INVALID_CERTIFICATE_CHAIN)
        return { is_valid: false, payload: null };
      throw error;
    }
    const { data } = await this.call<AccessTokenStatusData>('access-token/status', {
      accessToken: jwt,
      domain: this.options.client.clientDomain,
    });
    return { is_valid: Boolean(data?.status), payload: data ?? null };
  }

  async refreshUserAccessToken(accessToken: string) {
    await this.verifyTokenSignature(accessToken);
    return this.call<RefreshAccessTokenResponse>('refresh-access-token', { accessToken });
  }

  async logoutAccessToken(accessToken: string) {
    await this.verifyTokenSignature(accessToken);
    return this.call<LogoutAccessTokenResponse>('access-token/logout', { accessToken });
  }

  getOrganizationAccessToken() {
    return this.call<OrganizationAccessTokenResponse>('organization-access-token', {
      domain: this.options.client.clientDomain,
      requestedDate: this.now(),
    });
  }

  async lookupUserProfile(accessToken: string, personalCode: string) {
    await this.verifyTokenSignature(accessToken);
    return this.call<LookupProfile>('lookup', {
      domain: this.options.client.clientDomain,
      accessToken,
      personalCode,
    });
  }

  async verifyAccountToken(accountToken: string) {
    await this.verifyTokenSignature(accountToken);
    return this.call<VerifiedAccountProfile>('lookup/user-profile', {
      domain: this.options.client.clientDomain,
      accountToken,
    });
  }

  async getUserFace(accessToken: string) {
    await this.verifyTokenSignature(accessToken);
    return this.call<UserFaceResponse>('user-face', { accessToken });
  }

  /**
   * Asks the citizen this access token names to sign (issue 17): text in Khmer and/or English
   * (plain or Markdown, ≤ 1,500 characters), optionally a document's name and SHA-256 (and for a
   * PDF, `pades.byteRangeSha256` from `preparePdf`). Show `verificationCode` on your screen: the
   * citizen's app shows the same one. Then poll {@link getSignatureStatus}.
   */
  async requestSignature(accessToken: string, request: SignatureRequest) {
    await this.verifyTokenSignature(accessToken);
    return this.call<SignatureRequestResponse>('sign', { accessToken, ...request });
  }

  /** The request's state and, once signed, the result to check with `verifySignature`. */
  getSignatureStatus(signRequestId: string) {
    return this.call<SignatureResult & Record<string, unknown>>('sign/status', { signRequestId });
  }

  /**
   * Polls until the citizen signed, declined or the request ended; `wait` is called between polls
   * (e.g. a timer of a few seconds in your job runner).
   */
  async waitForSignature(signRequestId: string, wait: () => Promise<void>, maxPolls = 120) {
    for (let i = 0; i < maxPolls; i++) {
      const { data } = await this.getSignatureStatus(signRequestId);
      if (data && data.state !== 'pending') return data;
      await wait();
    }
    throw new CamDigiKeyError('The signature request is still pending', ERROR_CODES.TRANSPORT);
  }

  /** The trust store's root, to verify signatures with (`verifySignature`). */
  get trustRoot(): X509Certificate {
    return this.trustedRoot;
  }
}

export interface SignatureRequest {
  text: { km?: string; en?: string };
  format?: 'plain' | 'markdown';
  document?: { name: string; sha256: string; pades?: { byteRangeSha256: string } };
}

export interface SignatureRequestResponse {
  signRequestId: string;
  verificationCode: string;
  expiresAt: string;
}
