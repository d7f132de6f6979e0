/**
 * The QR login driver of bench:login and bench:soak: registers one phone per concurrent worker
 * and method against a bench server, registers a relying party, and runs whole logins (browser
 * simulation + test phone) from this process, timing each step into `timings`.
 */
import * as oidc from 'openid-client';
import { makeCitizen } from '../packages/testkit/src/citizens';
import { walkRegistration } from '../packages/testkit/src/registration-walker';
import { TestDevice } from '../packages/testkit/src/test-device';
import { SoftAuthenticator } from '../packages/testkit/src/webauthn-authenticator';
import { TestBrowser } from '../tests/support/browser';
import { BENCH_REDIRECT_URI, type BenchServer, registerBenchClient } from './bench-support';

export type Method = 'pin' | 'face_id';

export async function loginDriver(server: BenchServer, concurrency: number, timings: Map<string, number[]>) {
  const url = server.url;
  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      const list = timings.get(name) ?? [];
      list.push(performance.now() - t);
      timings.set(name, list);
    }
  };
  const code = (to: string) => server.call<string>('otp', { to });
  // One phone per concurrent worker and method: a phone does one login at a time (and a Face ID
  // authenticator's signature counter must only grow).
  const citizens = [];
  const plan = Array.from({ length: concurrency }, () => [false, true]).flat();
  for (const [i, faceId] of plan.entries()) {
    const citizen = makeCitizen(9_500_000 + Math.floor(Math.random() * 100_000) + i);
    const device = await TestDevice.create(url);
    const authenticator = faceId ? new SoftAuthenticator() : undefined;
    const flow = await walkRegistration(device, citizen, {
      otp: { sms: code, email: code },
      ...(authenticator ? { authenticator: { device: authenticator, origin: url } } : {}),
    });
    await server.call('activate', { accountId: flow.account!.id });
    citizens.push({ citizen, device, authenticator });
  }
  const rp = await registerBenchClient(server);
  const cfg = await oidc.discovery(
    new URL(`${url}/oidc`),
    rp.clientId,
    undefined,
    oidc.ClientSecretBasic(rp.clientSecret),
    { execute: [oidc.allowInsecureRequests] },
  );

  async function oneLogin(method: 'pin' | 'face_id', worker = 0) {
    const who = citizens[worker * 2 + (method === 'pin' ? 0 : 1)]!;
    const browser = new TestBrowser();
    const verifier = oidc.randomPKCECodeVerifier();
    const auth = oidc.buildAuthorizationUrl(cfg, {
      redirect_uri: BENCH_REDIRECT_URI,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const page = await time('authorize + login page', async () => {
      const r = await browser.follow(auth.toString(), url);
      const html = await r.response.text();
      return { uid: /data-uid="([^"]+)"/.exec(html)?.[1], request: /data-request="([^"]+)"/.exec(html)?.[1] };
    });
    const events = await browser.events(`${url}/login/${page.uid}/events?request=${page.request}`);
    const qr = await time('event stream: first QR', () => events.next<{ payload: string }>('qr'));
    const scan = await time('POST scan', () =>
      who.device.call<{ requestId: string }>('POST', '/api/device/v1/login/scan', { qr: qr.payload }),
    );
    const claimed = await events.next<{ matchCode: string; state: string }>(
      'status',
      (s) => s.state === 'claimed',
    );
    let body: Record<string, unknown> = { matchCode: claimed.matchCode, pin: who.citizen.pin };
    if (method === 'face_id') {
      const opts = await time('POST face-id/options', () =>
        who.device.call<{ publicKey: never }>(
          'POST',
          `/api/device/v1/login/${scan.body.requestId}/face-id/options`,
          {},
        ),
      );
      body = {
        matchCode: claimed.matchCode,
        assertion: await who.authenticator!.getAssertion(opts.body.publicKey, url),
      };
    }
    const approved = await time(`POST approve (${method})`, () =>
      who.device.call('POST', `/api/device/v1/login/${scan.body.requestId}/approve`, body),
    );
    if (approved.status !== 200) throw new Error(`approve failed: ${JSON.stringify(approved.body)}`);
    events.close();
    const done = await time('complete + redirect (consent if asked)', async () => {
      let step = await browser.follow(`${url}/login/${page.uid}/complete?request=${page.request}`, url);
      if (step.url.startsWith(url)) {
        const uid = /action="\/login\/([^/"]+)\/consent"/.exec(await step.response.text())?.[1];
        const allowed = await browser.form(`${url}/login/${uid}/consent`, { decision: 'allow' });
        step = await browser.follow(new URL(allowed.headers.get('location')!, url).toString(), url);
      }
      return step.url;
    });
    await time('POST token', () =>
      oidc.authorizationCodeGrant(cfg, new URL(done), { pkceCodeVerifier: verifier }),
    );
  }

  async function closedLoop(method: 'pin' | 'face_id', ms: number, concurrency: number) {
    let count = 0;
    const end = Date.now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        while (Date.now() < end) {
          await oneLogin(method, worker);
          count++;
        }
      }),
    );
    return { rate: (count * 1000) / ms, count };
  }

  for (let w = 0; w < concurrency; w++) {
    await oneLogin('pin', w); // warm-up (also creates the grants, so later logins skip consent)
    await oneLogin('face_id', w);
  }
  return { oneLogin, closedLoop };
}
