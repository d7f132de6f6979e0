/**
 * Website login by QR code over OpenID Connect, with a real relying party (openid-client):
 * authorization code + PKCE through our login page, a test device that scans, matches the number
 * and approves with the PIN or Face ID, then tokens, claims, userinfo, refresh rotation, and
 * single sign-on to a second relying party without a QR.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { completeAndConsent, openLoginPage, scanAndApprove } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let sok: ActiveCitizen;
let rp: { clientId: string; clientSecret: string };
let config: oidc.Configuration;
const REDIRECT = 'http://127.0.0.1:9999/callback';

beforeAll(async () => {
  server = await startTestServer();
  sok = await activeCitizen(server, 8101, { faceId: true });
  // The sub is asserted to be the account id: a public client, by the administrator's choice.
  rp = await registerRelyingParty(server, { subjectType: 'public' });
  config = await discover(rp);
});
afterAll(async () => server?.close());

/** The relying party's view of the provider, as openid-client discovers it (HTTP allowed here). */
const discover = (client: { clientId: string; clientSecret: string }) =>
  oidc.discovery(
    new URL(`${server.url}/oidc`),
    client.clientId,
    undefined,
    oidc.ClientSecretBasic(client.clientSecret),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );

/** An authorization request; `prompt: null` sends none (the provider decides whether to ask). */
async function authorizationUrl(
  cfg: oidc.Configuration,
  scope = 'openid profile phone offline_access',
  { prompt = 'consent' }: { prompt?: string | null } = {},
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(cfg, {
    redirect_uri: REDIRECT,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(prompt === null ? {} : { prompt }),
  });
  return { url: url.toString(), verifier, state, nonce };
}

describe('QR login with the PIN', () => {
  const browser = new TestBrowser();
  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;

  it('shows the login page with the relying party, then logs in after scan, number match and PIN', async () => {
    const auth = await authorizationUrl(config);
    const page = await openLoginPage(server, browser, auth.url);
    expect(page.status).toBe(200);
    // Khmer by default: the relying party's registered Khmer name, and its domain.
    expect(page.html).toContain('ការចុះបញ្ជីអាជីវកម្ម');
    expect(page.html).toContain('business.example.gov.kh');
    const scanned = await scanAndApprove(server, browser, sok, page);
    expect(scanned.relyingParty).toMatchObject({
      name: 'Business Registration',
      domain: 'business.example.gov.kh',
    });
    const callback = await completeAndConsent(server, browser, page);
    expect(callback.startsWith(REDIRECT), callback).toBe(true);
    tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: auth.verifier,
      expectedState: auth.state,
      expectedNonce: auth.nonce,
    });
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(sok.accountId);
    expect(claims.acr).toBe('urn:camdigikey:acr:qr-pin');
    expect(claims.amr).toEqual(['qr', 'pin', 'hwk']);
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('signs ID tokens with ES256 and serves userinfo by scope', async () => {
    const header = JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString());
    expect(header.alg).toBe('ES256');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, sok.accountId);
    expect(info).toMatchObject({
      sub: sok.accountId,
      given_name: sok.citizen.latinGivenName,
      family_name: sok.citizen.latinSurname,
      'given_name#km': sok.citizen.khmerGivenName,
      'family_name#km': sok.citizen.khmerSurname,
      birthdate: sok.citizen.birthDate,
      phone_number_verified: true,
    });
    expect(info.email).toBeUndefined();
    expect(info.personal_code).toBeUndefined();
  });

  it('rotates refresh tokens and refuses the old one', async () => {
    const first = tokens.refresh_token!;
    const next = await oidc.refreshTokenGrant(config, first);
    expect(next.refresh_token).toBeTruthy();
    expect(next.refresh_token).not.toBe(first);
    await expect(oidc.refreshTokenGrant(config, first)).rejects.toMatchObject({ error: 'invalid_grant' });
    // Reuse of a rotated token revokes the whole chain (RFC 9700 §4.14.2): the new one dies too.
    await expect(oidc.refreshTokenGrant(config, next.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('logs in to a second relying party with one click ("Continue as"), without a QR', async () => {
    const second = await registerRelyingParty(server, {
      appName: 'Tax Portal',
      domain: 'tax.example.gov.kh',
      subjectType: 'public',
    });
    const cfg2 = await discover(second);
    const auth = await authorizationUrl(cfg2, 'openid profile');
    const page = await openLoginPage(server, browser, auth.url);
    expect(page.requestId).toBeUndefined(); // no QR
    expect(page.html).toContain('Tax Portal');
    expect(page.html).toContain(sok.citizen.khmerSurname);
    const uid = /action="\/login\/([^/"]+)\/consent"/.exec(page.html)?.[1];
    const allowed = await browser.form(`${server.url}/login/${uid}/consent`, { decision: 'allow' });
    const done = await browser.follow(
      new URL(allowed.headers.get('location')!, server.url).toString(),
      server.url,
    );
    const t2 = await oidc.authorizationCodeGrant(cfg2, new URL(done.url), {
      pkceCodeVerifier: auth.verifier,
      expectedState: auth.state,
      expectedNonce: auth.nonce,
    });
    expect(t2.claims()!.sub).toBe(sok.accountId);
  });
});

