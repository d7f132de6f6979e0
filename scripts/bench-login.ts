/**
 * `npm run bench:login`: full QR logins per second on this machine (a real server on loopback,
 * PGlite or DATABASE_URL, in-process or Redis hot state), with the PIN and the Face ID paths,
 * each printed next to a baseline measured in the same run:
 *   - PIN path vs the Argon2id verify rate of the pool (goal ≥ 0.5×);
 *   - Face ID path vs a login-shaped database transaction rate (goal ≥ 0.2×);
 *   - p99 of each API call at half the maximum rate (goal < 100 ms);
 *   - JWKS and token endpoints while PIN checks saturate the pool vs idle (goal ≈ 1×).
 * A login = authorization request → login page → QR from the event stream → scan → number match
 * → approve → completion → token exchange with PKCE.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import pino from 'pino';
import { changeAccountStatus } from '../apps/server/src/accounts/account-status';
import { appendAudit } from '../apps/server/src/audit/audit-log';
import { loadConfig } from '../apps/server/src/config/load';
import { createDeps } from '../apps/server/src/deps';
import { startSmtpSink } from '../apps/server/src/dev/smtp-sink';
import { buildApp } from '../apps/server/src/http/app';
import { Outbox } from '../apps/server/src/ports/outbox';
import { makeCitizen } from '../packages/testkit/src/citizens';
import { walkRegistration } from '../packages/testkit/src/registration-walker';
import { extractOtp } from '../packages/testkit/src/smtp-inbox';
import { adminQuery, databaseUrlFor } from '../packages/testkit/src/test-database';
import { TestDevice } from '../packages/testkit/src/test-device';
import { SoftAuthenticator } from '../packages/testkit/src/webauthn-authenticator';
import { TestBrowser } from '../tests/support/browser';
import { freePort } from '../tests/support/server';

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 8) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const timings = new Map<string, number[]>();
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
const p = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
const fmt = (x: number) => x.toFixed(1).padStart(8);

async function main() {
  const outbox = new Outbox();
  const sink = await startSmtpSink(outbox, await freePort());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'cdk-bench-'));
  // With DATABASE_URL, bench in a database of its own (dropped at the end), never in the given one.
  const baseUrl = process.env.DATABASE_URL;
  const benchDb = `cdk_bench_${randomUUID().slice(0, 8)}`;
  if (baseUrl) await adminQuery(baseUrl, `create database ${benchDb}`);
  const config = loadConfig({
    ...process.env,
    ...(baseUrl ? { DATABASE_URL: databaseUrlFor(baseUrl, benchDb) } : {}),
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    PORT: String(port),
    PUBLIC_URL: url,
    SMTP_URL: sink.url,
    LOG_LEVEL: 'silent',
    FLOWS_PER_IP_PER_HOUR: '10000',
    OTP_MAX_SENDS_PER_IP_PER_HOUR: '10000',
    OTP_MAX_VERIFY_PER_IP_PER_HOUR: '10000',
    // One address drives every simulated citizen's login (and device nonces) here.
    OIDC_AUTH_PER_IP_PER_MINUTE: '1000000',
    DEVICE_NONCES_PER_IP_PER_MINUTE: '1000000',
  });
  const deps = await createDeps(config, { outbox, logger: pino({ level: 'silent' }) });
  const app = await buildApp(deps);
  await app.fastify.listen({ host: '127.0.0.1', port });
  console.log(
    `CamDigiKey login bench — database ${deps.dbKind}, hot state ${deps.hot.kind}, pool ${deps.pins.threads} threads, ${CONCURRENCY} concurrent logins, ${DURATION_MS / 1000} s per phase\n`,
  );

  const code = async (to: string) => {
    const m = await outbox.latest(to, 5000);
    return extractOtp(m?.text ?? '') ?? '';
  };
  // One phone per concurrent worker and method: a phone does one login at a time (and a Face ID
  // authenticator's signature counter must only grow).
  const citizens = [];
  const plan = Array.from({ length: CONCURRENCY }, () => [false, true]).flat();
  for (const [i, faceId] of plan.entries()) {
    const citizen = makeCitizen(9_500_000 + Math.floor(Math.random() * 100_000) + i);
    const device = await TestDevice.create(url);
    const authenticator = faceId ? new SoftAuthenticator() : undefined;
    const flow = await walkRegistration(device, citizen, {
      otp: { sms: code, email: code },
      ...(authenticator ? { authenticator: { device: authenticator, origin: url } } : {}),
    });
    await changeAccountStatus(deps, flow.account!.id, 'active', { actorType: 'system' });
    citizens.push({ citizen, device, authenticator });
  }
  const admin = { authorization: `Bearer ${config.secrets.adminToken}`, 'content-type': 'application/json' };
  const rp = (await (
    await fetch(`${url}/api/admin/v1/relying-parties`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        organisation: 'Bench',
        appName: 'Bench RP',
        domain: 'bench.example.kh',
        redirectUris: ['http://127.0.0.1:9/cb'],
        allowedScopes: ['openid', 'profile'],
      }),
    })
  ).json()) as { clientId: string; clientSecret: string };
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
      redirect_uri: 'http://127.0.0.1:9/cb',
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
    const done = await time('complete + consent + redirect', async () => {
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
    return (count * 1000) / ms;
  }

  // Baselines.
  const verifier = await deps.pins.hash('482913');
  const argonStart = performance.now();
  const argonN = 80;
  await Promise.all(Array.from({ length: argonN }, () => deps.pins.verify(verifier, '482913')));
  const argonRate = (argonN * 1000) / (performance.now() - argonStart);
  const txN = 200;
  const txStart = performance.now();
  for (let i = 0; i < txN; i++) {
    const id = randomUUID();
    await deps.db.transaction().execute(async (trx) => {
      const now = new Date();
      await trx
        .insertInto('login_requests')
        .values({
          id,
          interaction_uid: 'bench',
          client_id: 'bench',
          qr_secret_enc: 'x',
          browser_binding: 'x',
          state: 'pending',
          device_id: null,
          account_id: null,
          match_code: '42',
          match_choices: '["42"]',
          webauthn_challenge: null,
          method: null,
          reason: null,
          created_at: now,
          expires_at: now,
          claimed_at: null,
          decided_at: null,
        })
        .execute();
      await trx.updateTable('login_requests').set({ state: 'approved' }).where('id', '=', id).execute();
      await appendAudit(trx, { actorType: 'system', action: 'bench.login' }, now);
    });
  }
  const txRate = (txN * 1000) / (performance.now() - txStart);

  for (let w = 0; w < CONCURRENCY; w++) {
    await oneLogin('pin', w); // warm-up (also creates the grants, so later logins skip consent)
    await oneLogin('face_id', w);
  }
  timings.clear();
  const pinRate = await closedLoop('pin', DURATION_MS, CONCURRENCY);
  const faceRate = await closedLoop('face_id', DURATION_MS, CONCURRENCY);
  const line = (name: string, value: number, base: number, goal: string) =>
    console.log(
      `${name.padEnd(34)} ${fmt(value)} /s   baseline ${fmt(base)} /s   ratio ${(value / base).toFixed(2)}×   (${goal})`,
    );
  line('QR logins, PIN path', pinRate, argonRate, 'goal ≥ 0.5× Argon2 verifies/s');
  line('QR logins, Face ID path', faceRate, txRate, 'goal ≥ 0.2× login-shaped transactions/s');

  // p99 at half the maximum rate (open loop, PIN path).
  timings.clear();
  const half = pinRate / 2;
  const started: Promise<void>[] = [];
  const end = Date.now() + DURATION_MS;
  let next = 0;
  while (Date.now() < end) {
    started.push(oneLogin('pin', next++ % CONCURRENCY));
    await new Promise((r) => setTimeout(r, 1000 / half));
  }
  await Promise.all(started);
  console.log(
    `\np50 / p99 per call at half the maximum PIN rate (${half.toFixed(1)} logins/s); goal p99 < 100 ms`,
  );
  for (const [name, xs] of timings)
    console.log(`  ${name.padEnd(32)} ${fmt(p(xs, 0.5))} ms ${fmt(p(xs, 0.99))} ms   (n=${xs.length})`);

  // Other endpoints while the PIN pool is saturated.
  const probe = async (label: string, fn: () => Promise<unknown>) => {
    const xs: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t = performance.now();
      await fn();
      xs.push(performance.now() - t);
    }
    return { label, p50: p(xs, 0.5), p99: p(xs, 0.99) };
  };
  const jwks = () => fetch(`${url}/oidc/jwks`).then((r) => r.text());
  const discovery = () => fetch(`${url}/oidc/.well-known/openid-configuration`).then((r) => r.text());
  const idle = [await probe('JWKS', jwks), await probe('discovery', discovery)];
  let saturating = true;
  const load = Promise.all(
    Array.from({ length: 16 }, async () => {
      while (saturating) await deps.pins.verify(verifier, '000000');
    }),
  );
  const busy = [await probe('JWKS', jwks), await probe('discovery', discovery)];
  saturating = false;
  await load;
  console.log('\nother endpoints while PIN checks saturate the pool (p99, idle → saturated; goal ≈ 1×)');
  for (const [i, b] of busy.entries())
    console.log(
      `  ${b.label.padEnd(12)} ${fmt(idle[i]!.p99)} ms → ${fmt(b.p99)} ms   ratio ${(b.p99 / idle[i]!.p99).toFixed(2)}×`,
    );

  app.endStreams();
  await app.fastify.close();
  await deps.close();
  await sink.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (baseUrl) await adminQuery(baseUrl, `drop database if exists ${benchDb} with (force)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
