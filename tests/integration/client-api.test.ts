/**
 * The CamDigiKey client API (rp-protocol.md), driven as an integrator's backend drives it: the
 * §2.3 envelope sealed with the credentials the RP registry issued, the web login through our
 * login page (QR, number matching, PIN) ending at the RP's callback with an auth token, the
 * token exchange, status claims, refresh, logout, organisation token, lookup by personal code,
 * account-token verification, the user's face, the signer chain checked against the issued
 * trust store, app-to-app approval, and the sad paths (bad MAC, unknown client, wrong key,
 * wrong domain, stale request, unregistered return URL, forged, reused and foreign tokens).
 * Tokens are also checked with the independent implementation written from the document alone.
 */
import { X509Certificate } from 'node:crypto';
import {
  type ClientKeys,
  decodeClientCredentials,
  type InnerResponse,
  openResponse,
  readPkcs12,
  sealRequest,
  verifyChain,
  verifyToken,
} from '@camdigikey/rp-protocol';
import {
  IndependentClient,
  javaStyleSignatureValid,
  nodeStyleSignatureValid,
} from '@camdigikey/rp-protocol/independent-client.test-helper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { type IssuedClientApi, issueClientApi } from '../support/client-api';
import { completeAndConsent, openLoginPage, scanAndApprove } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

const V3 = '/api/v3.0/authentication/service-account';
const V2 = '/api/v2.0/oauth2/client-lib';
const SUCCESS = 'http://127.0.0.1:9999/camdigikey/callback';
const FAILURE = 'http://127.0.0.1:9999/camdigikey/fallback';
const RETURN = 'http://127.0.0.1:9999/orders/return';

type Issued = IssuedClientApi;

let server: TestServer;
let dara: ActiveCitizen;
let issued: Issued;
let keys: ClientKeys;
let other: { issued: Issued; keys: ClientKeys };
let signerPem: string;

const issue = (
  rpClientId: string,
  body: { successCallbackUrl: string; errorCallbackUrl: string; returnUrls?: string[] },
) => issueClientApi(server, rpClientId, body);
const keysOf = (i: Issued) => decodeClientCredentials(i);

beforeAll(async () => {
  server = await startTestServer();
  dara = await activeCitizen(server, 8301, { faceId: false });
  const rp = await registerRelyingParty(server, {
    appName: 'Tax Portal',
    domain: 'localhost:3002',
    iosBundleId: 'kh.gov.tax.app',
    androidAppId: 'kh.gov.tax.android',
    allowedScopes: ['openid', 'profile', 'personal_code', 'face'],
  });
  issued = await issue(rp.clientId, {
    successCallbackUrl: SUCCESS,
    errorCallbackUrl: FAILURE,
    returnUrls: [RETURN],
  });
  keys = keysOf(issued);
  const second = await registerRelyingParty(server, {
    appName: 'Land Portal',
    domain: 'land.example.gov.kh',
  });
  const otherIssued = await issue(second.clientId, {
    successCallbackUrl: SUCCESS,
    errorCallbackUrl: FAILURE,
  });
  other = { issued: otherIssued, keys: keysOf(otherIssued) };
  const chain = (await (
    await fetch(`${server.url}/api/v3.0/authentication/certificates/access-token`)
  ).json()) as {
    data: string[];
  };
  signerPem = chain.data[0]!;
}, 120_000);
afterAll(async () => server?.close());

async function call<T = Record<string, unknown>>(path: string, inner: Record<string, unknown>, k = keys) {
  const r = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(sealRequest(k, { clientId: k.clientId, ...inner })),
  });
  expect(r.status).toBe(200);
  return openResponse<T>(k, await r.json());
}
const ok = <T>(reply: InnerResponse<T>) => {
  expect(reply.error, reply.message).toBe(0);
  return reply.data as T;
};

/** One web login as an RP runs it: login token, browser to loginUrl, QR + PIN, back to the callback. */
async function webLogin(extra: Record<string, unknown> = {}, approve = true) {
  const data = ok(
    await call<{ loginToken: string; loginUrl: string }>(`${V3}/login-token`, {
      domain: 'localhost:3002',
      requestedDate: server.clock.now().getTime(),
      ...extra,
    }),
  );
  expect(data.loginUrl).toContain('login?loginToken=');
  const browser = new TestBrowser();
  const page = await openLoginPage(server, browser, data.loginUrl);
  expect(page.html).toContain('Tax Portal');
  if (approve) {
    await scanAndApprove(server, browser, dara, page);
    return { ...data, callback: new URL(await completeAndConsent(server, browser, page)) };
  }
  const aborted = await browser.form(`${server.url}/login/${page.uid}/abort`, {});
  const back = await browser.follow(
    new URL(aborted.headers.get('location')!, server.url).toString(),
    server.url,
  );
  return { ...data, callback: new URL(back.url) };
}

