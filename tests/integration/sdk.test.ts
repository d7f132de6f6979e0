/**
 * The SDK (`@camdigikey/client`) against a running platform, configured exactly as an integrator
 * configures the official library: the CAMDIGIKEY_* environment variables and the PKCS#12 files
 * the RP registry issued, over the mutual-TLS listener. Every function of the official API is
 * called, with a real web login (browser, QR, test device, PIN) in the middle; then the OIDC helper
 * logs in to an OIDC relying party the same way.
 */
import { type CamDigiKeyClient, CamDigiKeyError, CamDigiKeyOidc, ERROR_CODES } from '@camdigikey/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { issueClientApi, sdkFor } from '../support/client-api';
import { completeAndConsent, openLoginPage, scanAndApprove } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let sreymom: ActiveCitizen;
let sdk: CamDigiKeyClient;

beforeAll(async () => {
  server = await startTestServer({ env: { CLIENT_API_TLS_PORT: '0' } });
  sreymom = await activeCitizen(server, 8401);
  const rp = await registerRelyingParty(server, {
    appName: 'Pension Portal',
    domain: 'pension.example.gov.kh',
    allowedScopes: ['openid', 'profile', 'personal_code', 'face'],
  });
  const issued = await issueClientApi(server, rp.clientId, {
    successCallbackUrl: 'http://127.0.0.1:9999/callback',
    errorCallbackUrl: 'http://127.0.0.1:9999/fallback',
  });
  sdk = sdkFor(server, issued, `https://localhost:${server.clientApiTls!.port}`);
}, 120_000);
afterAll(async () => {
  sdk?.close();
  await server?.close();
});

describe('the client API through the SDK', () => {
  it('runs the whole official API around one web login', async () => {
    const login = await sdk.getLoginToken({ caseId: 'P-77' });
    expect(login.error).toBe(0);
    const browser = new TestBrowser();
    const page = await openLoginPage(server, browser, login.data!.loginUrl);
    await scanAndApprove(server, browser, sreymom, page);
    const callback = new URL(await completeAndConsent(server, browser, page));
    expect(callback.searchParams.get('caseId')).toBe('P-77');

    const { data: access } = await sdk.getUserAccessToken(callback.searchParams.get('authToken')!);
    const valid = await sdk.validateJwt(access!.accessToken);
    expect(valid).toMatchObject({
      is_valid: true,
      payload: { camdigikey_id: sreymom.accountId, last_name_en: sreymom.citizen.latinSurname, type: 'USER' },
    });
    const { data: face } = await sdk.getUserFace(access!.accessToken);
    expect(face!.face.length).toBeGreaterThan(100);

    const { data: refreshed } = await sdk.refreshUserAccessToken(access!.accessToken);
    expect((await sdk.validateJwt(access!.accessToken)).is_valid).toBe(false);

    const { data: org } = await sdk.getOrganizationAccessToken();
    const { data: found } = await sdk.lookupUserProfile(org!.accessToken, sreymom.citizen.documentNumber);
    expect(found).toMatchObject({ camdigikey_id: sreymom.accountId });
    const { data: verified } = await sdk.verifyAccountToken(found!.account_token);
    expect(verified).toMatchObject({ camdigikey_id: sreymom.accountId, user_status: 1 });

    await sdk.logoutAccessToken(refreshed!.accessToken);
    expect(await sdk.validateJwt(refreshed!.accessToken)).toEqual({
      is_valid: false,
      payload: expect.anything(),
    });
  });

  it('raises the server error codes as CamDigiKeyError and refuses a forged auth token locally', async () => {
    const { data: org } = await sdk.getOrganizationAccessToken();
    await expect(sdk.lookupUserProfile(org!.accessToken, 'N99999999')).rejects.toMatchObject({
      name: 'CamDigiKeyError',
      errorCode: ERROR_CODES.USER_NOT_FOUND,
    });
    const [h, p, s] = org!.accessToken.split('.');
    const forged = `${h}.${p}.${s!.slice(0, 20)}AAAA${s!.slice(24)}`;
    const refused = await sdk.getUserAccessToken(forged).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CamDigiKeyError);
    expect((refused as CamDigiKeyError).errorCode).toBe(ERROR_CODES.INVALID_TOKEN_SIGNATURE);
    expect(await sdk.validateJwt(forged)).toEqual({ is_valid: false, payload: null });
  });
});

describe('the OIDC helper', () => {
  it('logs in with code + PKCE and returns the ID token claims', async () => {
    const rp = await registerRelyingParty(server, { appName: 'Licence Portal', subjectType: 'public' });
    const oidc = await CamDigiKeyOidc.discover({
      issuer: `${server.url}/oidc`,
      clientId: rp.clientId,
      clientSecret: rp.clientSecret,
      redirectUri: 'http://127.0.0.1:9999/callback',
      allowHttp: true,
    });
    const { url, checks } = await oidc.start({ scope: 'openid profile', uiLocales: 'en' });
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    const browser = new TestBrowser();
    const page = await openLoginPage(server, browser, url.toString());
    await scanAndApprove(server, browser, sreymom, page);
    const callback = new URL(await completeAndConsent(server, browser, page));
    const { claims } = await oidc.finish(callback, checks);
    expect(claims).toMatchObject({ sub: sreymom.accountId, iss: `${server.url}/oidc`, aud: rp.clientId });
    await expect(oidc.finish(callback, checks)).rejects.toThrow();
  });
});
