/**
 * Relying-party variants and provider lifecycle: a FAPI-style client (PAR + private_key_jwt),
 * pairwise subjects, RP-initiated logout with back-channel logout to the relying party, signing
 * key rotation (old keys stay published), and the registry API's validation and audit.
 */
import { createServer, type Server } from 'node:http';
import { rotateSigningKeys } from '@camdigikey/server/oidc/keys';
import { createRemoteJWKSet, decodeJwt, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { callbackAfterLoginPage, openLoginPage, scanAndApprove } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let vanna: ActiveCitizen;
const REDIRECT = 'http://127.0.0.1:9999/callback';

beforeAll(async () => {
  server = await startTestServer();
  vanna = await activeCitizen(server, 8301);
});
afterAll(async () => server?.close());

async function login(
  cfg: oidc.Configuration,
  browser: TestBrowser,
  options: { par?: boolean; scope?: string } = {},
) {
  const verifier = oidc.randomPKCECodeVerifier();
  const params = {
    redirect_uri: REDIRECT,
    scope: options.scope ?? 'openid profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
  };
  const url = options.par
    ? await oidc.buildAuthorizationUrlWithPAR(cfg, params)
    : oidc.buildAuthorizationUrl(cfg, params);
  const page = await openLoginPage(server, browser, url.toString());
  if (page.requestId) await scanAndApprove(server, browser, vanna, page);
  // Silent single sign-on: the same browser already consented to this relying party.
  const callback = page.url.startsWith(REDIRECT)
    ? page.url
    : await callbackAfterLoginPage(server, browser, page);
  if (!callback.startsWith(REDIRECT)) throw new Error(`login ended at ${callback}`);
  return oidc.authorizationCodeGrant(cfg, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: params.state,
    expectedNonce: params.nonce,
  });
}

const discover = (clientId: string, auth: oidc.ClientAuth) =>
  oidc.discovery(new URL(`${server.url}/oidc`), clientId, undefined, auth, {
    execute: [oidc.allowInsecureRequests],
  });

describe('a private_key_jwt client using PAR', () => {
  it('logs in end to end', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'rp-key-1', alg: 'ES256', use: 'sig' };
    const rp = await registerRelyingParty(server, {
      appName: 'Bank Portal',
      domain: 'bank.example.com.kh',
      subjectType: 'public',
      tokenEndpointAuthMethod: 'private_key_jwt',
      jwks: { keys: [jwk] },
    });
    expect(rp.clientSecret).toBeUndefined();
    const cfg = await discover(rp.clientId, oidc.PrivateKeyJwt({ key: privateKey, kid: 'rp-key-1' }));
    const tokens = await login(cfg, new TestBrowser(), { par: true });
    expect(tokens.claims()!.sub).toBe(vanna.accountId);
  });
});

describe('pairwise subjects', () => {
  it('give each pairwise relying party its own stable identifier', async () => {
    const rp = await registerRelyingParty(server, {
      appName: 'Health Portal',
      domain: 'health.example.gov.kh',
      subjectType: 'pairwise',
    });
    const cfg = await discover(rp.clientId, oidc.ClientSecretBasic(rp.clientSecret));
    const browser = new TestBrowser();
    const first = (await login(cfg, browser)).claims()!.sub;
    expect(first).not.toBe(vanna.accountId);
    const again = (await login(cfg, browser)).claims()!.sub;
    expect(again).toBe(first);
  });
});

