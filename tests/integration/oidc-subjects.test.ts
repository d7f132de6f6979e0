/**
 * Subject identifiers (issue 19, items 9 and 12): relying parties registered with defaults get
 * pairwise subjects (two portals cannot join their users; one portal sees a stable sub), public
 * only by an administrator's explicit choice, and a stored type survives later changes. A
 * pairwise relying party allowed CIBA works: its login page serves, and its backend names a
 * citizen by the sub it received (login_hint or id_token_hint); an account id, another portal's
 * sub or an unknown one all get unknown_user_id alike. A registration the provider could not
 * serve is refused when saved and never stored.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { callbackAfterLoginPage, openLoginPage, scanAndApprove } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let rotha: ActiveCitizen;
let other: ActiveCitizen;

beforeAll(async () => {
  server = await startTestServer();
  rotha = await activeCitizen(server, 8511);
  other = await activeCitizen(server, 8512);
});
afterAll(async () => server?.close());

type Client = {
  clientId: string;
  clientSecret?: string;
  key?: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
};
const admin = () => ({
  authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
  'content-type': 'application/json',
});
const basic = (c: Client) =>
  `Basic ${Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret ?? '')}`).toString('base64')}`;
/** A private_key_jwt client assertion (RFC 7523) for `client`. */
const assertion = (client: Client) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'desk-key' })
    .setIssuer(client.clientId)
    .setSubject(client.clientId)
    .setAudience(`${server.url}/oidc`)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('1m')
    .sign(client.key!);
const form = async (path: string, client: Client, fields: Record<string, string>) => {
  const auth: Record<string, string> = client.key
    ? {
        client_id: client.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(client),
      }
    : {};
  const r = await fetch(`${server.url}/oidc${path}`, {
    method: 'POST',
    headers: {
      ...(client.key ? {} : { authorization: basic(client) }),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ ...fields, ...auth }).toString(),
  });
  return { status: r.status, body: (await r.json()) as Record<string, string> };
};
/** A relying party using private_key_jwt with a fresh ES256 key. */
async function keyedRelyingParty(overrides: Record<string, unknown>): Promise<Client> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'desk-key', alg: 'ES256', use: 'sig' };
  const rp = await registerRelyingParty(server, {
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: { keys: [jwk] },
    ...overrides,
  });
  return { clientId: rp.clientId, key: privateKey };
}

