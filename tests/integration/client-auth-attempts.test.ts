/**
 * Client credentials under parallel attack (issue 19): the Open KYC client secret (HTTP Basic),
 * the client-API request signature and the OIDC client secret each reserve a slot per (client id,
 * source address) before anything secret is looked at, so of a burst of ≥ 50 parallel wrong
 * attempts at most CLIENT_AUTH_MAX_FAILURES are evaluated (answered 401; the rest 429
 * unevaluated). The lock then refuses the right credentials from that address too until
 * CLIENT_AUTH_LOCK_SECONDS pass (moved on the manual clock), while the right credentials from
 * another address still work (the institution is not locked out by whoever knows its client id);
 * a successful check never counts, and an unknown client id is answered exactly like a known one.
 *
 * The test server listens on 127.0.0.1 without TRUST_PROXY, so the source address is the socket's:
 * the "other address" connects to 127.0.0.1 from the local address 127.0.0.2 (Linux routes all of
 * 127/8 to loopback).
 *
 * "Evaluated" is measured by the answers (401 is only given after a check that failed, 429 only
 * without one), by the failures counted in the database, and, for the client API, by the audit
 * rows of refused signatures. Run on PostgreSQL (DATABASE_URL) as well as PGlite.
 */
import { request as httpRequest } from 'node:http';
import { type ClientKeys, decodeClientCredentials, openResponse, sealRequest } from '@camdigikey/rp-protocol';
import { cleanUpOnce } from '@camdigikey/server/background/maintenance';
import { sourceAddress } from '@camdigikey/server/client-api/client-auth-attempts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRelyingParty } from '../support/citizens';
import { issueClientApi } from '../support/client-api';
import { startTestServer, type TestServer } from '../support/server';

const BURST = 50;
const CAP = 20;
const LOCK_SECONDS = 300;
/** fetch() connects from 127.0.0.1; the other caller from here. */
const HERE = '127.0.0.1';
const ELSEWHERE = '127.0.0.2';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    env: { CLIENT_AUTH_MAX_FAILURES: String(CAP), CLIENT_AUTH_LOCK_SECONDS: String(LOCK_SECONDS) },
  });
}, 120_000);
afterAll(async () => server?.close());

const tally = (statuses: number[]) => {
  const out: Record<number, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
};
const counter = (clientId: string, source = HERE) =>
  server.deps.db
    .selectFrom('client_auth_attempts')
    .select(['failures', 'pending', 'locked_until'])
    .where('client_id', '=', clientId)
    .where('source', '=', source)
    .executeTakeFirst();
const lockAudits = async (clientId: string) => {
  const rows = await server.deps.db
    .selectFrom('audit_events')
    .select(['action', 'ip', 'details'])
    .where('action', '=', 'client_auth.locked')
    .where('subject_id', '=', clientId)
    .execute();
  // The lock is for the address the failures came from, and the audit event says which.
  for (const row of rows) {
    expect(row.ip).toBe(HERE);
    expect(row.details).toMatchObject({ source: HERE });
  }
  return rows.length;
};

