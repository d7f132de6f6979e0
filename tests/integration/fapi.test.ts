/**
 * The FAPI 2.0 security profile for relying parties marked financial-grade (issue 17): the SDK
 * logs a citizen in with PAR, private_key_jwt and DPoP-bound tokens (the QR login in between, as
 * a browser and a phone do it); then each requirement's negative test: the authorization request
 * without PAR, a bound token replayed without its proof (or as a Bearer token), a DPoP proof used
 * twice, a proof for another URL, a client secret instead of private_key_jwt, a financial-grade
 * registration (or a change to one) without private_key_jwt; `iss` is in the authorization response;
 * codes are short-lived and used once.
 * A CIBA signature request with DPoP completes too.
 */
import type { webcrypto } from 'node:crypto';
import { CamDigiKeyOidc, verifySignature } from '@camdigikey/client';
import { platformKeys } from '@camdigikey/server/client-api/platform-keys';
import { approveSignature } from '@camdigikey/testkit/signing-walker';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { completeAndConsent, openLoginPage, scanAndApprove } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let dara: ActiveCitizen;
let bank: { clientId: string };
let privateKey: webcrypto.CryptoKey;
/** oidc-provider's error details (answers say only "grant request is invalid"; the log says why). */
const providerEvents: Record<string, string>[] = [];
const lastDetail = () => providerEvents[providerEvents.length - 1]?.detail ?? '';
const REDIRECT = 'http://127.0.0.1:9999/callback';