describe('credentials and the signer chain', () => {
  it('issues the §2.1 formats and PKCS#12 files whose root is the root of the token signer chain', async () => {
    expect(issued.clientId).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    for (const key of [issued.hmacKey, issued.secretKey]) expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(Buffer.from(issued.ivParam, 'base64')).toHaveLength(16);
    const keystore = readPkcs12(Buffer.from(issued.keystore.base64, 'base64'), issued.keystore.password);
    expect(keystore.find((e) => e.privateKey)?.friendlyName).toBe('camdigikey_tls_key');
    const trust = readPkcs12(Buffer.from(issued.truststore.base64, 'base64'), issued.truststore.password);
    const root = trust[0]!.certificate!;
    const chain = (await (
      await fetch(`${server.url}/api/v2.0/certificates/access-token-certificate-chain`)
    ).json()) as {
      data: string[];
    };
    expect(chain.data).toHaveLength(3);
    expect(new X509Certificate(chain.data.at(-1)!).fingerprint256).toBe(root.fingerprint256);
    expect(() =>
      verifyChain(chain.data, root, { purpose: 'tokenSigning', now: server.clock.now() }),
    ).not.toThrow();
    expect(() => readPkcs12(Buffer.from(issued.keystore.base64, 'base64'), 'wrong password')).toThrow();
  });

  it('lists the registered domains for the Java client', async () => {
    const body = (await (await fetch(`${server.url}/api/v2.0/clients`)).json()) as {
      error: number;
      data: string[];
    };
    expect(body.error).toBe(0);
    expect(body.data).toEqual(expect.arrayContaining(['localhost:3002', 'land.example.gov.kh']));
  });
});

describe('the web login', () => {
  let accessToken: string;

  it('ends at the success callback with an auth token and the callback vars, exchanged once', async () => {
    const login = await webLogin({ callbackVars: { orderId: '42' } });
    expect(`${login.callback.origin}${login.callback.pathname}`).toBe(SUCCESS);
    expect(login.callback.searchParams.get('orderId')).toBe('42');
    const authToken = login.callback.searchParams.get('authToken')!;
    expect(() => verifyToken(authToken, signerPem, { now: server.clock.now() })).not.toThrow();
    expect(nodeStyleSignatureValid(authToken, signerPem)).toBe(true);
    expect(javaStyleSignatureValid(authToken, signerPem)).toBe(true);
    accessToken = ok(await call<{ accessToken: string }>(`${V3}/access-token`, { authToken })).accessToken;
    expect(nodeStyleSignatureValid(accessToken, signerPem)).toBe(true);
    const again = await call(`${V3}/access-token`, { authToken: encodeURIComponent(authToken) });
    expect(again).toMatchObject({ error: 104 });
  });

  it('answers the token status with the §5 claims of the citizen', async () => {
    const status = ok(await call(`${V3}/access-token/status`, { accessToken }));
    expect(status).toMatchObject({
      status: true,
      accessToken,
      domain: 'localhost:3002',
      iss: 'CamDX-CamDigiKey',
      type: 'USER',
      camdigikey_id: dara.accountId,
      personal_code: dara.citizen.documentNumber,
      first_name_en: dara.citizen.latinGivenName,
      last_name_en: dara.citizen.latinSurname,
      first_name_kh: dara.citizen.khmerGivenName,
      last_name_kh: dara.citizen.khmerSurname,
      gender: dara.citizen.gender === 'male' ? 'M' : 'F',
      dob: dara.citizen.birthDate,
      nationality: 'KH',
      mobile_phone: expect.stringMatching(/^\+855\d{8,9}$/),
    });
    expect(status.exp as number).toBe((status.iat as number) + 10 * 60_000);
    // v2 path, same answer
    expect(ok(await call(`${V2}/status-access-token`, { accessToken }))).toMatchObject({ status: true });
  });

  it('refreshes (the old token dies at once) and logs out (the token dies, twice is refused)', async () => {
    const refreshed = ok(
      await call<{ accessToken: string; service_account_id: string; created_date: number }>(
        `${V3}/refresh-access-token`,
        { accessToken },
      ),
    );
    expect(refreshed.service_account_id).toBe(issued.clientId);
    expect(ok(await call(`${V3}/access-token/status`, { accessToken }))).toEqual({
      status: false,
      accessToken,
    });
    expect(await call(`${V3}/refresh-access-token`, { accessToken })).toMatchObject({ error: 104 });
    const fresh = refreshed.accessToken;
    const out = ok(await call(`${V2}/logout-access-token`, { accessToken: fresh }));
    expect(out).toMatchObject({ accessToken: fresh, status: 0 });
    expect(ok(await call(`${V3}/access-token/status`, { accessToken: fresh }))).toMatchObject({
      status: false,
    });
    expect(await call(`${V3}/access-token/logout`, { accessToken: fresh })).toMatchObject({ error: 104 });
    expect(await call(`${V3}/refresh-access-token`, { accessToken: fresh })).toMatchObject({ error: 104 });
  });

  it('honours a whitelisted return URL and refuses another; sends a rejection to the error callback', async () => {
    const toReturn = await webLogin({ successReturnUrl: RETURN });
    expect(`${toReturn.callback.origin}${toReturn.callback.pathname}`).toBe(RETURN);
    expect(
      await call(`${V3}/login-token`, {
        domain: 'localhost:3002',
        successReturnUrl: 'https://evil.example/steal',
      }),
    ).toMatchObject({ error: 112 });
    const rejected = await webLogin({ callbackVars: { orderId: '7' } }, false);
    expect(`${rejected.callback.origin}${rejected.callback.pathname}`).toBe(FAILURE);
    expect(rejected.callback.searchParams.get('errorCode')).toBe('401');
    expect(rejected.callback.searchParams.get('errorMessage')).toBeTruthy();
    expect(rejected.callback.searchParams.get('orderId')).toBe('7');
  });

  it('expires access tokens after 10 minutes', async () => {
    const login = await webLogin();
    const token = ok(
      await call<{ accessToken: string }>(`${V3}/access-token`, {
        authToken: login.callback.searchParams.get('authToken'),
      }),
    ).accessToken;
    server.clock.advance(10 * 60_000 + 1000);
    expect(ok(await call(`${V3}/access-token/status`, { accessToken: token }))).toMatchObject({
      status: false,
    });
    expect(await call(`${V3}/refresh-access-token`, { accessToken: token })).toMatchObject({ error: 103 });
  });
});

