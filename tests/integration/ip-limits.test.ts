/**
 * Unauthenticated endpoints do no unbounded storage work (issue 18, item 3):
 *  - authorization requests (GET or POST /oidc/auth) and device nonces are limited per client IP:
 *    429 rate_limited (Khmer and English) with a truthful Retry-After, other addresses unaffected,
 *    and a refused request stores nothing;
 *  - the relying party the provider looks up is cached (one registry read for many requests); a
 *    change through this instance takes effect at once, on another instance within
 *    OIDC_CLIENT_CACHE_SECONDS;
 *  - what a flood leaves behind expires: interactions are deleted once expired, unused nonces
 *    expire and are cleaned up.
 * The server trusts X-Forwarded-For (TRUST_PROXY) so that the test can speak from many addresses.
 */

import { bilingual } from '@camdigikey/messages';
import { cleanUpOnce } from '@camdigikey/server/background/maintenance';
import { sweepExpiredPayloads } from '@camdigikey/server/oidc/pg-adapter';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRelyingParty } from '../support/citizens';
import { startTestServer, type TestServer } from '../support/server';

const AUTH_LIMIT = 6;
const NONCE_LIMIT = 4;
const CACHE_SECONDS = 10;
const REDIRECT = 'http://127.0.0.1:9999/callback';

let server: TestServer;
let clientId: string;
beforeAll(async () => {
  server = await startTestServer({
    env: {
      TRUST_PROXY: 'true',
      OIDC_AUTH_PER_IP_PER_MINUTE: String(AUTH_LIMIT),
      DEVICE_NONCES_PER_IP_PER_MINUTE: String(NONCE_LIMIT),
      OIDC_CLIENT_CACHE_SECONDS: String(CACHE_SECONDS),
    },
  });
  clientId = (await registerRelyingParty(server)).clientId;
}, 120_000);
afterAll(async () => server?.close());

const authQuery = (client = clientId) =>
  new URLSearchParams({
    client_id: client,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: 'st',
    nonce: 'nn',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });

const authorize = (ip: string, options: { path?: string; method?: 'GET' | 'POST'; client?: string } = {}) => {
  const path = options.path ?? '/oidc/auth';
  const query = authQuery(options.client);
  return options.method === 'POST'
    ? fetch(`${server.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'x-forwarded-for': ip, 'content-type': 'application/x-www-form-urlencoded' },
        body: query.toString(),
      })
    : fetch(`${server.url}${path}?${query}`, { redirect: 'manual', headers: { 'x-forwarded-for': ip } });
};

const nonce = (ip: string) =>
  fetch(`${server.url}/api/device/v1/nonce`, { method: 'POST', headers: { 'x-forwarded-for': ip } });

/** A fresh sliding count: two whole windows later. */
const freshWindow = () => server.clock.advance(120_000);

async function interactions(): Promise<number> {
  const row = await server.deps.db
    .selectFrom('oidc_payloads')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('kind', '=', 'Interaction')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

interface ErrorAnswer {
  error: { code: string; messageId: string; message: { km: string; en: string } };
}

async function expectRateLimited(r: Response): Promise<number> {
  expect(r.status).toBe(429);
  const wait = Number(r.headers.get('retry-after'));
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual(120);
  const body = (await r.json()) as ErrorAnswer;
  expect(body.error.code).toBe('rate_limited');
  expect(body.error.messageId).toBe('error.rate_limited');
  expect(body.error.message).toEqual(bilingual('error.rate_limited'));
  expect(body.error.message.km).not.toBe(body.error.message.en);
  return wait;
}

describe('authorization requests per IP', () => {
  it('answers 429 after the limit, per address, and stores nothing for a refused request', async () => {
    freshWindow();
    const before = await interactions();
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_LIMIT; i++) statuses.push((await authorize('198.51.100.7')).status);
    expect(statuses).toEqual(Array(AUTH_LIMIT).fill(303));
    expect(await interactions()).toBe(before + AUTH_LIMIT);

    // The address is over its limit, by GET, by POST, and by the same path spelt differently.
    await expectRateLimited(await authorize('198.51.100.7'));
    await expectRateLimited(await authorize('198.51.100.7', { method: 'POST' }));
    await expectRateLimited(await authorize('198.51.100.7', { path: '/oidc/AUTH/' }));
    expect(await interactions()).toBe(before + AUTH_LIMIT);

    // Another address is not affected, and the return from a login page is not counted.
    expect((await authorize('198.51.100.8')).status).toBe(303);
    expect((await authorize('198.51.100.8', { method: 'POST' })).status).toBe(303);
    expect(
      (
        await fetch(`${server.url}/oidc/auth/not-an-interaction`, {
          redirect: 'manual',
          headers: { 'x-forwarded-for': '198.51.100.7' },
        })
      ).status,
    ).not.toBe(429);
    expect(await interactions()).toBe(before + AUTH_LIMIT + 2);
  });

  it('counts requests that store nothing too, and its Retry-After tells the truth', async () => {
    freshWindow();
    // Unknown clients: each costs a lookup, so they count like any other.
    for (let i = 0; i < AUTH_LIMIT; i++)
      expect((await authorize('203.0.113.9', { client: `cdk_unknown${i}` })).status).toBe(400);
    const wait = await expectRateLimited(await authorize('203.0.113.9'));
    server.clock.advance((wait - 1) * 1000);
    const early = await authorize('203.0.113.9');
    const rest = await expectRateLimited(early);
    server.clock.advance(rest * 1000);
    expect((await authorize('203.0.113.9')).status).toBe(303);
  });
});

describe('device nonces per IP', () => {
  it('answers 429 after the limit with a truthful Retry-After; other addresses are unaffected', async () => {
    freshWindow();
    const statuses: number[] = [];
    for (let i = 0; i < NONCE_LIMIT; i++) statuses.push((await nonce('192.0.2.44')).status);
    expect(statuses).toEqual(Array(NONCE_LIMIT).fill(200));
    const refused = await nonce('192.0.2.44');
    expect(refused.headers.get('device-nonce')).toBeNull();
    const wait = await expectRateLimited(refused);
    expect((await nonce('192.0.2.45')).status).toBe(200);

    server.clock.advance((wait - 1) * 1000);
    const rest = await expectRateLimited(await nonce('192.0.2.44'));
    server.clock.advance(rest * 1000);
    expect((await nonce('192.0.2.44')).status).toBe(200);
  });

  it('lets unused nonces expire, and the clean-up deletes them from the database', async () => {
    freshWindow();
    const issued: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await nonce(`192.0.2.${60 + i}`);
      issued.push(((await r.json()) as { nonce: string }).nonce);
    }
    const stored = async () => {
      const row = await server.deps.db
        .selectFrom('hot_once')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where(
          'key',
          'in',
          issued.map((n) => `once:nonce:${n}`),
        )
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };
    if (server.deps.hot.kind === 'database') expect(await stored()).toBe(3);
    server.clock.advance((server.deps.config.device.nonceTtlSeconds + 1) * 1000);
    // Expired: no longer accepted (a proof naming one is refused), whatever the store.
    expect(await server.deps.hot.takeOnce(`nonce:${issued[0]}`, server.deps.clock.now())).toBe(false);
    if (server.deps.hot.kind === 'database') {
      const report = await cleanUpOnce(server.deps);
      expect(report.hotOnce).toBeGreaterThanOrEqual(2);
      expect(await stored()).toBe(0);
    }
  });
});

describe('client lookups', () => {
  const admin = () => ({
    authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
    'content-type': 'application/json',
  });
  const setStatus = (id: string, status: 'active' | 'suspended') =>
    fetch(`${server.url}/api/admin/v1/relying-parties/${id}`, {
      method: 'PATCH',
      headers: admin(),
      body: JSON.stringify({ status }),
    });

  it('read the registry once for many requests; a change here takes effect at once', async () => {
    freshWindow();
    const rp = await registerRelyingParty(server, {
      appName: 'Cached Portal',
      domain: 'cached.example.gov.kh',
    });
    const cache = server.deps.oidcClients;
    expect((await authorize('198.51.100.20', { client: rp.clientId })).status).toBe(303);
    const loads = cache.stats().loads;
    for (let i = 0; i < 4; i++)
      expect((await authorize(`198.51.100.${21 + i}`, { client: rp.clientId })).status).toBe(303);
    expect(cache.stats().loads).toBe(loads);

    expect((await setStatus(rp.clientId, 'suspended')).status).toBe(200);
    expect((await authorize('198.51.100.30', { client: rp.clientId })).status).toBe(400);
    expect(cache.stats().loads).toBe(loads + 1); // the change dropped what was kept: read again
    expect((await setStatus(rp.clientId, 'active')).status).toBe(200);
    expect((await authorize('198.51.100.31', { client: rp.clientId })).status).toBe(303);
  });

  it('on another instance, a change takes effect within OIDC_CLIENT_CACHE_SECONDS', async () => {
    freshWindow();
    const rp = await registerRelyingParty(server, {
      appName: 'Second Portal',
      domain: 'second.example.gov.kh',
    });
    const other = await startTestServer({
      shareWith: server,
      env: { TRUST_PROXY: 'true', OIDC_CLIENT_CACHE_SECONDS: String(CACHE_SECONDS) },
    });
    try {
      const viaOther = (ip: string) =>
        fetch(`${other.url}/oidc/auth?${authQuery(rp.clientId)}`, {
          redirect: 'manual',
          headers: { 'x-forwarded-for': ip },
        });
      expect((await viaOther('198.51.100.40')).status).toBe(303); // read and kept by the other instance
      expect((await setStatus(rp.clientId, 'suspended')).status).toBe(200); // changed through this one
      expect((await authorize('198.51.100.41', { client: rp.clientId })).status).toBe(400);
      // The other instance still serves what it read, for less than the cache time ...
      server.clock.advance((CACHE_SECONDS - 1) * 1000);
      expect((await viaOther('198.51.100.42')).status).toBe(303);
      // ... and no longer once it has passed.
      server.clock.advance(1000);
      expect((await viaOther('198.51.100.43')).status).toBe(400);
    } finally {
      await other.close();
    }
  });
});

describe('what a flood leaves behind', () => {
  it('deletes interactions once they expire, other payloads an hour later', async () => {
    freshWindow();
    const before = await interactions();
    for (let i = 0; i < 3; i++) expect((await authorize(`203.0.113.${50 + i}`)).status).toBe(303);
    expect(await interactions()).toBe(before + 3);
    const newest = await server.deps.db
      .selectFrom('oidc_payloads')
      .select((eb) => eb.fn.max('expires_at').as('at'))
      .where('kind', '=', 'Interaction')
      .executeTakeFirstOrThrow();
    const expiresAt = new Date(newest.at as unknown as string | Date);
    // A token-like payload expiring at the same time: kept for the hour's grace.
    await server.deps.db
      .insertInto('oidc_payloads')
      .values({
        kind: 'AccessToken',
        id: 'flood-test-token',
        payload: JSON.stringify({}),
        grant_id: null,
        user_code: null,
        uid: null,
        expires_at: expiresAt,
        consumed_at: null,
      })
      .execute();

    // The provider's records run on its own clock (oidc/provider-time.ts): judged at a later "now".
    const after = new Date(expiresAt.getTime() + 1000);
    await sweepExpiredPayloads(server.deps.db, after, 100_000);
    expect(await interactions()).toBe(0);
    const kept = async () =>
      (
        await sql<{
          n: string;
        }>`select count(*) as n from oidc_payloads where id = 'flood-test-token'`.execute(server.deps.db)
      ).rows[0]?.n;
    expect(Number(await kept())).toBe(1);
    await sweepExpiredPayloads(server.deps.db, new Date(after.getTime() + 3600_000), 100_000);
    expect(Number(await kept())).toBe(0);
  });
});