describe('logout', () => {
  let receiver: Server;
  const received: string[] = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('ends the SSO session on RP-initiated logout and tells the relying party back-channel', async () => {
    const address = receiver.address() as { port: number };
    const rp = await registerRelyingParty(server, {
      appName: 'Land Registry',
      domain: 'land.example.gov.kh',
      subjectType: 'public',
      backchannelLogoutUri: `http://127.0.0.1:${address.port}/backchannel`,
    });
    const cfg = await discover(rp.clientId, oidc.ClientSecretBasic(rp.clientSecret));
    const browser = new TestBrowser();
    const tokens = await login(cfg, browser);
    const end = oidc.buildEndSessionUrl(cfg, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'http://127.0.0.1:9999/',
    });
    const confirm = await browser.fetch(end.toString());
    const html = await confirm.text();
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
    expect(form, html).toBeTruthy();
    const fields = Object.fromEntries(
      [...form![2]!.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    const done = await browser.form(new URL(form![1]!, server.url).toString(), { ...fields, logout: 'yes' });
    expect(done.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:9999\//);
    await expect.poll(() => received.length, { timeout: 5000 }).toBeGreaterThan(0);
    const logoutToken = decodeJwt(received[0]!);
    expect(logoutToken.sub).toBe(vanna.accountId);
    expect(logoutToken.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);
    // The SSO session is gone: the next authorization shows a QR again.
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    expect((await openLoginPage(server, browser, url.toString())).requestId).toBeTruthy();
  });
});

describe('signing key rotation', () => {
  it('publishes the new keys and keeps the old ones until their tokens expire', async () => {
    const rp = await registerRelyingParty(server, {
      appName: 'Pension Portal',
      domain: 'pension.example.gov.kh',
    });
    const cfg = await discover(rp.clientId, oidc.ClientSecretBasic(rp.clientSecret));
    const before = await login(cfg, new TestBrowser());
    const oldKid = JSON.parse(Buffer.from(before.id_token!.split('.')[0]!, 'base64url').toString()).kid;
    await rotateSigningKeys(server.deps.db, server.deps.envelope, 3600, server.deps.clock.now());
    const restarted = await startTestServer({ shareWith: server });
    try {
      const jwks = (await (await fetch(`${restarted.url}/oidc/jwks`)).json()) as { keys: { kid: string }[] };
      const kids = jwks.keys.map((k) => k.kid);
      expect(kids).toContain(oldKid);
      expect(kids.length).toBeGreaterThanOrEqual(4);
      await expect(
        jwtVerify(before.id_token!, createRemoteJWKSet(new URL(`${restarted.url}/oidc/jwks`)), {
          algorithms: ['ES256'],
        }),
      ).resolves.toBeTruthy();
      const meta = (await (await fetch(`${restarted.url}/oidc/.well-known/openid-configuration`)).json()) as {
        issuer: string;
      };
      expect(meta.issuer).toBe(`${restarted.url}/oidc`);
    } finally {
      await restarted.close();
    }
  });
});

describe('the relying-party registry', () => {
  const admin = () => ({
    authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
    'content-type': 'application/json',
  });

  it('refuses unsafe registrations with a stable code', async () => {
    const post = (body: Record<string, unknown>) =>
      fetch(`${server.url}/api/admin/v1/relying-parties`, {
        method: 'POST',
        headers: admin(),
        body: JSON.stringify({
          organisation: 'X Org',
          appName: 'X App',
          domain: 'x.example.kh',
          redirectUris: [REDIRECT],
          allowedScopes: ['openid'],
          ...body,
        }),
      });
    for (const bad of [
      { redirectUris: ['http://evil.example.com/callback'] },
      { redirectUris: ['https://x.example.kh/cb#frag'] },
      { allowedScopes: ['profile'] },
      { allowedScopes: ['openid', 'admin'] },
      { tokenEndpointAuthMethod: 'private_key_jwt' },
    ]) {
      const r = await post(bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    expect(
      (
        await fetch(`${server.url}/api/admin/v1/relying-parties`, {
          headers: { authorization: 'Bearer wrong' },
        })
      ).status,
    ).toBe(401);
  });

  it('suspends a relying party (its logins stop) and audits every change without the secret', async () => {
    const rp = await registerRelyingParty(server, { appName: 'Old Portal', domain: 'old.example.gov.kh' });
    const patch = await fetch(`${server.url}/api/admin/v1/relying-parties/${rp.clientId}`, {
      method: 'PATCH',
      headers: admin(),
      body: JSON.stringify({ status: 'suspended' }),
    });
    expect(patch.status).toBe(200);
    const r = await fetch(
      `${server.url}/oidc/auth?client_id=${rp.clientId}&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=openid`,
      { redirect: 'manual' },
    );
    expect(r.status).toBe(400);
    const events = await server.deps.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('subject_id', '=', rp.clientId)
      .execute();
    expect(events.map((e) => e.action)).toEqual(['relying_party.registered', 'relying_party.changed']);
    expect(JSON.stringify(events)).not.toContain(rp.clientSecret);
  });
});