/** fetch()'s subset used here, sent to the (127.0.0.1) server from another loopback address. */
const fetchFrom = (
  localAddress: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body: string | URLSearchParams },
): Promise<Response> =>
  new Promise((resolve, reject) => {
    const body = Buffer.from(String(init.body));
    const req = httpRequest(
      url,
      {
        method: init.method,
        localAddress,
        headers: { ...init.headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers }));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
const sender = (from?: string) =>
  from ? (url: string, init: Parameters<typeof fetchFrom>[2]) => fetchFrom(from, url, init) : fetch;

it('counts an IPv4-mapped IPv6 address as the IPv4 address', () => {
  expect(sourceAddress('::ffff:1.2.3.4')).toBe('1.2.3.4');
  expect(sourceAddress('::FFFF:10.0.0.1')).toBe('10.0.0.1');
  expect(sourceAddress('1.2.3.4')).toBe('1.2.3.4');
  expect(sourceAddress('2001:db8::1')).toBe('2001:db8::1');
  expect(sourceAddress('::ffff:abcd')).toBe('::ffff:abcd');
});
const passLock = () => server.clock.advance(LOCK_SECONDS * 1000 + 1000);

describe('Open KYC client secret (HTTP Basic)', () => {
  let bank: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    bank = await registerRelyingParty(server, {
      organisation: 'Attempt Bank',
      appName: 'Onboarding',
      domain: 'attempts.bank.example.com.kh',
      allowedScopes: ['openid', 'open_kyc'],
    });
  });

  // An empty body: authenticated calls answer 400 (error 1) without any registry work.
  const call = (clientId: string, secret: string, from?: string) =>
    sender(from)(`${server.url}/api/2.0/kyc/info`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'x-purpose': 'account opening',
      },
      body: '{}',
    }).then(async (r) => ({
      status: r.status,
      retryAfter: r.headers.get('retry-after'),
      body: (await r.json()) as { error: number; message: string; data: null },
    }));

  it(`evaluates at most ${CAP} of ${BURST} parallel wrong secrets, then refuses the right one until the lock passes`, async () => {
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) => call(bank.clientId, `wrong-secret-${i}`)),
    );
    const counts = tally(answers.map((a) => a.status));
    expect(counts[401]).toBeLessThanOrEqual(CAP);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(BURST);
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(a.body).toEqual({ error: 4, message: 'Too many failed attempts; retry later', data: null });
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
    }
    expect(await counter(bank.clientId)).toMatchObject({ failures: CAP, pending: 0 });
    expect(await lockAudits(bank.clientId)).toBe(1);

    // Locked: the right secret is refused unevaluated.
    const refused = await call(bank.clientId, bank.clientSecret);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe(4);

    // Only for that address: the bank's own server, elsewhere, still gets in (and a wrong secret
    // from there is evaluated, 401, counted for that address alone).
    const fromBank = await call(bank.clientId, bank.clientSecret, ELSEWHERE);
    expect(fromBank.status).toBe(400);
    expect(fromBank.body.error).toBe(1);
    expect((await call(bank.clientId, 'wrong', ELSEWHERE)).status).toBe(401);
    expect(await counter(bank.clientId, ELSEWHERE)).toMatchObject({
      failures: 1,
      pending: 0,
      locked_until: null,
    });
    expect((await call(bank.clientId, bank.clientSecret, ELSEWHERE)).status).toBe(400);
    expect((await call(bank.clientId, bank.clientSecret)).status).toBe(429);

    passLock();
    const accepted = await call(bank.clientId, bank.clientSecret);
    expect(accepted.status).toBe(400);
    expect(accepted.body.error).toBe(1);
  });

  it(`does not count successes: ${CAP + 5} right calls in a row pass, and the full budget is still there`, async () => {
    passLock();
    for (let i = 0; i < CAP + 5; i++) expect((await call(bank.clientId, bank.clientSecret)).status).toBe(400);
    expect(await counter(bank.clientId)).toMatchObject({ failures: 0, pending: 0 });
    for (let i = 0; i < CAP - 1; i++) expect((await call(bank.clientId, 'wrong')).status).toBe(401);
    expect((await call(bank.clientId, bank.clientSecret)).status).toBe(400);
    passLock();
  });

  it('answers an unknown client id exactly like a known one: 401, then 429 past the cap', async () => {
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) => call('no-such-institution', `wrong-secret-${i}`)),
    );
    const counts = tally(answers.map((a) => a.status));
    expect(counts[401]).toBeLessThanOrEqual(CAP);
    expect(counts[429]).toBeGreaterThanOrEqual(BURST - CAP);
    expect(answers.find((a) => a.status === 429)?.body).toEqual({
      error: 4,
      message: 'Too many failed attempts; retry later',
      data: null,
    });
    expect(await counter('no-such-institution')).toBeUndefined();
    // Counted per address too: another address is still answered 401, not 429.
    expect((await call('no-such-institution', 'x', ELSEWHERE)).status).toBe(401);
  });
});

