/**
 * The officer console in Chromium (1280 px, and a tablet at 768 px): an officer signs in with
 * password and TOTP (a wrong code is refused with the server's Khmer message), sees the queue in
 * Khmer with the case's SLA, switches to English, opens the oldest case (document photo loaded,
 * evidence with scores and thresholds, form next to the MRZ, history), approves it, and the
 * citizen's account becomes active. An officer has no Administration screen; an administrator
 * does (officers, the thresholds in force with their labels), re-reads the decided case
 * read-only and sees the dashboard. A rejection for suspected fraud waits for a second officer:
 * the first officer's own confirmation is refused with the server's message, another confirms it
 * and the account is rejected. The console is built first when dist/ is missing or older than
 * its sources (support/builds.ts). TOTP codes use the test server's manual clock.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { DEFAULT_THRESHOLDS } from '@camdigikey/face-engine';
import { CONSOLE_DIST } from '@camdigikey/server/http/console-static';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgedEvidence } from '../support/evidence';
import { createOfficer as createTestOfficer, OFFICER_PASSWORD, totpCode } from '../support/officers';
import { startTestServer, type TestServer } from '../support/server';
import { a11y, a11yReport } from './support/a11y';
import { ensureBuilt } from './support/builds';
import { launchChromium, openJourney, SCREENSHOTS } from './support/chromium';

let server: TestServer;
let browser: Browser;
const secrets: Record<string, string> = {};
let accountId: string;

async function createOfficer(username: string, role: string) {
  secrets[username] = (await createTestOfficer(server, username, role)).totpSecret;
}

/** Fills the sign-in form and sends it. */
async function signIn(page: Page, username: string, totp: string) {
  await page.fill('#username', username);
  await page.fill('#password', OFFICER_PASSWORD);
  await page.fill('#totp', totp);
  await page.click('#sign-in');
}

/** A fresh TOTP code: each sign-in uses the next 30-second step of the server's clock. */
function code(username: string) {
  server.clock.advance(30_000);
  return totpCode(server, secrets[username]!, username);
}

beforeAll(async () => {
  ensureBuilt(CONSOLE_DIST, '@camdigikey/console');
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer({ env: { EVIDENCE_WORKER: 'true', EVIDENCE_POLL_MS: '200' } });
  await createOfficer('dara', 'officer');
  await createOfficer('chenda', 'administrator');
  const flow = await walkRegistration(await server.device(), makeCitizen(9951, { documentType: 'id_card' }), {
    otp: { sms: (p) => server.smsCode(p), email: (a) => server.emailCode(a) },
  });
  accountId = flow.account!.id;
  await judgedEvidence(server, accountId, 1);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  console.log(`accessibility of the console, screen by screen:\n${a11yReport()}`);
  await browser?.close();
  await server?.close();
});

