/**
 * Negative tests of web login (RFC 9700, security-rules.md, the web-login issue): redirect URI
 * matching, PKCE, code reuse, stale and foreign QR codes, a second device, the number match, PIN
 * lockout, accounts that cannot log in, browser binding, token integrity.
 */
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { completeAndConsent, LOGIN, openLoginPage, scanAndApprove } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let dara: ActiveCitizen;
let rp: { clientId: string; clientSecret: string };
let config: oidc.Configuration;
const REDIRECT = 'http://127.0.0.1:9999/callback';

beforeAll(async () => {
  server = await startTestServer();
  dara = await activeCitizen(server, 8201);
  rp = await registerRelyingParty(server);
  config = await oidc.discovery(
    new URL(`${server.url}/oidc`),
    rp.clientId,
    undefined,
    oidc.ClientSecretBasic(rp.clientSecret),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
});
afterAll(async () => server?.close());

const authParams = async (extra: Record<string, string> = {}) => {
  const verifier = oidc.randomPKCECodeVerifier();
  return {
    verifier,
    params: {
      client_id: rp.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    } as Record<string, string>,
  };
};
const authUrl = (params: Record<string, string>) => `${server.url}/oidc/auth?${new URLSearchParams(params)}`;

async function fullLogin(browser: TestBrowser, who: ActiveCitizen) {
  const { verifier, params } = await authParams();
  const page = await openLoginPage(server, browser, authUrl(params));
  await scanAndApprove(server, browser, who, page);
  const callback = await completeAndConsent(server, browser, page);
  return { callback, verifier, params };
}

describe('authorization request checks', () => {
  it('refuses a near-miss redirect URI without redirecting to it', async () => {
    const { params } = await authParams({ redirect_uri: `${REDIRECT}/../evil` });
    for (const redirect of [
      `${REDIRECT}/x`,
      'http://127.0.0.1:9999/callback?x=1',
      'http://127.0.0.1:9998/callback',
      'https://127.0.0.1:9999/callback',
    ]) {
      const r = await fetch(authUrl({ ...params, redirect_uri: redirect }), { redirect: 'manual' });
      expect(r.status, redirect).toBe(400);
      expect(r.headers.get('location')).toBeNull();
    }
  });

  it('requires PKCE with S256: missing or plain is refused', async () => {
    const { params } = await authParams();
    const { code_challenge: _c, code_challenge_method: _m, ...withoutPkce } = params;
    const missing = await fetch(authUrl(withoutPkce), { redirect: 'manual' });
    expect(missing.headers.get('location')).toMatch(/error=invalid_request/);
    const plain = await fetch(
      authUrl({ ...params, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }),
      { redirect: 'manual' },
    );
    expect(plain.headers.get('location')).toMatch(/error=invalid_request/);
  });

  it('publishes no "none" algorithm and requires S256 in discovery', async () => {
    const meta = (await (
      await fetch(`${server.url}/oidc/.well-known/openid-configuration`)
    ).json()) as Record<string, string[]>;
    expect(meta.id_token_signing_alg_values_supported).not.toContain('none');
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.pushed_authorization_request_endpoint).toBeTruthy();
    expect(meta.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'private_key_jwt']),
    );
  });
});