/** A QR login of `who` to a relying party; returns its ID token. */
async function idTokenFor(
  client: Client,
  redirectUri: string,
  who: ActiveCitizen,
  browser = new TestBrowser(),
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const params = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid',
    state: oidc.randomState(),
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const page = await openLoginPage(server, browser, `${server.url}/oidc/auth?${params}`);
  expect(page.status, page.html.slice(0, 300)).toBe(200);
  if (page.requestId) await scanAndApprove(server, browser, who, page);
  const callback = await callbackAfterLoginPage(server, browser, page);
  const code = new URL(callback).searchParams.get('code');
  expect(code, callback).toBeTruthy();
  const tokens = await form('/token', client, {
    grant_type: 'authorization_code',
    code: code!,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return tokens.body.id_token!;
}
const subOf = (idToken: string) => decodeJwt(idToken).sub!;

describe('pairwise by default', () => {
  const HEALTH = 'http://127.0.0.1:9999/callback';
  const SCHOOL = 'http://localhost:9999/callback';

  it('gives two portals registered with defaults different subs, and each a stable one', async () => {
    const health = await registerRelyingParty(server, {
      appName: 'Health Portal',
      domain: 'health.example.gov.kh',
      redirectUris: [HEALTH],
      postLogoutRedirectUris: [],
    });
    const school = await registerRelyingParty(server, {
      appName: 'School Portal',
      domain: 'school.example.gov.kh',
      redirectUris: [SCHOOL],
      postLogoutRedirectUris: [],
    });
    for (const rp of [health, school]) {
      const view = (await (
        await fetch(`${server.url}/api/admin/v1/relying-parties/${rp.clientId}`, { headers: admin() })
      ).json()) as { subjectType: string };
      expect(view.subjectType).toBe('pairwise');
    }
    const browser = new TestBrowser();
    const atHealth = subOf(await idTokenFor(health, HEALTH, rotha, browser));
    const atSchool = subOf(await idTokenFor(school, SCHOOL, rotha, browser));
    expect(atHealth).not.toBe(atSchool);
    expect([atHealth, atSchool]).not.toContain(rotha.accountId);
    // Stable: the same portal sees the same sub on a later login (here a fresh browser).
    expect(subOf(await idTokenFor(health, HEALTH, rotha))).toBe(atHealth);
    // And another citizen gets another one.
    expect(subOf(await idTokenFor(health, HEALTH, other))).not.toBe(atHealth);
  });

  it('keeps public only by an explicit choice, and a stored type through later changes', async () => {
    const chosen = await registerRelyingParty(server, {
      appName: 'Open Data Portal',
      domain: 'data.example.gov.kh',
      subjectType: 'public',
    });
    expect(subOf(await idTokenFor(chosen, HEALTH, rotha))).toBe(rotha.accountId);
    const patched = await fetch(`${server.url}/api/admin/v1/relying-parties/${chosen.clientId}`, {
      method: 'PATCH',
      headers: admin(),
      body: JSON.stringify({ appName: 'Open Data Portal 2' }),
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { subjectType: string }).subjectType).toBe('public');
    const row = await server.deps.db
      .selectFrom('relying_parties')
      .select(['subject_type', 'token_endpoint_auth_method', 'post_logout_redirect_uris'])
      .where('client_id', '=', chosen.clientId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      subject_type: 'public',
      token_endpoint_auth_method: 'client_secret_basic',
      post_logout_redirect_uris: ['http://127.0.0.1:9999/'],
    });
  });
});

describe('a pairwise relying party with CIBA', () => {
  const REDIRECT = 'http://127.0.0.1:9999/callback';
  let bank: Client;
  let sub: string;
  let idToken: string;

  const start = (fields: Record<string, string>, client = bank) =>
    form('/backchannel', client, { scope: 'openid', binding_message: 'TELLER 7', ...fields });
  async function approveAndPoll(who: ActiveCitizen, authReqId: string, client = bank) {
    const listed = await who.device.call<{ approvals: { id: string }[] }>('GET', '/api/device/v1/approvals');
    const approval = listed.body.approvals.find((a) => a.id === authReqId);
    expect(approval, JSON.stringify(listed.body)).toBeTruthy();
    const approved = await who.device.call('POST', `/api/device/v1/approvals/${authReqId}/approve`, {
      pin: who.citizen.pin,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    return form('/token', client, {
      grant_type: 'urn:openid:params:grant-type:ciba',
      auth_req_id: authReqId,
    });
  }

  beforeAll(async () => {
    // CIBA Core §4: a pairwise CIBA client authenticates with private_key_jwt.
    bank = await keyedRelyingParty({
      appName: 'Teller desk',
      domain: 'teller.example.com.kh',
      redirectUris: [REDIRECT],
      allowedScopes: ['openid', 'profile', 'ciba'],
    });
  });

  it('is refused when saved with a client secret, which the provider could not serve', async () => {
    const r = await fetch(`${server.url}/api/admin/v1/relying-parties`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({
        organisation: 'Bank',
        appName: 'Secret desk',
        domain: 'secret.example.com.kh',
        redirectUris: [REDIRECT],
        allowedScopes: ['openid', 'ciba'],
      }),
    });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; details: { reason: string } } };
    expect(body.error.code).toBe('relying_party_unservable');
    expect(body.error.details.reason).toMatch(/private_key_jwt/);
  });

  it('is accepted as pairwise, and its login page and code flow work', async () => {
    const view = (await (
      await fetch(`${server.url}/api/admin/v1/relying-parties/${bank.clientId}`, { headers: admin() })
    ).json()) as { subjectType: string };
    expect(view.subjectType).toBe('pairwise');
    idToken = await idTokenFor(bank, REDIRECT, rotha);
    sub = subOf(idToken);
    expect(sub).not.toBe(rotha.accountId);
  });

  it('names the citizen by the sub it received, in login_hint', async () => {
    const started = await start({ login_hint: sub });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const tokens = await approveAndPoll(rotha, started.body.auth_req_id!);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(decodeJwt(tokens.body.id_token!)).toMatchObject({ sub, aud: bank.clientId });
  });

  it('names the citizen by an ID token it received, in id_token_hint', async () => {
    const started = await start({ id_token_hint: idToken });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const tokens = await approveAndPoll(rotha, started.body.auth_req_id!);
    expect(decodeJwt(tokens.body.id_token!).sub).toBe(sub);
  });

  it("answers unknown_user_id alike to an account id, another portal's sub or an unknown sub", async () => {
    const elsewhere = await keyedRelyingParty({
      appName: 'Other desk',
      domain: 'other.example.com.kh',
      redirectUris: ['http://localhost:9999/callback'],
      allowedScopes: ['openid', 'ciba'],
    });
    const foreignSub = subOf(await idTokenFor(elsewhere, 'http://localhost:9999/callback', rotha));
    const unknown = 'Zm9yZ2VkLXN1Yi1vZi1ub2JvZHktYXQtYWxsLTEyMzQ1';
    const answers = [];
    for (const hint of [rotha.accountId, foreignSub, unknown, other.accountId]) {
      const refused = await start({ login_hint: hint });
      answers.push([refused.status, refused.body.error]);
    }
    expect(answers).toEqual(Array(4).fill([400, 'unknown_user_id']));
    // The other portal is not confused either: it names rotha by its own sub.
    expect((await start({ login_hint: foreignSub }, elsewhere)).status).toBe(200);
  });
});

