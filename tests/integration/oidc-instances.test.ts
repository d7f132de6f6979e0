/**
 * Web login across two instances behind one load balancer (Redis): the browser's event stream
 * is held by one instance while the phone's scan and approval reach the other; the page still
 * learns at once (Redis pub/sub), and the login completes on either instance.
 */
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { hasRedisServer, redisForTest } from '../support/own-redis';
import { LOGIN, openLoginPage } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

// The run's REDIS_URL, or a Redis of this test's own when the run has none (embedded default).
describe.runIf(Boolean(process.env.REDIS_URL) || hasRedisServer())('web login on two instances', () => {
  let redis: Awaited<ReturnType<typeof redisForTest>>;
  let a: TestServer;
  let b: TestServer;
  let who: ActiveCitizen;
  let rp: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    redis = await redisForTest();
    a = await startTestServer({ env: { REDIS_URL: redis?.url ?? '' } });
    b = await startTestServer({ shareWith: a });
    who = await activeCitizen(a, 8401);
    rp = await registerRelyingParty(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await redis?.close();
  });

  it('tells the page held by instance A about a scan and approval made on instance B', async () => {
    const cfg = await oidc.discovery(
      new URL(`${a.url}/oidc`),
      rp.clientId,
      undefined,
      oidc.ClientSecretBasic(rp.clientSecret),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: 'http://127.0.0.1:9999/callback',
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const browser = new TestBrowser();
    const page = await openLoginPage(a, browser, url.toString());
    const events = await browser.events(`${a.url}/login/${page.uid}/events?request=${page.requestId}`);
    const qr = await events.next<{ payload: string }>('qr');
    // The same phone, talking to instance B.
    const phoneOnB = Object.assign(Object.create(Object.getPrototypeOf(who.device)), who.device, {
      baseUrl: b.url,
    });
    const scan = await phoneOnB.call('POST', `${LOGIN}/scan`, { qr: qr.payload });
    expect(scan.status, JSON.stringify(scan.body)).toBe(200);
    const claimed = await events.next<{ state: string; matchCode: string }>(
      'status',
      (s) => s.state === 'claimed',
    );
    const approved = await phoneOnB.call('POST', `${LOGIN}/${scan.body.requestId}/approve`, {
      matchCode: claimed.matchCode,
      pin: who.citizen.pin,
    });
    expect(approved.status).toBe(200);
    expect(await events.next('status', (s: { state: string }) => s.state === 'approved')).toMatchObject({
      state: 'approved',
    });
    events.close();
  });
});