describe('the officer console in Chromium', () => {
  it('signs an officer in (Khmer first), opens the oldest case and approves it; the citizen becomes active', async () => {
    const journey = await openJourney(browser, 'km');
    const { page } = journey;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}/console/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('ការចូលប្រើរបស់មន្ត្រី');
    await a11y(page, 'console-signin-km');

    await signIn(page, 'dara', '000000');
    await expect.poll(() => page.locator('[role=alert]').textContent()).toMatch(/[\u1780-\u17ff]/);
    await journey.shot('console-1-signin-refused');

    await page.fill('#totp', code('dara'));
    await page.click('#sign-in');
    await page.locator('#queue').waitFor();
    expect(await page.locator('h1').textContent()).toBe('ការចុះឈ្មោះដែលកំពុងរង់ចាំការពិនិត្យ');
    expect(await page.locator(`tr[data-account="${accountId}"] .badge`).first().textContent()).toBe('ទាន់ពេល');
    expect(await page.locator('#nav-admin').count()).toBe(0);
    await journey.shot('console-2-queue-km');
    await a11y(page, 'console-queue-km');

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
    expect(await page.locator('#evidence tr[data-kind="face_match"] .threshold').textContent()).toBe(
      `≥ ${DEFAULT_THRESHOLDS.match.toFixed(2)}`,
    );
    expect(await page.locator('#evidence tr[data-kind="mrz_form"] .score').textContent()).toBe('1.00');
    expect(await page.locator('#case-status').textContent()).toBe('Waiting for review');
    expect(await page.locator('#history').textContent()).toContain('Registration submitted');
    expect(await page.locator('#comparison tr[data-field="documentNumber"] td').nth(0).textContent()).toBe(
      await page.locator('#comparison tr[data-field="documentNumber"] td').nth(1).textContent(),
    );
    // Every step of the history has a label: no raw audit id such as `registration.details_draft_saved`.
    expect(await page.locator('#history').textContent()).not.toMatch(/\b[a-z_]+\.[a-z_]+\b/);
    await journey.shot('console-3-case');
    await a11y(page, 'console-case-en');

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
    // The queue is read again after the decision: wait for it to say it is empty.
    await page.locator('#queue-empty').waitFor();
    await journey.shot('console-4-approved');
    expect(journey.problems).toEqual([]);
    await journey.context.close();
  });

  it('shows an administrator the administration screens and the officer accounts', async () => {
    const journey = await openJourney(browser, 'en');
    const { page } = journey;
    await page.goto(`${server.url}/console/`);
    await page.click('#switch-lang');
    await signIn(page, 'chenda', code('chenda'));
    await page.locator('#nav-admin').click();
    // The table is drawn at once and filled when the list arrives.
    await expect.poll(() => page.locator('#officers').textContent()).toContain('Officer dara');
    await page.click('#tab-settings');
    await page.locator('#settings').waitFor();
    expect(await page.locator('#threshold-match').textContent()).toBe(DEFAULT_THRESHOLDS.match.toFixed(2));
    expect(await page.locator('tr[data-threshold="match"] th').textContent()).toContain(
      'Face match: same person from',
    );
    expect(await page.locator('#settings-source').textContent()).toContain('server configuration');
    expect(await page.locator('#settings input').count()).toBe(0);
    await journey.shot('console-5-settings');
    // A tablet held upright: the screens fit without scrolling sideways.
    await page.setViewportSize({ width: 768, height: 1024 });
    type PageGlobals = { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
    const fits = () =>
      page.evaluate(() => {
        const g = globalThis as unknown as PageGlobals;
        return g.document.documentElement.scrollWidth <= g.innerWidth;
      });
    await page.click('#nav-queue');
    await page.locator('#queue-empty').waitFor();
    expect(await fits()).toBe(true);
    // The approved case stays readable (read-only) for re-checks, on a tablet too.
    await page.goto(`${server.url}/console/#/cases/${accountId}`);
    await page.locator('#case').waitFor();
    await page.locator('#decisions').waitFor();
    expect(await page.locator('#case-status').textContent()).toBe('Active');
    expect(await page.locator('#decisions').textContent()).toContain('Officer dara');
    expect(await page.locator('#decision').count()).toBe(0);
    expect(await fits()).toBe(true);
    await journey.shot('console-6-case-tablet');
    await page.click('#nav-dashboard');
    await page.locator('#sla-tiles').waitFor();
    expect(await fits()).toBe(true);
    expect(await page.locator('#workload').textContent()).toContain('Officer dara');
    await journey.shot('console-7-dashboard');
    await a11y(page, 'console-dashboard-en');
    // In Khmer the days and counts are written in Khmer digits with Khmer month names.
    await page.click('#switch-lang');
    await expect.poll(() => page.locator('#per-day').textContent()).toMatch(/ថ្ងៃទី [០-៩]+ ខែ/);
    expect(await page.locator('#per-day').textContent()).not.toMatch(/[0-9]/);
    expect(await page.locator('#sla-tiles').textContent()).not.toMatch(/[0-9]/);
    await journey.shot('console-7-dashboard-km');
    await a11y(page, 'console-dashboard-km');
    await page.click('#sign-out');
    await page.locator('#sign-in').waitFor();
    expect(journey.problems).toEqual([]);
    await journey.context.close();
  });
  it('holds a rejection for suspected fraud until a second officer confirms it (four eyes)', async () => {
    const flow = await walkRegistration(
      await server.device(),
      makeCitizen(9952, { documentType: 'id_card' }),
      {
        otp: { sms: (p) => server.smsCode(p), email: (a) => server.emailCode(a) },
      },
    );
    const fraudId = flow.account!.id;

    const first = await openJourney(browser, 'en');
    await first.page.setViewportSize({ width: 1280, height: 900 });
    await first.page.goto(`${server.url}/console/`);
    await first.page.click('#switch-lang');
    await signIn(first.page, 'dara', code('dara'));
    await first.page.locator(`tr[data-account="${fraudId}"]`).waitFor();
    await first.page.click('#open-oldest');
    await first.page.locator(`#case[data-account="${fraudId}"]`).waitFor();
    await first.page.check('input[name=decision][value=reject]');
    await first.page.selectOption('#reason', 'suspected_fraud');
    expect(await first.page.locator('#decision .notice').textContent()).toContain('second officer');
    await first.page.click('#decide');
    await first.page.click('#confirm-decision');
    await expect
      .poll(() => first.page.locator('#notice').textContent())
      .toBe('Sent to a second officer for confirmation.');
    // The same officer cannot confirm their own rejection: the server refuses, the console says why.
    await first.page.click('#nav-second-opinions');
    await first.page.locator('#second-opinions').waitFor();
    await first.page.locator('#second-opinions button.danger').click();
    await first.page.click('#so-confirm');
    await expect
      .poll(() => first.page.locator('[role=alert]').textContent())
      .toBe('A rejection for suspected fraud must be confirmed by a second officer.');
    await first.shot('console-8-own-second-opinion-refused');
    expect(first.problems).toEqual([]);
    await first.context.close();

    const second = await openJourney(browser, 'en');
    await second.page.goto(`${server.url}/console/`);
    await second.page.click('#switch-lang');
    await signIn(second.page, 'chenda', code('chenda'));
    await second.page.click('#nav-second-opinions');
    await second.page.locator('#second-opinions').waitFor();
    expect(await second.page.locator('#second-opinions').textContent()).toContain('Officer dara');
    await second.page.locator('#second-opinions button.danger').click();
    await second.page.click('#so-confirm');
    await second.page.locator('#so-done').waitFor();
    await expect
      .poll(
        async () =>
          (
            await server.deps.db
              .selectFrom('accounts')
              .select('status')
              .where('id', '=', fraudId)
              .executeTakeFirst()
          )?.status,
      )
      .toBe('rejected');
    await second.shot('console-9-second-opinion-confirmed');
    expect(second.problems).toEqual([]);
    await second.context.close();
  });

  it('lists a recovery referred to an officer, with its face checks, and lets the officer allow another try', async () => {
    const now = server.clock.now();
    const flowId = randomUUID();
    await server.deps.db
      .insertInto('flows')
      .values({
        id: flowId,
        kind: 'recovery',
        state: 'referred',
        language: 'km',
        device_thumbprint: 'e2e-new-phone',
        device_jwk: JSON.stringify({}),
        data: JSON.stringify({ referralReason: 'too_many_failures' }),
        account_id: accountId,
        created_at: now,
        updated_at: now,
        expires_at: now,
      })
      .execute();
    for (const outcome of ['face_mismatch', 'liveness_failed', 'face_mismatch'] as const)
      await server.deps.db
        .insertInto('recovery_attempts')
        .values({
          id: randomUUID(),
          account_id: accountId,
          flow_id: flowId,
          outcome,
          details: JSON.stringify({ selfieSimilarity: 0.31 }),
          created_at: now,
        })
        .execute();
    await server.deps.db
      .insertInto('recovery_referrals')
      .values({
        id: randomUUID(),
        account_id: accountId,
        flow_id: flowId,
        reason: 'too_many_failures',
        created_at: now,
      })
      .execute();

    const journey = await openJourney(browser, 'km');
    const { page } = journey;
    await page.goto(`${server.url}/console/`);
    await signIn(page, 'dara', code('dara'));
    await page.click('#nav-recovery-referrals');
    const row = page.locator(`#recovery-referrals tr[data-account="${accountId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('ការផ្ទៀងផ្ទាត់មុខបរាជ័យច្រើនដងពេកនៅថ្ងៃនេះ');
    expect(await row.locator('li').count()).toBe(3);
    // Refusing needs a note: the button stays disabled without one.
    expect(await row.locator('button.danger').isDisabled()).toBe(true);
    await journey.shot('console-10-recovery-referrals');
    await row.locator('button.primary').click();
    await page.locator('#rr-done').waitFor();
    await page.locator('#rr-empty').waitFor();
    const referral = await server.deps.db
      .selectFrom('recovery_referrals')
      .select(['decision', 'resolved_by'])
      .where('account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    expect(referral.decision).toBe('retry_allowed');
    expect(referral.resolved_by).toBeTruthy();
    expect(journey.problems).toEqual([]);
    await journey.context.close();
  });
});