beforeAll(async () => {
  server = await startTestServer({
    logSink: (line) => {
      if (line.includes('oidc provider event'))
        providerEvents.push(JSON.parse(line) as Record<string, string>);
    },
  });
  dara = await activeCitizen(server, 1711);
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey as webcrypto.CryptoKey;
  const jwk = await exportJWK(pair.publicKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = 'ES256';
  bank = await registerRelyingParty(server, {
    organisation: 'Demo Bank Plc.',
    appName: 'Demo Bank online',
    domain: 'online.demobank.example.kh',
    subjectType: 'public',
    redirectUris: [REDIRECT],
    allowedScopes: ['openid', 'profile', 'ciba'],
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: { keys: [jwk] },
    financialGrade: true,
  });
}, 120_000);
afterAll(async () => server?.close());

const sdk = (options: { par?: boolean; dpop?: boolean | webcrypto.CryptoKeyPair } = {}) =>
  CamDigiKeyOidc.discover({
    issuer: server.deps.config.oidc.issuer,
    clientId: bank.clientId,
    privateKey,
    redirectUri: REDIRECT,
    par: options.par ?? true,
    dpop: options.dpop ?? true,
    allowHttp: true,
  });

/** A QR login through the browser and the phone; returns the callback URL the RP receives. */
async function login(url: URL): Promise<URL> {
  const browser = new TestBrowser();
  const page = await openLoginPage(server, browser, url.toString());
  expect(page.status, page.html.slice(0, 300)).toBe(200);
  await scanAndApprove(server, browser, dara, page);
  return new URL(await completeAndConsent(server, browser, page));
}

describe('FAPI 2.0 for a financial-grade relying party', () => {
  it('logs in with PAR, private_key_jwt and DPoP; the issuer is in the response; the token is bound', async () => {
    const oidc = await sdk();
    const { url, checks } = await oidc.start({ scope: 'openid profile' });
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const callback = await login(url);
    expect(callback.searchParams.get('iss')).toBe(server.deps.config.oidc.issuer);
    // a short-lived code: the one the provider stored lives at most 60 seconds
    const stored = await server.deps.db
      .selectFrom('oidc_payloads')
      .select('payload')
      .where('kind', '=', 'AuthorizationCode')
      .where('id', '=', callback.searchParams.get('code')!)
      .executeTakeFirstOrThrow();
    const { iat, exp } = stored.payload as { iat: number; exp: number };
    expect(exp - iat).toBeGreaterThan(0);
    expect(exp - iat).toBeLessThanOrEqual(60);
    const { tokens, claims } = await oidc.finish(callback, checks);
    expect(claims.sub).toBe(dara.accountId);
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const userinfo = await oidc.userinfo(tokens.access_token, dara.accountId);
    expect(userinfo.sub).toBe(dara.accountId);

    // the bound token, replayed without its proof (as a Bearer token, or as DPoP with no proof)
    const bearer = await fetch(`${server.url}/oidc/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(bearer.status).toBe(401);
    const noProof = await fetch(`${server.url}/oidc/me`, {
      headers: { authorization: `DPoP ${tokens.access_token}` },
    });
    expect(noProof.status).toBe(400);
    expect(noProof.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_request"/);

    // a proof made by another key (an attacker who stole the token)
    const thief = await generateKeyPair('ES256');
    const stolen = await fetch(`${server.url}/oidc/me`, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: await proof(thief, 'GET', `${server.url}/oidc/me`, tokens.access_token),
      },
    });
    expect(stolen.status).toBe(401);

    // …and the code is used once: redeemed again (with a fresh, valid proof) it is refused
    await expect(oidc.finish(callback, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(lastDetail()).toBe('authorization code already consumed');
  });

  it('binds the code to the PAR key, and refuses a DPoP proof used twice or for another URL', async () => {
    // Our own DPoP key pair for the SDK, so this test can make (and replay) proofs with it.
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const tokenUrl = `${server.url}/oidc/token`;
    const redeemWith = async (
      signer: { privateKey: unknown; publicKey: unknown },
      callback: URL,
      verifier: string,
    ) =>
      fetch(tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          dpop: await proof(signer, 'POST', tokenUrl),
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: callback.searchParams.get('code')!,
          redirect_uri: REDIRECT,
          code_verifier: verifier,
          client_id: bank.clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          // FAPI 2.0: the client assertion's audience is the issuer
          client_assertion: await clientAssertion(server.deps.config.oidc.issuer),
        }),
      });

    const oidc = await sdk({ dpop: keys });
    const earlier = await oidc.start({ scope: 'openid' });
    const thief = await generateKeyPair('ES256');
    const stolenCode = await redeemWith(thief, await login(earlier.url), earlier.checks.codeVerifier);
    expect([stolenCode.status, ((await stolenCode.json()) as { error: string }).error]).toEqual([
      400,
      'invalid_grant',
    ]);
    expect(lastDetail()).toBe('DPoP proof key thumbprint does not match dpop_jkt');

    const { url, checks } = await oidc.start({ scope: 'openid' });
    const redeem = await redeemWith(keys, await login(url), checks.codeVerifier);
    const tokens = (await redeem.json()) as { access_token: string; token_type: string };
    expect(redeem.status, JSON.stringify(tokens)).toBe(200);
    const me = `${server.url}/oidc/me`;
    const once = await proof(keys, 'GET', me, tokens.access_token);
    const first = await fetch(me, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: once } });
    expect(first.status).toBe(200);
    const replay = await fetch(me, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: once } });
    // the same request that just succeeded, refused only because its proof was seen before
    expect([replay.status, ((await replay.json()) as { error: string }).error]).toEqual([
      401,
      'invalid_token',
    ]);
    const elsewhere = await fetch(me, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: await proof(keys, 'GET', `${server.url}/oidc/token`, tokens.access_token),
      },
    });
    expect([elsewhere.status, ((await elsewhere.json()) as { error: string }).error]).toEqual([
      401,
      'invalid_dpop_proof',
    ]);
    // …while a fresh proof for this URL still works: the refusals were about the proofs
    const fresh = await fetch(me, {
      headers: {
        authorization: `DPoP ${tokens.access_token}`,
        dpop: await proof(keys, 'GET', me, tokens.access_token),
      },
    });
    expect(fresh.status).toBe(200);
  });

  it('refuses the authorization request without PAR, and a token request without DPoP', async () => {
    const plain = new URL(`${server.url}/oidc/auth`);
    for (const [k, v] of Object.entries({
      client_id: bank.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }))
      plain.searchParams.set(k, v);
    const refused = await fetch(plain, { redirect: 'manual' });
    // back to the bank with an error, never to a login page, and no code
    const location = new URL(refused.headers.get('location') ?? '', REDIRECT);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/pushed authorization request/i);
    expect(location.searchParams.has('code')).toBe(false);

    const withoutDpop = await sdk({ dpop: false });
    const { url, checks } = await withoutDpop.start({ scope: 'openid' });
    const callback = await login(url);
    await expect(withoutDpop.finish(callback, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(lastDetail()).toBe('DPoP proof JWT not provided');
  });

  it('refuses a client secret for a financial-grade RP, and keeps codes short-lived', async () => {
    const answer = await fetch(`${server.url}/api/admin/v1/relying-parties`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        organisation: 'Other Bank',
        appName: 'Other Bank online',
        domain: 'other.example.kh',
        redirectUris: [REDIRECT],
        allowedScopes: ['openid'],
        financialGrade: true,
      }),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'fapi_needs_private_key_jwt',
    );
    // …nor can an existing financial-grade RP switch to a secret, or a secret RP become financial-grade
    const patch = (clientId: string, body: Record<string, unknown>) =>
      fetch(`${server.url}/api/admin/v1/relying-parties/${clientId}`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      }).then(async (r) => ({
        status: r.status,
        reason: ((await r.json()) as { error?: { details?: { reason?: string } } }).error?.details?.reason,
      }));
    expect(await patch(bank.clientId, { tokenEndpointAuthMethod: 'client_secret_basic' })).toEqual({
      status: 400,
      reason: 'fapi_needs_private_key_jwt',
    });
    const plain = await registerRelyingParty(server, {
      organisation: 'Third Bank',
      appName: 'Third Bank online',
      domain: 'third.example.kh',
      redirectUris: [REDIRECT],
      allowedScopes: ['openid'],
    });
    expect(await patch(plain.clientId, { financialGrade: true })).toEqual({
      status: 400,
      reason: 'fapi_needs_private_key_jwt',
    });
    expect(server.deps.config.oidc.codeTtl).toBeLessThanOrEqual(60);
    const discovery = (await (
      await fetch(`${server.url}/oidc/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery.authorization_response_iss_parameter_supported).toBe(true);
    expect(discovery.dpop_signing_alg_values_supported).toContain('ES256');
    expect(discovery.authorization_details_types_supported).toContain('camdigikey_sign');
  });

  it('asks for a signature over CIBA with DPoP and gets it verified', async () => {
    const oidc = await sdk();
    const started = await oidc.requestSignature(dara.accountId, '2468', {
      text: { en: 'I accept the overdraft terms.' },
    });
    expect(await oidc.collectSignature(started.auth_req_id)).toEqual({ state: 'pending' });
    expect((await approveSignature(dara.device, started.auth_req_id, dara.citizen.pin)).status).toBe(200);
    const collected = await oidc.collectSignature(started.auth_req_id);
    if (collected.state !== 'signed') throw new Error(`not signed: ${collected.state}`);
    expect(collected.tokens.token_type.toLowerCase()).toBe('dpop');
    const verified = verifySignature(collected.signature, {
      trustedRoot: (await platformKeys(server.deps)).root.pem,
      expected: { clientId: bank.clientId, verificationCode: '2468' },
    });
    expect(verified.signer.camdigikeyId).toBe(dara.accountId);
  });
});

async function proof(
  keys: { privateKey: webcrypto.CryptoKey | unknown; publicKey: webcrypto.CryptoKey | unknown },
  htm: string,
  htu: string,
  accessToken?: string,
) {
  const jwk = await exportJWK(keys.publicKey as webcrypto.CryptoKey);
  return new SignJWT({
    htm,
    htu,
    jti: crypto.randomUUID(),
    // oidc-provider judges proofs by the machine's clock (oidc/provider-time.ts)
    iat: Math.floor(Date.now() / 1000),
    ...(accessToken
      ? {
          ath: Buffer.from(
            await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)),
          ).toString('base64url'),
        }
      : {}),
  })
    .setProtectedHeader({
      alg: 'ES256',
      typ: 'dpop+jwt',
      jwk: { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! },
    })
    .sign(keys.privateKey as webcrypto.CryptoKey);
}

async function clientAssertion(audience: string) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(bank.clientId)
    .setSubject(bank.clientId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 60)
    .sign(privateKey);
}
