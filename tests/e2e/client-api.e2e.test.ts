/**
 * The CamDigiKey client API in a real browser (rp-protocol.md §6.1, §6.3): a portal integrated
 * with the client library (our SDK, as the official one is used) sends Chromium to its `loginUrl`;
 * our login page shows the portal's name and a QR the test reads from a screenshot; the test
 * device scans, picks the number and approves with the PIN; the browser comes back to the portal's
 * callback with an auth token and the portal shows the citizen's names. Then single sign-on across
 * protocols: an OpenID Connect portal logs in with one click. Last, the app-to-app round trip:
 * the portal's "app" page hands a login token to the CamDigiKey app (the test device), which
 * approves with the PIN and returns to the app's callback with an auth token.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActiveCitizen, activeCitizen } from '../support/citizens';
import { LOGIN } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';
import { type Journey, launchChromium, openJourney, SCREENSHOTS } from './support/chromium';
import { BUSINESS, type Portal, startPortal, TAX } from './support/portals';
import { decodeQrPng } from './support/qr-image';

let server: TestServer;
let citizen: ActiveCitizen;
let tax: Portal;
let business: Portal;
let browser: Browser;
let journey: Journey;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startTestServer();
  citizen = await activeCitizen(server, 8901);
  tax = await startPortal(server, TAX, { clientApi: true });
  business = await startPortal(server, BUSINESS);
  browser = await launchChromium();
  journey = await openJourney(browser, 'km');
});

afterAll(async () => {
  await journey?.context.close();
  await browser?.close();
  await tax?.app.close();
  await business?.app.close();
  await server?.close();
});

const khmerName = () => `${citizen.citizen.khmerSurname} ${citizen.citizen.khmerGivenName}`;

describe('client-API login in Chromium', () => {
  it('logs in through the login token: portal → our QR page → phone approves → callback → names', async () => {
    const { page } = journey;
    await page.goto(`${tax.url}/?lang=km`);
    await page.click('#login-classic');
    await page.waitForURL(new RegExp(`^${server.url}/login/`));
    const header = (await page.locator('section.rp').textContent()) ?? '';
    expect(header).toContain(TAX.domain);
    await page.locator('#qr svg').waitFor({ state: 'visible' });
    await journey.shot('client-api-1-qr');
    const payload = await decodeQrPng(await page.locator('#qr').screenshot());
    const scan = await citizen.device.call<{ requestId: string; relyingParty: { name: string } }>(
      'POST',
      `${LOGIN}/scan`,
      { qr: payload },
    );
    expect(scan.status, JSON.stringify(scan.body)).toBe(200);
    expect(scan.body.relyingParty.name).toBe(TAX.appName);
    const matchCode = page.locator('#match-code');
    await expect
      .poll(async () => (await matchCode.textContent())?.trim(), { timeout: 10_000 })
      .toMatch(/^\d{2,3}$/);
    const approved = await citizen.device.call('POST', `${LOGIN}/${scan.body.requestId}/approve`, {
      matchCode: (await matchCode.textContent())!.trim(),
      pin: citizen.citizen.pin,
    });
    expect(approved.status).toBe(200);
    const allow = page.locator('button[name=decision][value=allow]');
    await allow.waitFor({ state: 'visible' });
    await allow.click();
    await page.waitForURL(new RegExp(`^${tax.url}/`));
    await expect.poll(() => page.locator('#name-km').textContent(), { timeout: 10_000 }).toBe(khmerName());
    expect(await page.locator('#sub').textContent()).toBe(citizen.accountId);
    expect(await page.locator('#acr').textContent()).toContain('បណ្ណាល័យអតិថិជន');
    await journey.shot('client-api-2-logged-in');
  });

  it('carries the session to an OpenID Connect portal: one click, no QR', async () => {
    const { page } = journey;
    await page.goto(`${business.url}/?lang=km`);
    await page.click('#login');
    const allow = page.locator('button[name=decision][value=allow]');
    await allow.waitFor({ state: 'visible' });
    expect(await page.locator('#qr').count()).toBe(0);
    await allow.click();
    await page.waitForURL(new RegExp(`^${business.url}/`));
    await expect.poll(() => page.locator('#name-km').textContent(), { timeout: 10_000 }).toBe(khmerName());
  });

  it('completes the app-to-app round trip: login token → CamDigiKey app approves → app callback', async () => {
    const app = await openJourney(browser, 'en');
    try {
      const { page } = app;
      await page.goto(`${tax.url}/app?lang=en`);
      const link = await page.locator('#open-app').getAttribute('href');
      expect(link).toMatch(/^camdigikey:\/\/login\?token=/);
      const loginToken = decodeURIComponent(new URL(link!).searchParams.get('token')!);
      expect(await page.locator('#login-token').textContent()).toBe(loginToken);
      await app.shot('app-to-app-1-open');
      const inspected = await citizen.device.call<{ relyingParty: { name: string } }>(
        'POST',
        '/api/device/v1/app-login/inspect',
        { loginToken },
      );
      expect(inspected.body.relyingParty.name).toBe(TAX.appName);
      const approved = await citizen.device.call<{ callbackUrl: string; authToken: string }>(
        'POST',
        '/api/device/v1/app-login/approve',
        { loginToken, pin: citizen.citizen.pin },
      );
      expect(approved.body.callbackUrl).toMatch(
        /^kh\.gov\.demo\.portal:\/\/camdigikey_login_callback\?authToken=/,
      );
      // The app's URL scheme lands on the app; here the demo page's callback stands for it.
      const query = new URL(approved.body.callbackUrl).search;
      await page.goto(`${tax.url}/app/callback${query}`);
      await page.waitForURL(`${tax.url}/`);
      expect(await page.locator('#name-latin').textContent()).toBe(
        `${citizen.citizen.latinGivenName} ${citizen.citizen.latinSurname}`,
      );
      expect(await page.locator('#acr').textContent()).toBe('The CamDigiKey app on this phone');
      await app.shot('app-to-app-2-logged-in');
      expect(app.problems).toEqual([]);
    } finally {
      await app.context.close();
    }
  });
});