describe('registrations the provider could not serve', () => {
  const post = (body: Record<string, unknown>) =>
    fetch(`${server.url}/api/admin/v1/relying-parties`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({
        organisation: 'Key Org',
        appName: 'Unservable App',
        domain: 'keys.example.kh',
        redirectUris: ['http://127.0.0.1:9999/callback'],
        allowedScopes: ['openid'],
        ...body,
      }),
    });
  // A "public" JWKS holding a symmetric key passes the schema; the provider refuses it.
  const symmetric = { keys: [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', kid: 'k1' }] };

  it('refuses one when registered (400, stable code, bilingual) and stores nothing', async () => {
    const r = await post({ tokenEndpointAuthMethod: 'private_key_jwt', jwks: symmetric });
    expect(r.status).toBe(400);
    const body = (await r.json()) as {
      error: { code: string; message: { km: string; en: string }; details: { reason: string } };
    };
    expect(body.error.code).toBe('relying_party_unservable');
    expect(body.error.message.km).toBeTruthy();
    expect(body.error.message.en).toMatch(/not saved/);
    expect(body.error.details.reason).toBeTruthy();
    const stored = await server.deps.db
      .selectFrom('relying_parties')
      .select('client_id')
      .where('app_name', '=', 'Unservable App')
      .execute();
    expect(stored).toEqual([]);
  });

  it('refuses a change that would make one unservable and keeps the stored registration', async () => {
    const { exportJWK, generateKeyPair } = await import('jose');
    const { publicKey } = await generateKeyPair('ES256');
    const good = { keys: [{ ...(await exportJWK(publicKey)), kid: 'good', alg: 'ES256' }] };
    const created = await post({
      appName: 'Keyed App',
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: good,
    });
    expect(created.status).toBe(201);
    const { clientId } = (await created.json()) as { clientId: string };
    const patch = await fetch(`${server.url}/api/admin/v1/relying-parties/${clientId}`, {
      method: 'PATCH',
      headers: admin(),
      body: JSON.stringify({ jwks: symmetric }),
    });
    expect(patch.status).toBe(400);
    expect(((await patch.json()) as { error: { code: string } }).error.code).toBe('relying_party_unservable');
    const row = await server.deps.db
      .selectFrom('relying_parties')
      .select('jwks')
      .where('client_id', '=', clientId)
      .executeTakeFirstOrThrow();
    expect(row.jwks).toEqual(good);
    // And the stored registration still serves its login page.
    const page = await fetch(
      `${server.url}/oidc/auth?client_id=${clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9999/callback')}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256`,
      { redirect: 'manual' },
    );
    expect(page.headers.get('location')).toMatch(/^\/login\//);
  });
});