describe('consent remembered per account and relying party (ADR 0016)', () => {
  let dara: ActiveCitizen;
  let portal: { clientId: string; clientSecret: string };
  let cfg: oidc.Configuration;
  const CONSENT_FORM = /action="\/login\/([^/"]+)\/consent"/;

  beforeAll(async () => {
    dara = await activeCitizen(server, 8106);
    portal = await registerRelyingParty(server, {
      appName: 'Land Registry',
      domain: 'land.example.gov.kh',
      subjectType: 'public',
    });
    cfg = await discover(portal);
  });

  const request = (c: oidc.Configuration, scope: string) => authorizationUrl(c, scope, { prompt: null });

  /** A QR login; what the browser is shown once the phone approved. */
  async function qrLogin(browser: TestBrowser, scope = 'openid profile', c = cfg) {
    const { url, ...expected } = await request(c, scope);
    const page = await openLoginPage(server, browser, url);
    expect(page.requestId).toBeDefined();
    await scanAndApprove(server, browser, dara, page);
    const shown = await browser.follow(
      `${server.url}/login/${page.uid}/complete?request=${page.requestId}`,
      server.url,
    );
    const html = shown.url.startsWith(server.url) ? await shown.response.text() : '';
    return { shown, html, ...expected };
  }

  async function allow(browser: TestBrowser, html: string) {
    const uid = CONSENT_FORM.exec(html)?.[1];
    expect(uid, html.slice(0, 300)).toBeTruthy();
    const allowed = await browser.form(`${server.url}/login/${uid}/consent`, { decision: 'allow' });
    return browser.follow(new URL(allowed.headers.get('location')!, server.url).toString(), server.url);
  }

  const remembered = () =>
    server.deps.db
      .selectFrom('audit_events')
      .select(['details'])
      .where('action', '=', 'consent.remembered')
      .where('subject_id', '=', dara.accountId)
      .orderBy('seq')
      .execute();

  it('asks once; a QR login from a new browser then goes straight back with what was consented', async () => {
    // The first login asks, in its browser.
    const a = new TestBrowser();
    const asked = await qrLogin(a);
    expect(asked.html).toContain('Land Registry');
    const callbackA = (await allow(a, asked.html)).url;
    expect(callbackA.startsWith(REDIRECT), callbackA).toBe(true);
    const before = (await remembered()).length;
    const b = await qrLogin(new TestBrowser());
    expect(b.html, 'no consent page').toBe('');
    expect(b.shown.url.startsWith(REDIRECT), b.shown.url).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(cfg, new URL(b.shown.url), {
      pkceCodeVerifier: b.verifier,
      expectedState: b.state,
      expectedNonce: b.nonce,
    });
    expect(tokens.claims()?.sub).toBe(dara.accountId);
    // The profile scope came with the earlier consent: userinfo releases it.
    const info = await oidc.fetchUserInfo(cfg, tokens.access_token, dara.accountId);
    expect(info.family_name).toBeTruthy();
    const audits = await remembered();
    expect(audits).toHaveLength(before + 1);
    expect(audits.at(-1)?.details).toMatchObject({
      clientId: portal.clientId,
      scopes: ['openid', 'profile'],
    });
  });

  it('asks again for a scope the relying party was not given before', async () => {
    const wider = await qrLogin(new TestBrowser(), 'openid profile phone');
    expect(wider.html).toMatch(CONSENT_FORM);
  });

  it('does not skip "Continue as" on single sign-on: only a login the phone just approved finds the earlier consent', async () => {
    const browser = new TestBrowser();
    // A session in this browser, through another relying party (consented here).
    const other = await registerRelyingParty(server, {
      appName: 'Other Office',
      domain: 'other.example.gov.kh',
      subjectType: 'public',
    });
    const viaOther = await request(await discover(other), 'openid');
    const page = await openLoginPage(server, browser, viaOther.url);
    await scanAndApprove(server, browser, dara, page);
    const done = await completeAndConsent(server, browser, page);
    expect(done.startsWith(REDIRECT), done).toBe(true);
    // Land Registry was consented in other browsers: here, without a new approval, it still asks.
    const confirm = await openLoginPage(server, browser, (await request(cfg, 'openid profile')).url);
    expect(confirm.requestId).toBeUndefined(); // no QR: the session is there
    expect(confirm.html).toMatch(CONSENT_FORM);
  });

  it('carries over only the scopes the relying party may still be given', async () => {
    const clinic = await registerRelyingParty(server, {
      appName: 'Health Clinic',
      domain: 'clinic.example.gov.kh',
      subjectType: 'public',
      allowedScopes: ['openid', 'profile', 'phone'],
    });
    const clinicCfg = await discover(clinic);
    const first = new TestBrowser();
    const asked = await qrLogin(first, 'openid profile phone', clinicCfg);
    expect((await allow(first, asked.html)).url.startsWith(REDIRECT)).toBe(true);
    // The administrator narrows what the clinic may ask for.
    const narrowed = await fetch(`${server.url}/api/admin/v1/relying-parties/${clinic.clientId}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ allowedScopes: ['openid', 'profile'] }),
    });
    expect(narrowed.status).toBe(200);
    const again = await qrLogin(new TestBrowser(), 'openid profile', clinicCfg);
    expect(again.html, 'no consent page').toBe('');
    const audits = await remembered();
    expect(audits.at(-1)?.details).toMatchObject({
      clientId: clinic.clientId,
      scopes: ['openid', 'profile'],
    });
  });

  it('asks again after the citizen revoked the relying party in the app', async () => {
    const revoked = await dara.device.call('DELETE', `/api/device/v1/me/connections/${portal.clientId}`);
    expect(revoked.status).toBe(200);
    const after = await qrLogin(new TestBrowser());
    expect(after.html).toMatch(CONSENT_FORM);
  });
});

describe('QR login with Face ID', () => {
  it('approves with a WebAuthn assertion and says so in acr/amr', async () => {
    const browser = new TestBrowser();
    const auth = await authorizationUrl(config, 'openid');
    const page = await openLoginPage(server, browser, auth.url);
    await scanAndApprove(server, browser, sok, page, { method: 'face_id' });
    const callback = await completeAndConsent(server, browser, page);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: auth.verifier,
      expectedState: auth.state,
      expectedNonce: auth.nonce,
    });
    expect(tokens.claims()!.acr).toBe('urn:camdigikey:acr:qr-faceid');
    expect(tokens.claims()!.amr).toContain('face');
  });
});