describe('organisation tokens, lookup and the face', () => {
  it('issues an organisation token without a domain (the v3 library bug) and reports its status', async () => {
    const org = ok(await call<{ accessToken: string }>(`${V3}/organization-access-token`, {}));
    expect(ok(await call(`${V3}/access-token/status`, { accessToken: org.accessToken }))).toMatchObject({
      status: true,
      type: 'ORGANIZATION',
      domain: 'localhost:3002',
    });
    expect(await call(`${V3}/organization-access-token`, { domain: 'other.example' })).toMatchObject({
      error: 102,
    });
  });

  it('looks a citizen up by personal code and verifies the account token; an unknown code is an error', async () => {
    const org = ok(await call<{ accessToken: string }>(`${V3}/organization-access-token`, {})).accessToken;
    const found = ok(
      await call<Record<string, unknown> & { account_token: string }>(`${V3}/lookup`, {
        domain: 'localhost:3002',
        accessToken: org,
        personalCode: dara.citizen.documentNumber.toLowerCase(),
      }),
    );
    expect(found).toMatchObject({
      camdigikey_id: dara.accountId,
      given_name_en: dara.citizen.latinGivenName,
      surname_kh: dara.citizen.khmerSurname,
      personal_code: dara.citizen.documentNumber,
      expired_date: expect.any(Number),
    });
    const verified = ok(
      await call(`${V2}/verify-user-profile`, {
        domain: 'localhost:3002',
        accountToken: found.account_token,
      }),
    );
    expect(verified).toMatchObject({ camdigikey_id: dara.accountId, user_status: 1 });
    expect(verified).not.toHaveProperty('account_token');
    expect(
      await call(`${V3}/lookup`, { domain: 'localhost:3002', accessToken: org, personalCode: 'N00000000' }),
    ).toMatchObject({ error: 113 });
    const lookups = await server.deps.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'client_api.lookup')
      .execute();
    expect(lookups).toHaveLength(2);
    expect(JSON.stringify(lookups)).not.toContain(dara.citizen.documentNumber);
  });

  it('gives the face only to a client allowed it', async () => {
    const login = await webLogin();
    const token = ok(
      await call<{ accessToken: string }>(`${V3}/access-token`, {
        authToken: login.callback.searchParams.get('authToken'),
      }),
    ).accessToken;
    const face = ok(await call<{ face: string }>(`${V3}/user-face`, { accessToken: token }));
    expect(Buffer.from(face.face, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const org = ok(
      await call<{ accessToken: string }>(`${V3}/organization-access-token`, {}, other.keys),
    ).accessToken;
    expect(await call(`${V3}/user-face`, { accessToken: org }, other.keys)).toMatchObject({ error: 114 });
  });
});

describe('what the envelope refuses', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers a bad MAC and an unknown client alike, without decrypting anything', async () => {
    const wrongMac = sealRequest({ ...keys, hmacKey: Buffer.alloc(32, 9) }, { domain: 'localhost:3002' });
    const unknown = sealRequest({ ...keys, clientId: Buffer.alloc(32, 7).toString('base64') }, {});
    const a = await post(`${V3}/login-token`, wrongMac);
    const b = await post(`${V3}/login-token`, unknown);
    expect([a.status, b.status]).toEqual([401, 401]);
    expect(await a.json()).toEqual(await b.json());
    const malformed = await post(`${V3}/login-token`, { clientId: issued.clientId });
    expect(malformed.status).toBe(400);
    const refused = await server.deps.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'client_api.refused')
      .execute();
    expect(refused.map((r) => (r.details as { reason: string }).reason)).toEqual(
      expect.arrayContaining(['bad_signature', 'unknown_client']),
    );
  });

  it('seals an error for a wrong AES key, a wrong domain, a stale request and missing fields', async () => {
    const wrongAes = sealRequest({ ...keys, secretKey: Buffer.alloc(32, 3) }, { domain: 'localhost:3002' });
    const r = await post(`${V3}/login-token`, wrongAes);
    expect(openResponse(keys, await r.json())).toMatchObject({ error: 110 });
    expect(await call(`${V3}/login-token`, { domain: 'http://localhost:3002' })).toMatchObject({
      error: 102,
    });
    expect(
      await call(`${V3}/login-token`, {
        domain: 'localhost:3002',
        requestedDate: server.clock.now().getTime() - 3_600_000,
      }),
    ).toMatchObject({ error: 111 });
    expect(await call(`${V3}/access-token`, {})).toMatchObject({ error: 110 });
  });

  it('refuses forged tokens and tokens of another client', async () => {
    const org = ok(await call<{ accessToken: string }>(`${V3}/organization-access-token`, {})).accessToken;
    const [h, p, s] = org.split('.');
    const forged = `${h}.${p!.slice(0, -6)}AAAA==.${s}`;
    expect(ok(await call(`${V3}/access-token/status`, { accessToken: forged }))).toMatchObject({
      status: false,
    });
    expect(await call(`${V3}/access-token/logout`, { accessToken: forged })).toMatchObject({ error: 101 });
    expect(await call(`${V3}/access-token/logout`, { accessToken: org }, other.keys)).toMatchObject({
      error: 102,
    });
    expect(ok(await call(`${V3}/access-token/status`, { accessToken: org }, other.keys))).toMatchObject({
      status: false,
    });
  });

  it('speaks to an independent client written from the document alone', async () => {
    const client = new IndependentClient(issued);
    const r = await post(
      `${V2}/organization-access-token`,
      client.wrapRequest({ clientId: issued.clientId }),
    );
    const inner = client.unwrapResponse((await r.json()) as { data: string; signature: string }) as {
      error: number;
      data: { accessToken: string };
    };
    expect(inner.error).toBe(0);
    expect(nodeStyleSignatureValid(inner.data.accessToken, signerPem)).toBe(true);
  });
});