describe('authorization codes and tokens', () => {
  it('accepts a code once; a second use fails and revokes the tokens issued from it', async () => {
    const browser = new TestBrowser();
    const { callback, verifier, params } = await fullLogin(browser, dara);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: params.state,
      expectedNonce: params.nonce,
    });
    await expect(
      oidc.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: verifier,
        expectedState: params.state,
        expectedNonce: params.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.fetchUserInfo(config, tokens.access_token, dara.accountId)).rejects.toBeTruthy();
  });

  it('refuses a code with the wrong PKCE verifier', async () => {
    const browser = new TestBrowser();
    const { callback, params } = await fullLogin(browser, dara);
    await expect(
      oidc.authorizationCodeGrant(config, new URL(callback), {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: params.state,
        expectedNonce: params.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('ID tokens verify against the JWKS, and a tampered or alg:none token does not', async () => {
    const browser = new TestBrowser();
    const { callback, verifier, params } = await fullLogin(browser, dara);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: params.state,
      expectedNonce: params.nonce,
    });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/oidc/jwks`));
    const options = { issuer: `${server.url}/oidc`, audience: rp.clientId, algorithms: ['ES256'] };
    await expect(jwtVerify(tokens.id_token!, jwks, options)).resolves.toBeTruthy();
    const [h, p, s] = tokens.id_token!.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
    await expect(jwtVerify(`${h}.${forged}.${s}`, jwks, options)).rejects.toThrow();
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expect(jwtVerify(`${none}.${p}.`, jwks, options)).rejects.toThrow();
    const userinfo = await fetch(`${server.url}/oidc/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}x` },
    });
    expect(userinfo.status).toBe(401);
  });
});

describe('the QR and the phone', () => {
  const started = async () => {
    const browser = new TestBrowser();
    const { params } = await authParams();
    const page = await openLoginPage(server, browser, authUrl(params));
    const events = await browser.events(`${server.url}/login/${page.uid}/events?request=${page.requestId}`);
    const qr = await events.next<{ payload: string }>('qr');
    events.close();
    return { browser, page, qr: qr.payload };
  };

  it('refuses a QR older than a few seconds (it changes every second)', async () => {
    const { qr } = await started();
    server.clock.advance(6_000);
    const r = await dara.device.call<{ error: { code: string } }>('POST', `${LOGIN}/scan`, { qr });
    expect(r.body.error.code).toBe('qr_expired');
  });

  it('refuses a QR whose code belongs to another login request, or is not ours', async () => {
    const a = await started();
    const b = await started();
    const [, idB] = b.qr.split('.');
    const [, , t, macA] = a.qr.split('.');
    const forged = `CDK1.${idB}.${t}.${macA}`;
    expect(
      (await dara.device.call<{ error: { code: string } }>('POST', `${LOGIN}/scan`, { qr: forged })).body
        .error.code,
    ).toBe('qr_invalid');
    expect(
      (
        await dara.device.call<{ error: { code: string } }>('POST', `${LOGIN}/scan`, {
          qr: 'https://evil.example/login',
        })
      ).body.error.code,
    ).toBe('qr_invalid');
  });

  it('lets one device claim a request; a second device can neither claim nor approve it', async () => {
    const other = await activeCitizen(server, 8202);
    const { qr } = await started();
    const scan = await dara.device.call<{ requestId: string; choices: string[] }>('POST', `${LOGIN}/scan`, {
      qr,
    });
    expect(scan.status).toBe(200);
    expect(
      (await other.device.call<{ error: { code: string } }>('POST', `${LOGIN}/scan`, { qr })).body.error.code,
    ).toBe('login_request_claimed');
    const steal = await other.device.call<{ error: { code: string } }>(
      'POST',
      `${LOGIN}/${scan.body.requestId}/approve`,
      { matchCode: scan.body.choices[0], pin: other.citizen.pin },
    );
    expect(steal.body.error.code).toBe('login_request_not_found');
  });

  it('cancels the login when the wrong number is picked, and the page is told', async () => {
    const { browser, page, qr } = await started();
    const events = await browser.events(`${server.url}/login/${page.uid}/events?request=${page.requestId}`);
    const scan = await dara.device.call<{ requestId: string; choices: string[] }>('POST', `${LOGIN}/scan`, {
      qr,
    });
    const claimed = await events.next<{ matchCode: string; state?: string }>(
      'status',
      (s) => s.state === 'claimed',
    );
    const wrong = scan.body.choices.find((c) => c !== claimed.matchCode)!;
    const r = await dara.device.call<{ error: { code: string } }>(
      'POST',
      `${LOGIN}/${scan.body.requestId}/approve`,
      { matchCode: wrong, pin: dara.citizen.pin },
    );
    expect(r.body.error.code).toBe('login_wrong_code');
    expect(await events.next('status', (s: { state?: string }) => s.state === 'rejected')).toMatchObject({
      reason: 'wrong_code',
    });
    events.close();
  });

  it('lets only the browser that started the login complete it', async () => {
    const { page, qr } = await started();
    const scan = await dara.device.call<{ requestId: string }>('POST', `${LOGIN}/scan`, { qr });
    const code = await server.deps.db
      .selectFrom('login_requests')
      .select('match_code')
      .where('id', '=', scan.body.requestId)
      .executeTakeFirstOrThrow();
    await dara.device.call('POST', `${LOGIN}/${scan.body.requestId}/approve`, {
      matchCode: code.match_code,
      pin: dara.citizen.pin,
    });
    const attacker = new TestBrowser();
    const r = await attacker.fetch(`${server.url}/login/${page.uid}/complete?request=${page.requestId}`);
    expect(r.status).toBe(400);
    expect(r.headers.get('location')).toBeNull();
    const events = await fetch(`${server.url}/login/${page.uid}/events?request=${page.requestId}`);
    expect(events.status).toBe(404);
  });

  it("streams the QR and the number only to the browser holding this login request's own cookie", async () => {
    const a = await started();
    const b = await started();
    const stream = (page: typeof a.page, cookie: string | undefined) =>
      fetch(`${server.url}/login/${page.uid}/events?request=${page.requestId}`, {
        headers: cookie === undefined ? {} : { cookie },
      });
    const refusedAs = async (r: Response) => {
      expect(r.status).toBe(404);
      const text = await r.text();
      expect(text).not.toContain('CDK1.');
      expect(text).not.toContain('matchCode');
      const body = JSON.parse(text) as { error: { code: string; message: { km: string; en: string } } };
      expect(body.error.code).toBe('login_request_not_found');
      expect(body.error.message.km).toBeTruthy();
      expect(body.error.message.en).toBeTruthy();
    };
    await refusedAs(await stream(a.page, 'cdk_lr=forged'));
    await refusedAs(await stream(a.page, `cdk_lr=${b.browser.cookies.get('cdk_lr')}`));
    await refusedAs(await stream(a.page, undefined));
    // Another login's request id under this page's interaction, even with that login's cookie.
    await refusedAs(
      await fetch(`${server.url}/login/${a.page.uid}/events?request=${b.page.requestId}`, {
        headers: { cookie: `cdk_lr=${b.browser.cookies.get('cdk_lr')}` },
      }),
    );
    // Once claimed, the number is streamed to the right browser only.
    const scan = await dara.device.call<{ choices: string[] }>('POST', `${LOGIN}/scan`, { qr: a.qr });
    expect(scan.status).toBe(200);
    await refusedAs(await stream(a.page, 'cdk_lr=forged'));
    const own = await a.browser.events(
      `${server.url}/login/${a.page.uid}/events?request=${a.page.requestId}`,
    );
    const claimed = await own.next<{ state: string; matchCode?: string }>('status');
    own.close();
    expect(claimed.state).toBe('claimed');
    expect(scan.body.choices).toContain(claimed.matchCode);
  });

  it('tells the phone the login was cancelled when it tries again after a wrong number', async () => {
    const { qr } = await started();
    const scan = await dara.device.call<{ requestId: string; choices: string[] }>('POST', `${LOGIN}/scan`, {
      qr,
    });
    const row = await server.deps.db
      .selectFrom('login_requests')
      .select('match_code')
      .where('id', '=', scan.body.requestId)
      .executeTakeFirstOrThrow();
    const wrong = scan.body.choices.find((c) => c !== row.match_code)!;
    const first = await dara.device.call<{ error: { code: string } }>(
      'POST',
      `${LOGIN}/${scan.body.requestId}/approve`,
      { matchCode: wrong, pin: dara.citizen.pin },
    );
    expect(first.body.error.code).toBe('login_wrong_code');
    const again = await dara.device.call<{ error: { code: string; message: { km: string; en: string } } }>(
      'POST',
      `${LOGIN}/${scan.body.requestId}/approve`,
      { matchCode: row.match_code, pin: dara.citizen.pin },
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('login_request_cancelled');
    expect(again.body.error.message.en).toMatch(/cancelled.*start again on the website/i);
    expect(again.body.error.message.km).toBeTruthy();
    const rescan = await dara.device.call<{ error: { code: string } }>('POST', `${LOGIN}/scan`, { qr });
    expect(rescan.body.error.code).toBe('login_request_cancelled');
  });

  it('refuses a login for an account still waiting for review', async () => {
    const pending = await activeCitizen(server, 8203, { status: 'pending_review' });
    const { qr } = await started();
    const r = await pending.device.call<{ error: { code: string } }>('POST', `${LOGIN}/scan`, { qr });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('account_not_active');
  });
});

describe('PIN lockout', () => {
  it('locks the PIN for 15 minutes after 5 misses and needs recovery after 10; every attempt is audited', async () => {
    const who = await activeCitizen(server, 8204);
    const wrong = who.citizen.pin === '000000' ? '111111' : '000000';
    const attempt = async (pin: string) => {
      const browser = new TestBrowser();
      const { params } = await authParams();
      const page = await openLoginPage(server, browser, authUrl(params));
      const events = await browser.events(`${server.url}/login/${page.uid}/events?request=${page.requestId}`);
      const qr = await events.next<{ payload: string }>('qr');
      const scan = await who.device.call<{ requestId: string }>('POST', `${LOGIN}/scan`, { qr: qr.payload });
      const claimed = await events.next<{ matchCode: string; state?: string }>(
        'status',
        (s) => s.state === 'claimed',
      );
      events.close();
      return who.device.call<{ error?: { code: string; details?: Record<string, number> } }>(
        'POST',
        `${LOGIN}/${scan.body.requestId}/approve`,
        {
          matchCode: claimed.matchCode,
          pin,
        },
      );
    };
    for (const left of [4, 3, 2, 1]) {
      const r = await attempt(wrong);
      expect(r.body.error?.code).toBe('pin_invalid');
      expect(r.body.error?.details?.attemptsLeft).toBe(left);
    }
    expect((await attempt(wrong)).body.error?.code).toBe('pin_locked');
    const ended = await server.deps.db
      .selectFrom('login_requests')
      .select(['state', 'reason'])
      .where('account_id', '=', who.accountId)
      .where('reason', '=', 'pin_locked')
      .execute();
    expect(ended).toEqual([{ state: 'rejected', reason: 'pin_locked' }]);
    expect((await attempt(who.citizen.pin)).body.error?.code).toBe('pin_locked');
    server.clock.advance(15 * 60_000 + 1000);
    for (let i = 0; i < 4; i++) expect((await attempt(wrong)).body.error?.code).toBe('pin_invalid');
    expect((await attempt(wrong)).body.error?.code).toBe('pin_blocked');
    const account = await server.deps.db
      .selectFrom('accounts')
      .select(['status', 'pin_failed_count'])
      .where('id', '=', who.accountId)
      .executeTakeFirstOrThrow();
    expect(account).toEqual({ status: 'locked', pin_failed_count: 10 });
    const audited = await server.deps.db
      .selectFrom('audit_events')
      .select('action')
      .where('subject_id', '=', who.accountId)
      .where('action', '=', 'pin.failed')
      .execute();
    expect(audited).toHaveLength(10);
  });

  it('resets the count after a correct PIN', async () => {
    const who = await activeCitizen(server, 8205);
    const browser = new TestBrowser();
    const { params } = await authParams();
    const page = await openLoginPage(server, browser, authUrl(params));
    await scanAndApprove(server, browser, who, page);
    const row = await server.deps.db
      .selectFrom('accounts')
      .select('pin_failed_count')
      .where('id', '=', who.accountId)
      .executeTakeFirstOrThrow();
    expect(row.pin_failed_count).toBe(0);
  });
});
