/**
 * The request guard (apps/server/src/http/request-guard.ts), issue 19 defect 3: crafted input is
 * a 400 with the error envelope, never a 500. First the requests that gave 500 before the guard,
 * one by one; then a seeded fuzz run that sends at least FUZZ_PER_ROUTE malformed (and some
 * hostile but well-formed) requests to every registered route and every endpoint that
 * oidc-provider's discovery lists, fails on any 5xx or a request left without an answer, and
 * prints how many requests each route received. FUZZ_SEED=<n> replays a run.
 */
import { Agent, request as httpRequest } from 'node:http';
import { mulberry32 } from '@camdigikey/testkit/prng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

const PER_ROUTE = Number(process.env.FUZZ_PER_ROUTE ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 19_003);
const CONCURRENCY = 8;
/** A request without an answer after this long counts as hanging (a failure, not a timing check). */
const NO_ANSWER_MS = 20_000;

interface RawRequest {
  method: string;
  /** Latin1: a character U+0080..U+00FF is sent as that one byte. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}
interface RawAnswer {
  status: number;
  type: string;
  text: string;
}

let server: TestServer;
let agent: Agent;
let port: number;
beforeAll(async () => {
  server = await startTestServer();
  port = Number(new URL(server.url).port);
  agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
});
afterAll(async () => {
  agent?.destroy();
  await server?.close();
});

function send(raw: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...raw.headers };
    if (raw.body) headers['content-length'] = String(raw.body.length);
    const req = httpRequest(
      { host: '127.0.0.1', port, method: raw.method, path: raw.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(NO_ANSWER_MS, () => req.destroy(new Error(`no answer within ${NO_ANSWER_MS} ms`)));
    req.on('error', reject);
    req.end(raw.body);
  });
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
const errorOf = (answer: RawAnswer) =>
  (
    JSON.parse(answer.text) as {
      error: { code: string; messageId: string; message: { km: string; en: string } };
    }
  ).error;

function expectMalformed(answer: RawAnswer) {
  expect(answer.status).toBe(400);
  const error = errorOf(answer);
  expect(error.code).toBe('request_malformed');
  expect(error.messageId).toBe('error.request_malformed');
  expect(error.message.en).toMatch(/not well formed/);
  expect(error.message.km).toMatch(/[\u1780-\u17ff]/);
}

describe('the requests that gave 500 before the guard', () => {
  it('refuses a malformed console cookie on console and admin calls', async () => {
    for (const path of ['/api/console/v1/me', '/api/admin/v1/holidays/2026', '/api/console/v1/dashboard']) {
      expectMalformed(await send({ method: 'GET', path, headers: { cookie: 'cdk_console=%ff' } }));
      expectMalformed(await send({ method: 'GET', path, headers: { cookie: 'a=1; cdk_console=%e0%80' } }));
    }
  });

  it('refuses a NUL byte in Basic credentials (Open KYC) in its own envelope', async () => {
    for (const path of ['/api/2.0/kyc/info', '/api/2.0/kyc/ocr-idcard', '/api/2.0/kyc/info-face']) {
      const answer = await send({
        method: 'POST',
        path,
        headers: {
          authorization: basic('rp\u0000x', 'secret'),
          'content-type': 'application/json',
          'x-purpose': 'x',
        },
        body: json({}),
      });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({
        error: 1,
        message: expect.stringMatching(/malformed/),
      });
    }
  });

  it('refuses a NUL byte or a lone surrogate in a client-API clientId', async () => {
    for (const clientId of ['a\u0000', '\ud800', `${'a'.repeat(59)}\udfff`]) {
      expectMalformed(
        await send({
          method: 'POST',
          path: '/api/v3.0/authentication/service-account/refresh-access-token',
          headers: { 'content-type': 'application/json' },
          body: json({ clientId }),
        }),
      );
    }
    // Raw bytes that are not UTF-8 inside a JSON string.
    expectMalformed(
      await send({
        method: 'POST',
        path: '/api/v3.0/authentication/service-account/access-token',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat([Buffer.from('{"clientId":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      }),
    );
  });

  it('refuses a NUL byte in the console sign-in username', async () => {
    expectMalformed(
      await send({
        method: 'POST',
        path: '/api/console/v1/session',
        headers: { 'content-type': 'application/json' },
        body: json({ username: 'officer\u0000', password: 'x', totp: '123456' }),
      }),
    );
  });

  it('refuses NUL in what oidc-provider reads: query, form body, Basic auth', async () => {
    for (const path of [
      '/oidc/auth?client_id=%00',
      '/oidc/auth?client_id=x&response_type=code&state=%00',
      '/oidc/session/end?state=%00',
      '/oidc/auth?client_id=%ff%fe',
      '/oidc/auth?client_id=%',
    ]) {
      const answer = await send({ method: 'GET', path, headers: {} });
      expectMalformed(answer);
      expect(answer.type).toMatch(/application\/json/);
    }
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const body of [
      'grant_type=client_credentials&client_id=%00',
      'client_id=%ed%a0%80',
      'client_id=%zz',
    ]) {
      expectMalformed(
        await send({ method: 'POST', path: '/oidc/token', headers: form, body: Buffer.from(body) }),
      );
    }
    expectMalformed(
      await send({
        method: 'POST',
        path: '/oidc/token',
        headers: { ...form, authorization: basic('client%00', 'secret') },
        body: Buffer.from('grant_type=client_credentials'),
      }),
    );
    // A clean request still reaches the provider (which answers in its own terms).
    const clean = await send({
      method: 'POST',
      path: '/oidc/token',
      headers: form,
      body: Buffer.from('grant_type=client_credentials&client_id=nobody&client_secret=x'),
    });
    expect(clean.status).toBe(401);
    expect(JSON.parse(clean.text)).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses malformed percent-encoding and non-UTF-8 bytes in the path', async () => {
    for (const path of [
      '/api/console/v1/cases/%ff',
      '/api/console/v1/cases/\u00ff\u00fe',
      '/healthz?x=%',
      '/%c0%af',
    ]) {
      expectMalformed(await send({ method: 'GET', path, headers: {} }));
    }
  });

  it('refuses oversized headers, with the envelope also when Node itself refuses them', async () => {
    expectMalformed(await send({ method: 'GET', path: '/healthz', headers: { 'x-big': 'a'.repeat(9000) } }));
    const huge = await send({ method: 'GET', path: '/healthz', headers: { 'x-huge': 'a'.repeat(20_000) } });
    expectMalformed(huge);
    expect(errorOf(huge)).toMatchObject({ details: { reason: 'malformed header_too_large' } });
  });

  it('lets clean text through, emoji and Khmer included', async () => {
    const answer = await send({
      method: 'POST',
      path: '/api/console/v1/session',
      headers: { 'content-type': 'application/json', cookie: 'lang=km; x="%E1%9E%80"' },
      body: json({ username: 'សុខ😀', password: 'x', totp: '123456' }),
    });
    expect(answer.status).toBe(401);
    expect(errorOf(answer).code).toBe('officer_login_failed');
    expect((await send({ method: 'GET', path: '/healthz?q=%E1%9E%80+a', headers: {} })).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// The fuzz run.

/** Malformed pieces for a URL (already percent-encoded or raw latin1 bytes). */
const BAD_URL_PIECES = [
  '%00',
  '%ff',
  '%',
  '%4',
  '%zz',
  '%c0%af',
  '%e0%80',
  '%ed%a0%80', // an encoded lone surrogate
  '%f4%90%80%80', // above U+10FFFF
  'a%00b',
  '\u00ff\u00fe', // raw bytes that are not UTF-8
  '\u00c3', // a truncated two-byte sequence
  'x%ffy',
];
/** Malformed JS strings for JSON bodies. */
const BAD_STRINGS = ['\u0000', 'a\u0000b', '\ud800', '\udfff', `${'a'.repeat(59)}\ud83d`, '\udc00\ud800'];
/** Hostile but well-formed values (these reach the handlers). */
const HOSTILE_VALUES: unknown[] = [
  '',
  'a'.repeat(2000),
  `${'a'.repeat(59)}😀`,
  'សុខ',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%00',
  -1,
  1e308,
  true,
  null,
  [],
  {},
  ['a'],
  { $gt: '' },
  '9999-99-99',
  '00000000-0000-0000-0000-000000000000',
];
const FIELD_NAMES = [
  'clientId',
  'client_id',
  'username',
  'password',
  'totp',
  'pin',
  'code',
  'phone',
  'email',
  'token',
  'state',
  'redirect_uri',
  'loginToken',
  'accessToken',
  'refreshToken',
  'requestId',
  'uid',
  'name',
  'khmerSurname',
  'latinSurname',
  'documentNumber',
  'mrz',
  'subject',
  'login_hint',
];
const QUERY_NAMES = [
  'client_id',
  'state',
  'redirect_uri',
  'request',
  'lang',
  'code',
  'nonce',
  'scope',
  'id_token_hint',
];
const COOKIE_NAMES = ['cdk_console', 'cdk_lr', '_session', '_interaction', '_session.sig', 'lang'];

type Pick = <T>(items: readonly T[]) => T;

function fillPath(url: string, piece: () => string): string {
  return url
    .split('/')
    .map((segment) => (segment.startsWith(':') || segment === '*' ? piece() : segment))
    .join('/');
}

/** One fuzzed request for a route: at least one malformation, or (1 in 6) hostile but well-formed. */
function fuzzRequest(route: { method: string; url: string }, random: () => number): RawRequest {
  const pick: Pick = (items) => items[Math.floor(random() * items.length)] as (typeof items)[number];
  const badPiece = () => pick(BAD_URL_PIECES);
  const hostilePiece = () => encodeURIComponent(String(pick(HOSTILE_VALUES)));
  const wellFormed = random() < 1 / 6;
  const method = route.method;
  const hasBody = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
  const headers: Record<string, string> = {};
  let path = fillPath(route.url, wellFormed ? hostilePiece : () => (random() < 0.5 ? badPiece() : 'x'));
  let body: Buffer | undefined;
  // Which parts carry a malformation (at least one unless well-formed).
  const kinds = ['path', 'query', 'cookie', 'basic', 'bearer', 'header', 'big-header', 'body'] as const;
  const chosen = new Set<(typeof kinds)[number]>();
  if (!wellFormed) {
    const count = 1 + Math.floor(random() * 2);
    while (chosen.size < count) {
      const kind = pick(kinds);
      if (kind === 'body' && !hasBody) continue;
      chosen.add(kind);
    }
  }
  if (chosen.has('path')) path = `${path}${path.endsWith('/') ? '' : '/'}${badPiece()}`;
  const query = (bad: boolean) =>
    `${pick(QUERY_NAMES)}=${bad ? badPiece() : hostilePiece()}&${pick(QUERY_NAMES)}=${hostilePiece()}`;
  if (chosen.has('query')) path += `${path.includes('?') ? '&' : '?'}${query(true)}`;
  else if (random() < 0.5) path += `${path.includes('?') ? '&' : '?'}${query(false)}`;
  if (chosen.has('cookie')) headers.cookie = `${pick(COOKIE_NAMES)}=${badPiece()}`;
  else if (random() < 0.3) headers.cookie = `${pick(COOKIE_NAMES)}=${hostilePiece()}`;
  if (chosen.has('basic'))
    headers.authorization = pick([
      basic(pick(BAD_STRINGS), 'secret'),
      basic('client', pick(BAD_STRINGS)),
      `Basic ${Buffer.from([0x61, 0xff, 0x3a, 0x62]).toString('base64')}`,
      'Basic !!!not-base64',
      basic('client%00', 'x'),
    ]);
  else if (chosen.has('bearer'))
    headers.authorization = `Bearer tok${pick(['\u00ff', '\u00c3', '\u00e9\u00ff'])}en`;
  else if (random() < 0.2) headers.authorization = pick(['Bearer x', basic('client', 'secret')]);
  if (chosen.has('header'))
    headers[pick(['user-agent', 'x-device-id', 'x-purpose', 'accept-language', 'x-request-id'])] =
      `v${pick(['\u00ff', '\u00c3', '\u00ed\u00a0\u0080'])}`;
  if (chosen.has('big-header')) headers['x-padding'] = 'a'.repeat(8193 + Math.floor(random() * 256));
  if (hasBody) {
    const form =
      route.url.startsWith('/oidc') || route.url.startsWith('/login') ? random() < 0.6 : random() < 0.1;
    const bad = chosen.has('body');
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = Buffer.from(
        `${pick(QUERY_NAMES)}=${bad ? badPiece() : hostilePiece()}&grant_type=${hostilePiece()}`,
        'latin1',
      );
    } else {
      headers['content-type'] = 'application/json';
      if (bad && random() < 0.25) {
        body = Buffer.concat([
          Buffer.from(`{"${pick(FIELD_NAMES)}":"a`),
          Buffer.from([0xff]),
          Buffer.from('"}'),
        ]);
      } else {
        const value: Record<string, unknown> = {};
        for (let i = 0; i < 1 + Math.floor(random() * 3); i++)
          value[pick(FIELD_NAMES)] = bad && i === 0 ? pick(BAD_STRINGS) : pick(HOSTILE_VALUES);
        if (bad && random() < 0.2) value[pick(BAD_STRINGS)] = 'x'; // a malformed key
        body = json(value);
      }
    }
  }
  return { method, path, headers, ...(body ? { body } : {}) };
}

