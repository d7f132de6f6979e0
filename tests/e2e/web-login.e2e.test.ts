/**
 * Web login in a real browser (headless Chromium), in Khmer and in English: a citizen opens a
 * ministry portal, clicks "Log in with CamDigiKey", our login page shows the portal's name and
 * domain and a QR that the test reads from a screenshot (like a phone camera) and the test device
 * scans; the page shows the number to match, the device approves with it and the PIN, the browser
 * passes consent and lands back on the portal with the citizen's Khmer and Latin names. A second
 * portal then logs in with one click ("Continue as", no QR) and logs out at the provider. The sad
 * path: the phone rejects, the page says so and the portal gets access_denied.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActiveCitizen, activeCitizen } from '../support/citizens';
import { LOGIN } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';
import { type Journey, launchChromium, openJourney, SCREENSHOTS } from './support/chromium';
import { BUSINESS, type Portal, startPortal, TAX } from './support/portals';
import { decodeQrPng } from './support/qr-image';

type Lang = 'km' | 'en';

let server: TestServer;
let citizen: ActiveCitizen;
let business: Portal;
let tax: Portal;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer();
  citizen = await activeCitizen(server, 8801);
  business = await startPortal(server, BUSINESS);
  tax = await startPortal(server, TAX);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await business?.app.close();
  await tax?.app.close();
  await server?.close();
});

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const onLoginPage = (page: Page) =>
  page.waitForURL(new RegExp(`^${escapeRegExp(server.url)}/login/[^/?]+(\\?.*)?$`));
const onPortalHome = (page: Page, portal: Portal) =>
  page.waitForURL(new RegExp(`^${escapeRegExp(portal.url)}/(\\?.*)?$`));

const khmerName = () => `${citizen.citizen.khmerSurname} ${citizen.citizen.khmerGivenName}`;
const latinName = () => `${citizen.citizen.latinGivenName} ${citizen.citizen.latinSurname}`;
/** The name our consent page greets the citizen with, in the page's language. */
const nameIn = (lang: Lang) => (lang === 'km' ? khmerName() : latinName());

/** From a portal's home page to our QR login page; checks the portal's name and domain and the QR. */
async function startQrLogin(journey: Journey, portal: Portal, lang: Lang, shots?: string) {
  const { page } = journey;
  await page.goto(`${portal.url}/?lang=${lang}`);
  await expect
    .poll(() => page.locator('#site-name').textContent(), { timeout: 10_000 })
    .toBe(portal.spec.title[lang]);
  if (shots) await journey.shot(`${shots}-1-portal-home`);
  await page.click('#login');
  await onLoginPage(page);
  expect(await page.getAttribute('html', 'lang')).toBe(lang);
  const header = (await page.locator('section.rp').textContent()) ?? '';
  expect(header).toMatch(
    lang === 'en' ? portal.spec.appName : new RegExp(`${portal.spec.appName}|${portal.spec.appNameKm}`),
  );
  expect(header).toContain(portal.spec.domain);
  await page.locator('#qr svg').waitFor({ state: 'visible' });
  if (shots) await journey.shot(`${shots}-2-login-qr`);
  const payload = await decodeQrPng(await page.locator('#qr').screenshot());
  expect(payload).toMatch(/^CDK1\./);
  return payload;
}

/** The test device scans the QR; the page then shows the number to pick. */
async function scanAndReadNumber(journey: Journey, portal: Portal, payload: string) {
  const scan = await citizen.device.call<{
    requestId: string;
    choices: string[];
    relyingParty: { name: string; domain: string };
  }>('POST', `${LOGIN}/scan`, { qr: payload });
  expect(scan.status, JSON.stringify(scan.body)).toBe(200);
  expect(scan.body.relyingParty).toMatchObject({ name: portal.spec.appName, domain: portal.spec.domain });
  const matchCode = journey.page.locator('#match-code');
  await matchCode.waitFor({ state: 'visible' });
  await expect
    .poll(async () => (await matchCode.textContent())?.trim(), { timeout: 10_000 })
    .toMatch(/^\d{2,3}$/);
  const number = (await matchCode.textContent())!.trim();
  expect(scan.body.choices).toContain(number);
  expect(await journey.page.locator('#qr').isHidden()).toBe(true);
  return { requestId: scan.body.requestId, number };
}

async function expectLoggedIn(page: Page, portal: Portal) {
  await onPortalHome(page, portal);
  await expect.poll(() => page.locator('#name-km').textContent(), { timeout: 10_000 }).toBe(khmerName());
  expect(await page.locator('#name-latin').textContent()).toBe(latinName());
  expect(await page.locator('#logout').isVisible()).toBe(true);
}