describe('client API request signature (v3 envelope)', () => {
  let keys: ClientKeys;
  const PATH = '/api/v3.0/authentication/service-account/access-token/status';
  beforeAll(async () => {
    const rp = await registerRelyingParty(server, {
      appName: 'Attempt Portal',
      domain: 'attempts.example.gov.kh',
    });
    keys = decodeClientCredentials(
      await issueClientApi(server, rp.clientId, {
        successCallbackUrl: 'http://127.0.0.1:9999/cb',
        errorCallbackUrl: 'http://127.0.0.1:9999/err',
      }),
    );
  });

  const forged = (clientId: string): ClientKeys => ({
    clientId,
    hmacKey: new Uint8Array(32).fill(7),
    secretKey: new Uint8Array(32).fill(8),
    iv: new Uint8Array(16).fill(9),
  });
  // Status of a malformed token: an authenticated call is answered sealed (HTTP 200).
  const call = (k: ClientKeys, from?: string) =>
    sender(from)(`${server.url}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(sealRequest(k, { clientId: k.clientId, accessToken: 'not-a-token' })),
    }).then(async (r) => ({
      status: r.status,
      retryAfter: r.headers.get('retry-after'),
      body: (await r.json()) as Record<string, unknown>,
    }));
  const badSignatureAudits = async (clientId: string) =>
    (
      await server.deps.db
        .selectFrom('audit_events')
        .select(['details'])
        .where('action', '=', 'client_api.refused')
        .where('subject_id', '=', clientId)
        .execute()
    ).filter((r) => JSON.stringify(r.details).includes('bad_signature')).length;

  it(`evaluates at most ${CAP} of ${BURST} parallel forged signatures, then refuses the right keys until the lock passes`, async () => {
    const answers = await Promise.all(Array.from({ length: BURST }, () => call(forged(keys.clientId))));
    const counts = tally(answers.map((a) => a.status));
    expect(counts[401]).toBeLessThanOrEqual(CAP);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(BURST);
    expect(answers.find((a) => a.status === 429)?.body).toEqual({
      error: 429,
      message: 'Too many failed attempts; retry later',
    });
    expect(await counter(keys.clientId)).toMatchObject({ failures: CAP, pending: 0 });
    expect(await badSignatureAudits(keys.clientId)).toBe(counts[401]);
    expect(await lockAudits(keys.clientId)).toBe(1);

    expect((await call(keys)).status).toBe(429);
    // Only for that address: the right keys from another one are opened and answered sealed.
    const elsewhere = await call(keys, ELSEWHERE);
    expect(elsewhere.status).toBe(200);
    expect(typeof openResponse(keys, elsewhere.body as never).error).toBe('number');
    expect(await counter(keys.clientId, ELSEWHERE)).toMatchObject({ failures: 0, pending: 0 });
    passLock();
    const accepted = await call(keys);
    expect(accepted.status).toBe(200);
    // Sealed for the caller: the request was opened.
    expect(typeof openResponse(keys, accepted.body as never).error).toBe('number');
  });

  it(`does not count successes: ${CAP + 5} right calls in a row pass`, async () => {
    passLock();
    for (let i = 0; i < CAP + 5; i++) expect((await call(keys)).status).toBe(200);
    expect(await counter(keys.clientId)).toMatchObject({ failures: 0, pending: 0 });
    for (let i = 0; i < CAP - 1; i++) expect((await call(forged(keys.clientId))).status).toBe(401);
    expect((await call(keys)).status).toBe(200);
    passLock();
  });

  it('answers an unknown client id exactly like a known one: 401, then 429 past the cap', async () => {
    const unknown = forged('bm8tc3VjaC1jbGllbnQtaWQtYXQtYWxsLWhlcmUtMzI=');
    const answers = await Promise.all(Array.from({ length: BURST }, () => call(unknown)));
    const counts = tally(answers.map((a) => a.status));
    expect(counts[401]).toBeLessThanOrEqual(CAP);
    expect(counts[429]).toBeGreaterThanOrEqual(BURST - CAP);
    expect(answers.find((a) => a.status === 429)?.body).toEqual({
      error: 429,
      message: 'Too many failed attempts; retry later',
    });
    expect(await counter(unknown.clientId)).toBeUndefined();
  });
});

describe('OIDC token endpoint (client_secret_basic)', () => {
  let rp: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    rp = await registerRelyingParty(server, {
      appName: 'Attempt Login',
      domain: 'attempts.login.example.kh',
    });
  });
  // A bogus code: an authenticated client is answered 400 invalid_grant, a failed check 401.
  const call = (clientId: string, secret: string, from?: string) =>
    sender(from)(`${server.url}/oidc/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'not-a-code',
        redirect_uri: 'http://127.0.0.1:9999/callback',
      }),
    }).then(async (r) => ({
      status: r.status,
      retryAfter: r.headers.get('retry-after'),
      body: (await r.json()) as { error: string },
    }));

  it(`evaluates at most ${CAP} of ${BURST} parallel wrong secrets, then refuses the right one until the lock passes`, async () => {
    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, i) => call(rp.clientId, `wrong-${i}`)),
    );
    const counts = tally(answers.map((a) => a.status));
    expect(counts[401]).toBeLessThanOrEqual(CAP);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(BURST);
    expect(answers.find((a) => a.status === 429)?.body).toEqual({
      error: 'invalid_client',
      error_description: 'Too many failed attempts; retry later',
    });
    expect(await counter(rp.clientId)).toMatchObject({ failures: CAP, pending: 0 });
    expect(await lockAudits(rp.clientId)).toBe(1);
    expect((await call(rp.clientId, rp.clientSecret)).status).toBe(429);
    // Only for that address: the relying party's own server, elsewhere, is still authenticated.
    const elsewhere = await call(rp.clientId, rp.clientSecret, ELSEWHERE);
    expect(elsewhere).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await call(rp.clientId, 'wrong', ELSEWHERE)).status).toBe(401);
    expect(await counter(rp.clientId, ELSEWHERE)).toMatchObject({
      failures: 1,
      pending: 0,
      locked_until: null,
    });
    expect((await call(rp.clientId, rp.clientSecret, ELSEWHERE)).status).toBe(400);
    expect((await call(rp.clientId, rp.clientSecret)).status).toBe(429);
    passLock();
    const accepted = await call(rp.clientId, rp.clientSecret);
    expect(accepted).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it(`does not count successes: ${CAP + 5} right calls in a row pass`, async () => {
    passLock();
    for (let i = 0; i < CAP + 5; i++) expect((await call(rp.clientId, rp.clientSecret)).status).toBe(400);
    expect(await counter(rp.clientId)).toMatchObject({ failures: 0, pending: 0 });
    passLock();
  });

  it('never compares a client_secret sent in the form body (client_secret_post is not offered)', async () => {
    const inBody = (secret: string) =>
      fetch(`${server.url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'not-a-code',
          redirect_uri: 'http://127.0.0.1:9999/callback',
          client_id: rp.clientId,
          client_secret: secret,
        }),
      }).then((r) => r.status);
    passLock();
    expect(await inBody('wrong')).toBe(401);
    expect(await inBody(rp.clientSecret)).toBe(401);
    // Nothing was compared, so nothing was reserved in this window.
    expect(await counter(rp.clientId)).toMatchObject({ failures: 0, pending: 0 });
    expect((await call(rp.clientId, rp.clientSecret)).status).toBe(400);
    expect(await counter(rp.clientId)).toMatchObject({ failures: 0, pending: 0 });
  });

  it('answers an unknown client id exactly like a known one: 401, then 429 past the cap', async () => {
    const answers = await Promise.all(Array.from({ length: BURST }, () => call('no-such-client', 'x')));
    const counts = tally(answers.map((a) => a.status));
    expect(counts[401]).toBeLessThanOrEqual(CAP);
    expect(counts[429]).toBeGreaterThanOrEqual(BURST - CAP);
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.body).toEqual({
      error: 'invalid_client',
      error_description: 'Too many failed attempts; retry later',
    });
    expect(Number(refused?.retryAfter)).toBeGreaterThan(0);
    // Counted per address: another address is still answered 401.
    expect((await call('no-such-client', 'x', ELSEWHERE)).status).toBe(401);
  });
});

describe('scheduled clean-up', () => {
  it('deletes attempt rows whose window and lock have passed, and nothing still counting', async () => {
    const before = await server.deps.db
      .selectFrom('client_auth_attempts')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(before.n)).toBeGreaterThan(0);
    // Within the longest window (CLIENT_AUTH_LOCK_SECONDS ≤ 1 day) nothing goes.
    expect((await cleanUpOnce(server.deps)).clientAuthAttempts).toBe(0);
    server.clock.advance(25 * 3_600_000);
    const report = await cleanUpOnce(server.deps);
    expect(report.clientAuthAttempts).toBe(Number(before.n));
    const after = await server.deps.db
      .selectFrom('client_auth_attempts')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(0);
  });
});
