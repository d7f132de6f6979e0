/**
 * The integrators' sandbox: `npm start` (with demo data) registers a sandbox portal and writes its
 * OIDC and client-API credentials as files; the device CLI (`camdigikey-device`) then plays the
 * phone of a demo citizen: it approves the web login waiting in a browser (QR page) and approves
 * app-to-app login tokens, so a whole login runs without a phone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CamDigiKeyClient } from '@camdigikey/client';
import { totpFor } from '@camdigikey/server/console/officers';
import { seedDemoData } from '@camdigikey/server/dev/demo-data';
import { seedDemoOfficers } from '@camdigikey/server/dev/demo-officers';
import { seedSandbox } from '@camdigikey/server/dev/sandbox';
import { loginTokenOf, runDeviceCli } from '@camdigikey/testkit/device-cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser';
import { registerRelyingParty } from '../support/citizens';
import { issueClientApi, sdkFor } from '../support/client-api';
import { completeAndConsent, openLoginPage } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let dir: string;
let sandboxDir: string;

const env = (file: string) =>
  Object.fromEntries(
    readFileSync(join(sandboxDir, file), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  ) as Record<string, string>;

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDeviceCli(
    [...argv, '--server', server.url, '--data-dir', dir],
    {},
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    { now: () => server.clock.now() },
  );
  return { code, out, err };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cdk-sandbox-'));
  server = await startTestServer({ env: { DATA_DIR: dir, DEV_OUTBOX: 'true' } });
  await seedDemoData(server.deps);
  sandboxDir = (await seedSandbox(server.deps))!;
}, 60_000);
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the sandbox portal', () => {
  it('writes the credentials an integrator receives, once, and they work with the SDK', async () => {
    for (const file of ['client-api.env', 'oidc.env']) expect(existsSync(join(sandboxDir, file))).toBe(true);
    const api = env('client-api.env');
    expect(existsSync(api.CAMDIGIKEY_CLIENT_KEYSTORE_FILE!)).toBe(true);
    expect(await seedSandbox(server.deps)).toBe(sandboxDir);
    expect(env('client-api.env').CAMDIGIKEY_CLIENT_ID).toBe(api.CAMDIGIKEY_CLIENT_ID);
    const sdk = CamDigiKeyClient.fromEnv(api, { now: () => server.clock.now().getTime() });
    const { data } = await sdk.getOrganizationAccessToken();
    expect((await sdk.validateJwt(data!.accessToken)).payload).toMatchObject({
      type: 'ORGANIZATION',
      domain: 'localhost:3002',
    });
  });
});

describe('the demo officers', () => {
  it('are created once, and sign in to the console with the password and a TOTP code from the file', async () => {
    const file = await seedDemoOfficers(server.deps);
    const officers = JSON.parse(readFileSync(file, 'utf8')) as {
      username: string;
      password: string;
      role: string;
      totpSecret: string;
    }[];
    expect(officers.map((o) => [o.username, o.role])).toEqual([
      ['admin.demo', 'administrator'],
      ['officer.demo', 'officer'],
    ]);
    expect(await seedDemoOfficers(server.deps)).toBe(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(officers);
    const admin = officers[0]!;
    const r = await fetch(`${server.url}/api/console/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: admin.username,
        password: admin.password,
        totp: totpFor(admin.totpSecret, admin.username).generate({ timestamp: server.clock.now().getTime() }),
      }),
    });
    expect(r.status).toBe(200);
  });
});

describe('the device CLI', () => {
  it('approves the web login waiting in a browser, reading the number like a person would', async () => {
    expect((await cli('approve')).code).toBe(1);
    const rp = await registerRelyingParty(server, { appName: 'Land Title Portal' });
    const browser = new TestBrowser();
    const url = new URL(`${server.url}/oidc/auth`);
    for (const [k, v] of Object.entries({
      client_id: rp.clientId,
      redirect_uri: 'http://127.0.0.1:9999/callback',
      response_type: 'code',
      scope: 'openid profile',
      state: 'st-1',
      nonce: 'n-1',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(k, v);
    const page = await openLoginPage(server, browser, url.toString());
    const events = await browser.events(`${server.url}/login/${page.uid}/events?request=${page.requestId}`);
    const run = await cli('approve');
    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out.join('\n')).toContain('Land Title Portal');
    await events.next('status', (s: { state: string }) => s.state === 'approved');
    events.close();
    const back = new URL(await completeAndConsent(server, browser, page));
    expect(back.searchParams.get('state')).toBe('st-1');
    expect(back.searchParams.get('code')).toBeTruthy();
  });

  it('approves an app-to-app login token and prints the URL the app returns to', async () => {
    const sdk = CamDigiKeyClient.fromEnv(env('client-api.env'), { now: () => server.clock.now().getTime() });
    const { data } = await sdk.getLoginToken();
    expect(loginTokenOf(data!.loginUrl)).toBe(data!.loginToken);
    const run = await cli('approve', `camdigikey://login?token=${encodeURIComponent(data!.loginToken)}`);
    expect(run.code).toBe(0);
    const back = run.out
      .find((l) => l.startsWith('return to the app: '))!
      .slice('return to the app: '.length);
    expect(back).toMatch(/^kh\.gov\.sandbox\.app:\/\/camdigikey_login_callback\?authToken=/);
    const { data: access } = await sdk.getUserAccessToken(new URL(back).searchParams.get('authToken')!);
    const checked = await sdk.validateJwt(access!.accessToken);
    const demo = JSON.parse(readFileSync(join(dir, 'demo-devices.json'), 'utf8')) as { accountId: string }[];
    expect(checked).toMatchObject({ is_valid: true, payload: { camdigikey_id: demo[0]!.accountId } });
    // Demo citizens have a face photo: getUserFace answers in the sandbox (a JPEG).
    const { data: face } = await sdk.getUserFace(access!.accessToken);
    expect(Buffer.from(face!.face, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect((await cli('approve', data!.loginToken)).code).toBe(1);
  });

  it('tells a relying party without a registered app id, instead of an expired login', async () => {
    const rp = await registerRelyingParty(server, { appName: 'Web-only Portal' });
    const issued = await issueClientApi(server, rp.clientId, {
      successCallbackUrl: 'http://127.0.0.1:9999/cb',
      errorCallbackUrl: 'http://127.0.0.1:9999/err',
    });
    const sdk = sdkFor(server, issued);
    const { data } = await sdk.getLoginToken();
    expect(data!.appToApp).toMatchObject({ available: false });
    const run = await cli('approve', data!.loginToken);
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toContain('app_login_not_registered');
    const audited = await server.deps.db
      .selectFrom('audit_events')
      .select('action')
      .where('subject_id', '=', rp.clientId)
      .where('action', '=', 'client_api.app_login_unregistered')
      .execute();
    expect(audited).toHaveLength(1);
  });
});

describe('the demo citizens', () => {
  it('are listed for integrators with their personal codes and PINs', () => {
    const list = readFileSync(join(sandboxDir, 'demo-citizens.md'), 'utf8');
    const demo = JSON.parse(readFileSync(join(dir, 'demo-devices.json'), 'utf8')) as {
      accountId: string;
      pin: string;
    }[];
    for (const d of demo) {
      expect(list).toContain(d.accountId);
      expect(list).toContain(`| ${d.pin} |`);
    }
    expect(list).toMatch(/id_card [A-Z0-9]+|passport [A-Z0-9]+/);
  });
});