describe.each<Lang>(['km', 'en'])('web login in Chromium (%s)', (lang) => {
  let journey: Journey;

  beforeAll(async () => {
    journey = await openJourney(browser, lang);
  });
  afterAll(async () => {
    await journey?.context.close();
  });

  it('logs in to a portal by QR: screenshot QR → scan → number → PIN → consent → names', async () => {
    const { page } = journey;
    const payload = await startQrLogin(journey, business, lang, `${lang}-business`);
    const { requestId, number } = await scanAndReadNumber(journey, business, payload);
    await journey.shot(`${lang}-business-3-match-number`);

    const approved = await citizen.device.call('POST', `${LOGIN}/${requestId}/approve`, {
      matchCode: number,
      pin: citizen.citizen.pin,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);

    const allow = page.locator('button[name=decision][value=allow]');
    await allow.waitFor({ state: 'visible' });
    expect(await allow.textContent()).toContain(nameIn(lang));
    await journey.shot(`${lang}-business-4-consent`);
    await allow.click();

    await expectLoggedIn(page, business);
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    await journey.shot(`${lang}-business-5-logged-in`);
    expect(journey.problems).toEqual([]);
  });

  it('logs in to a second portal with one click ("Continue as"), without a QR', async () => {
    const { page } = journey;
    await page.goto(`${tax.url}/?lang=${lang}`);
    await page.click('#login');
    await onLoginPage(page);
    const allow = page.locator('button[name=decision][value=allow]');
    await allow.waitFor({ state: 'visible' });
    expect(await page.locator('#qr').count()).toBe(0);
    expect(await allow.textContent()).toContain(nameIn(lang));
    const header = (await page.locator('section.rp').textContent()) ?? '';
    expect(header).toContain(TAX.domain);
    await journey.shot(`${lang}-tax-1-continue-as`);
    await allow.click();

    await expectLoggedIn(page, tax);
    await journey.shot(`${lang}-tax-2-logged-in`);
    expect(journey.problems).toEqual([]);
  });

  it('logs out of the portal and of CamDigiKey (RP-initiated logout)', async () => {
    const { page } = journey;
    await page.click('#logout');
    const confirm = page.locator('button[name=logout][value=yes]');
    await confirm.waitFor({ state: 'visible' });
    await journey.shot(`${lang}-tax-3-logout-confirm`);
    await confirm.click();
    await onPortalHome(page, tax);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#name-km').count()).toBe(0);
    // The provider session is gone: the next login asks for a QR again.
    await page.click('#login');
    await onLoginPage(page);
    await page.locator('#qr svg').waitFor({ state: 'visible' });
    expect(journey.problems).toEqual([]);
  });
});

describe.each<Lang>(['km', 'en'])('rejected on the phone (%s)', (lang) => {
  const ERROR = {
    km: 'ការចូលប្រើត្រូវបានបដិសេធ ឬលុបចោលនៅក្នុង CamDigiKey។',
    en: 'The login was declined or cancelled in CamDigiKey.',
  };
  const REJECTED = {
    km: 'ការចូលប្រើត្រូវបានបដិសេធនៅលើទូរស័ព្ទ។',
    en: 'The login was rejected on the phone.',
  };

  it('shows the rejection and returns to the portal with access_denied', async () => {
    const journey = await openJourney(browser, lang);
    try {
      const { page } = journey;
      const payload = await startQrLogin(journey, business, lang);
      const { requestId } = await scanAndReadNumber(journey, business, payload);
      const rejected = await citizen.device.call('POST', `${LOGIN}/${requestId}/reject`, {});
      expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);

      const message = page.locator('#rejected');
      await message.waitFor({ state: 'visible' });
      expect((await message.textContent())?.trim()).toBe(REJECTED[lang]);
      await journey.shot(`${lang}-rejected-1-login-page`);

      await page.waitForURL((url) => url.href.startsWith(`${business.url}/callback?`));
      expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
      expect((await page.locator('#error-message').textContent())?.trim()).toBe(ERROR[lang]);
      expect(await page.locator('#error-code').textContent()).toContain('access_denied');
      expect(await page.locator('#name-km').count()).toBe(0);
      await journey.shot(`${lang}-rejected-2-portal-error`);
      expect(journey.problems).toEqual([]);
    } finally {
      await journey.context.close();
    }
  });
});
