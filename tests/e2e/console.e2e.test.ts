/**
 * The officer console in Chromium: an officer signs in with password and TOTP (a wrong code is
 * refused with the server's Khmer message), sees the queue in Khmer, switches to English, opens
 * the oldest case (document photo loaded, evidence listed, form next to the MRZ), approves it, and
 * the citizen's account becomes active. An officer has no Administration screen; an administrator
 * does, and sees the officer accounts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { totpFor } from '@camdigikey/server/console/officers';
import { CONSOLE_DIST } from '@camdigikey/server/http/console-static';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { launchChromium, openJourney, SCREENSHOTS } from './support/chromium';

let server: TestServer;
let browser: Browser;
const secrets: Record<string, string> = {};
let accountId: string;

async function createOfficer(username: string, role: string) {
  const r = await fetch(`${server.url}/api/admin/v1/officers`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      username,
      displayName: `Officer ${username}`,
      role,
      password: 'correct horse battery',
    }),
  });
  expect(r.status).toBe(201);
  secrets[username] = ((await r.json()) as { totpSecret: string }).totpSecret;
}

/** A fresh TOTP code: each sign-in uses the next 30-second step of the server's clock. */
function code(username: string) {
  server.clock.advance(30_000);
  return totpFor(secrets[username]!, username).generate({ timestamp: server.clock.now().getTime() });
}

beforeAll(async () => {
  if (!existsSync(`${CONSOLE_DIST}/index.html`)) {
    execFileSync('npm', ['run', 'build', '-w', '@camdigikey/console'], { stdio: 'inherit' });
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer({ env: { EVIDENCE_WORKER: 'true', EVIDENCE_POLL_MS: '200' } });
  await createOfficer('dara', 'officer');
  await createOfficer('chenda', 'administrator');
  const flow = await walkRegistration(await server.device(), makeCitizen(9951, { documentType: 'id_card' }), {
    otp: { sms: (p) => server.smsCode(p), email: (a) => server.emailCode(a) },
  });
  accountId = flow.account!.id;
  for (let i = 0; i < 240; i++) {
    const rows = await server.deps.db
      .selectFrom('evidence')
      .select('kind')
      .where('account_id', '=', accountId)
      .execute();
    if (rows.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the officer console in Chromium', () => {
  it('signs an officer in (Khmer first), opens the oldest case and approves it; the citizen becomes active', async () => {
    const journey = await openJourney(browser, 'km');
    const { page } = journey;
    await page.goto(`${server.url}/console/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('ការចូលប្រើរបស់មន្ត្រី');

    await page.fill('#username', 'dara');
    await page.fill('#password', 'correct horse battery');
    await page.fill('#totp', '000000');
    await page.click('#sign-in');
    await expect.poll(() => page.locator('[role=alert]').textContent()).toMatch(/[\u1780-\u17ff]/);
    await journey.shot('console-1-signin-refused');

    await page.fill('#totp', code('dara'));
    await page.click('#sign-in');
    await page.locator('#queue').waitFor();
    expect(await page.locator('h1').textContent()).toBe('ការចុះឈ្មោះដែលកំពុងរង់ចាំការពិនិត្យ');
    expect(await page.locator(`tr[data-account="${accountId}"] .badge`).first().textContent()).toBe('ទាន់ពេល');
    expect(await page.locator('#nav-admin').count()).toBe(0);
    await journey.shot('console-2-queue-km');

    await page.click('#switch-lang');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Registrations waiting for review');
    expect(await page.locator('#queue-counts').textContent()).toMatch(/^1 waiting/);

    await page.click('#open-oldest');
    await page.locator('#case').waitFor();
    expect(await page.locator('#case').getAttribute('data-account')).toBe(accountId);
    await expect
      .poll(() =>
        page
          .locator('#document-photo')
          .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBeGreaterThan(100);
    expect(await page.locator('#evidence tr[data-kind="mrz_form"]').textContent()).toContain('Pass');
    expect(await page.locator('#comparison tr[data-field="documentNumber"] td').nth(0).textContent()).toBe(
      await page.locator('#comparison tr[data-field="documentNumber"] td').nth(1).textContent(),
    );
    await journey.shot('console-3-case');

    await page.click('#decide');
    await page.click('#confirm-decision');
    await page.locator('#notice').waitFor();
    expect(await page.locator('#notice').textContent()).toBe(
      'Your decision was recorded and the citizen has been told.',
    );
    await expect
      .poll(
        async () =>
          (
            await server.deps.db
              .selectFrom('accounts')
              .select('status')
              .where('id', '=', accountId)
              .executeTakeFirst()
          )?.status,
      )
      .toBe('active');
    expect(await page.locator('#queue-empty').isVisible()).toBe(true);
    await journey.shot('console-4-approved');
    expect(journey.problems).toEqual([]);
    await journey.context.close();
  });

  it('shows an administrator the administration screens and the officer accounts', async () => {
    const journey = await openJourney(browser, 'en');
    const { page } = journey;
    await page.goto(`${server.url}/console/`);
    await page.click('#switch-lang');
    await page.fill('#username', 'chenda');
    await page.fill('#password', 'correct horse battery');
    await page.fill('#totp', code('chenda'));
    await page.click('#sign-in');
    await page.locator('#nav-admin').click();
    await page.locator('#officers').waitFor();
    expect(await page.locator('#officers').textContent()).toContain('Officer dara');
    await page.click('#tab-settings');
    await page.locator('#settings').waitFor();
    expect(await page.locator('#settings').textContent()).toContain('0.65');
    await page.click('#nav-dashboard');
    await page.locator('#sla-tiles').waitFor();
    expect(await page.locator('#workload').textContent()).toContain('Officer dara');
    await journey.shot('console-5-dashboard');
    await page.click('#sign-out');
    await page.locator('#sign-in').waitFor();
    expect(journey.problems).toEqual([]);
    await journey.context.close();
  });
});