describe('app-to-app login', () => {
  const APP = '/api/device/v1/app-login';
  const loginToken = async () =>
    ok(await call<{ loginToken: string }>(`${V3}/login-token`, { domain: 'localhost:3002' })).loginToken;

  it('shows the requesting app, approves with the PIN and returns to the registered app scheme', async () => {
    const token = await loginToken();
    const inspected = await dara.device.call('POST', `${APP}/inspect`, { loginToken: token });
    expect(inspected.body).toMatchObject({ relyingParty: { name: 'Tax Portal', domain: 'localhost:3002' } });
    const approved = await dara.device.call<{ authToken: string; callbackUrl: string }>(
      'POST',
      `${APP}/approve`,
      {
        loginToken: token,
        pin: dara.citizen.pin,
      },
    );
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.callbackUrl).toBe(
      `kh.gov.tax.app://camdigikey_login_callback?authToken=${encodeURIComponent(approved.body.authToken)}`,
    );
    const access = ok(
      await call<{ accessToken: string }>(`${V3}/access-token`, { authToken: approved.body.authToken }),
    );
    expect(ok(await call(`${V3}/access-token/status`, { accessToken: access.accessToken }))).toMatchObject({
      status: true,
      camdigikey_id: dara.accountId,
    });
    const reused = await dara.device.call('POST', `${APP}/approve`, {
      loginToken: token,
      pin: dara.citizen.pin,
    });
    expect(reused.status).toBe(410);
  });

  it('approves with Face ID: an assertion over the challenge bound to this login token', async () => {
    const sokha = await activeCitizen(server, 8302, { faceId: true });
    const token = await loginToken();
    const options = await sokha.device.call<{ publicKey: never }>('POST', `${APP}/face-id/options`, {
      loginToken: token,
    });
    expect(options.status, JSON.stringify(options.body)).toBe(200);
    const assertion = await sokha.authenticator!.getAssertion(options.body.publicKey, server.url);
    const approved = await sokha.device.call<{ authToken: string }>('POST', `${APP}/approve`, {
      loginToken: token,
      assertion,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const access = ok(
      await call<{ accessToken: string }>(`${V3}/access-token`, { authToken: approved.body.authToken }),
    );
    expect(ok(await call(`${V3}/access-token/status`, { accessToken: access.accessToken }))).toMatchObject({
      camdigikey_id: sokha.accountId,
    });
    // An assertion without options for this token, or both PIN and assertion, are refused.
    const other = await loginToken();
    const unbound = await sokha.device.call<{ error: { code: string } }>('POST', `${APP}/approve`, {
      loginToken: other,
      assertion,
    });
    expect([unbound.status, unbound.body.error.code]).toEqual([400, 'webauthn_failed']);
    const both = await sokha.device.call('POST', `${APP}/approve`, {
      loginToken: other,
      assertion,
      pin: '111111',
    });
    expect(both.status).toBe(400);
  });

  it('returns a rejection to the Android app with a message, and refuses a wrong PIN', async () => {
    const token = await loginToken();
    const wrong = await dara.device.call<{ error: { code: string } }>('POST', `${APP}/approve`, {
      loginToken: token,
      pin: '000000' === dara.citizen.pin ? '111111' : '000000',
    });
    expect([wrong.status, wrong.body.error.code]).toEqual([400, 'pin_invalid']);
    const rejected = await dara.device.call<{ callbackUrl: string }>('POST', `${APP}/reject`, {
      loginToken: token,
      platform: 'android',
    });
    expect(rejected.body.callbackUrl).toMatch(
      /^kh\.gov\.tax\.android:\/\/camdigikey_login_callback\?message=/,
    );
    const forged = await dara.device.call('POST', `${APP}/inspect`, {
      loginToken: `${token.slice(0, -8)}AAAAAA==`,
    });
    expect(forged.status).toBe(410);
  });

  it('counts the login funnel of both channels in the metrics, expiries included', async () => {
    const counts = async () =>
      Object.fromEntries(
        (await server.deps.metrics.loginEvents.get()).values.map((v) => [
          `${v.labels.channel}.${v.labels.event}`,
          v.value,
        ]),
      );
    const before = await counts();
    const delta = async () => {
      const after = await counts();
      return Object.fromEntries(
        Object.entries(after)
          .map(([k, v]) => [k, v - (before[k] ?? 0)])
          .filter(([, v]) => v !== 0),
      );
    };
    await webLogin();
    const approved = await loginToken();
    await dara.device.call('POST', `${APP}/inspect`, { loginToken: approved });
    await dara.device.call('POST', `${APP}/approve`, { loginToken: approved, pin: dara.citizen.pin });
    await dara.device.call('POST', `${APP}/reject`, { loginToken: await loginToken() });
    const late = await loginToken();
    server.clock.advance((server.deps.config.clientApi.loginTokenSeconds + 1) * 1000);
    expect((await dara.device.call('POST', `${APP}/inspect`, { loginToken: late })).status).toBe(410);
    expect(await delta()).toEqual({
      'qr.requested': 1,
      'qr.scanned': 1,
      'qr.approved': 1,
      'qr.completed': 1,
      'app.scanned': 1,
      'app.approved': 1,
      'app.rejected': 1,
      'app.expired': 1,
    });
  });
});