describe('fuzz: every route, malformed requests', () => {
  it(`answers ${PER_ROUTE} crafted requests per route without a 5xx`, { timeout: 300_000 }, async () => {
    // Every route Fastify registered, plus what oidc-provider's discovery lists.
    const routes = new Map<string, { method: string; url: string }>();
    for (const route of server.app.routes) {
      if (route.method === 'HEAD') continue; // Fastify's automatic twin of a GET
      routes.set(`${route.method} ${route.url}`, route);
    }
    const discovery = (await (
      await fetch(`${server.url}/oidc/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    const oidcEndpoints = Object.entries(discovery)
      .filter(
        ([key, value]) => (key.endsWith('_endpoint') || key === 'jwks_uri') && typeof value === 'string',
      )
      .map(([, value]) => new URL(String(value)).pathname);
    expect(oidcEndpoints).toEqual(expect.arrayContaining(['/oidc/auth', '/oidc/token', '/oidc/session/end']));
    for (const path of [...new Set([...oidcEndpoints, '/oidc/.well-known/openid-configuration'])]) {
      for (const method of ['GET', 'POST']) routes.set(`${method} ${path}`, { method, url: path });
    }

    // Seeded (testkit's mulberry32), so a failing run can be replayed with FUZZ_SEED.
    const random = mulberry32(SEED);
    const queue: { key: string; raw: RawRequest }[] = [];
    for (const [key, route] of routes)
      for (let i = 0; i < PER_ROUTE; i++) queue.push({ key, raw: fuzzRequest(route, random) });
    // Interleave the routes (a deterministic shuffle), so no route is hammered alone.
    for (let i = queue.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [queue[i], queue[j]] = [queue[j] as (typeof queue)[number], queue[i] as (typeof queue)[number]];
    }

    const started = performance.now();
    const counts = new Map<string, number>();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < queue.length) {
        const item = queue[next++] as (typeof queue)[number];
        const { key, raw } = item;
        try {
          const answer = await send(raw);
          counts.set(key, (counts.get(key) ?? 0) + 1);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          // The citizen app and the console answer 503 "not built" in a checkout without a build.
          const notBuilt = answer.status === 503 && answer.text.startsWith('This app is not built');
          if (answer.status >= 500 && !notBuilt)
            failures.push(
              `${answer.status} ${key}: ${JSON.stringify(raw).slice(0, 400)} -> ${answer.text.slice(0, 200)}`,
            );
        } catch (error) {
          counts.set(key, (counts.get(key) ?? 0) + 1);
          failures.push(`no answer ${key}: ${JSON.stringify(raw).slice(0, 400)} (${String(error)})`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const lines = [...counts]
      .map(([key, n]) => `${String(n).padStart(5)}  ${key}`)
      .sort((a, b) => a.localeCompare(b));
    console.log(
      `fuzz (seed ${SEED}): ${queue.length} requests to ${routes.size} routes in ${Math.round(
        (performance.now() - started) / 1000,
      )} s; statuses ${JSON.stringify(Object.fromEntries(statuses))}\n${lines.join('\n')}`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(failures.length).toBe(0);
    for (const key of routes.keys()) expect(counts.get(key), key).toBeGreaterThanOrEqual(PER_ROUTE);
  });
});
