/**
 * The same security headers and request id on every answer, oidc-provider's included (issue 19,
 * defect 10): /oidc/* is answered by the provider (Koa) on the raw response, outside Fastify's
 * onSend hook, and used to lack them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const expectHeaders = (r: Response) => {
  expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  expect(r.headers.get('referrer-policy')).toBe('no-referrer');
};

describe('headers on /oidc/* answers', () => {
  it('discovery and the JWKS carry x-request-id, nosniff and referrer-policy', async () => {
    const discovery = await fetch(`${server.url}/oidc/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expectHeaders(discovery);
    const { jwks_uri } = (await discovery.json()) as { jwks_uri: string };
    const jwks = await fetch(jwks_uri);
    expect(jwks.status).toBe(200);
    expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    expectHeaders(jwks);
  });

  it('an authorization request error carries them', async () => {
    const r = await fetch(`${server.url}/oidc/auth?client_id=unknown-client&response_type=code`, {
      redirect: 'manual',
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expectHeaders(r);
  });

  it('a token endpoint error carries them', async () => {
    const r = await fetch(`${server.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'nope' }).toString(),
    });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expectHeaders(r);
  });

  it('each answer has its own request id', async () => {
    const a = await fetch(`${server.url}/oidc/.well-known/openid-configuration`);
    const b = await fetch(`${server.url}/oidc/.well-known/openid-configuration`);
    expect(a.headers.get('x-request-id')).not.toBe(b.headers.get('x-request-id'));
  });
});
