/**
 * Sign with CamDigiKey, end to end in Chromium (issue 17): a demo bank registered as a
 * financial-grade relying party (FAPI 2.0: PAR, private_key_jwt, DPoP) and a citizen's phone.
 *
 *   1. the bank logs the citizen in on its website: the desktop browser gets the QR login page
 *      through a pushed request, the phone opens the QR, picks the number and enters the PIN; the
 *      bank redeems the code with a DPoP proof, reads userinfo with its DPoP-bound token, and the
 *      same token replayed without its proof (as a Bearer token) is refused;
 *   2. the bank asks the citizen to sign a loan contract PDF (CIBA with `authorization_details`
 *      camdigikey_sign, its code on the bank's screen): the app shows the bank, the code, the text
 *      and the file's name; the citizen enters the PIN and signs; the bank embeds the PAdES
 *      signature and poppler's pdfsig reports the PDF signed by the citizen, with a trusted chain;
 *   3. "Me" lists the signature with the document's name;
 *   4. the demo bank's own portal (apps/demo-rp, in a desktop browser): the citizen logs in with
 *      the client API, opens the loan contract and asks to sign it; the portal shows the
 *      verification code and "waiting"; the phone shows the same code, the contract's text and
 *      file name; the PIN signs; the portal shows "signed", the test downloads the PDF from it and
 *      pdfsig reports it signed by the citizen with a trusted chain;
 *   5. a second request from the portal, declined on the phone: the portal shows "declined".
 *
 * The citizen's phone is registered by seeding (its own WebCrypto key, made in the page, certified
 * for an active account): the registration journey has its own story (wallet.e2e.test.ts).
 * Screens are saved to test-results/e2e/signing-*.png.
 */
import { execFileSync } from 'node:child_process';
import type { webcrypto } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CamDigiKeyOidc, embedPadesSignature, preparePdf, verifySignature } from '@camdigikey/client';
import { insertAccount } from '@camdigikey/server/accounts/create-account';
import { platformKeys } from '@camdigikey/server/client-api/platform-keys';
import { CONSENT_PURPOSE, CONSENT_VERSION } from '@camdigikey/server/flows/registration/consent';
import { WALLET_DIST } from '@camdigikey/server/http/console-static';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { loanContractPdf } from '@camdigikey/testkit/loan-contract';
import { writeQrVideo } from '@camdigikey/testkit/y4m';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRelyingParty } from '../support/citizens';
import { freePort, startTestServer, type TestServer, WallClock } from '../support/server';
import { ensureBuilt } from './support/builds';
import { type Journey, launchChromium, openJourney, SCREENSHOTS } from './support/chromium';
import { openPhone, type Phone } from './support/phone';
import { DEMO_BANK, type Portal, startPortal } from './support/portals';
import { decodeQrPng } from './support/qr-image';

const citizen = makeCitizen(1717, { documentType: 'id_card' });
const work = mkdtempSync(join(tmpdir(), 'cdk-signing-story-'));
const BANK = { organisation: 'Demo Bank Plc.', appName: 'Demo Bank', domain: 'online.demobank.example.kh' };

let server: TestServer;
let desktop: Browser;
let web: Journey;
let phone: Phone;
let bank: { clientId: string };
let bankKey: webcrypto.CryptoKey;
let redirectUri: string;
let oidc: CamDigiKeyOidc;
let accountId: string;
let subject: string;
let portal: Portal;
let bankWeb: Journey;

const byId = (page: Page, id: string) => page.getByTestId(id);
const tap = (page: Page, id: string) => byId(page, id).tap();
async function typePin(page: Page, pin: string) {
  for (const digit of pin) await tap(page, `pin-key-${digit}`);
}

/** An NSS database that trusts the platform's root (made once), for poppler's pdfsig. */
let nssDir: string | undefined;
function trustingNss(rootPem: string): string {
  if (nssDir) return nssDir;
  const nss = join(work, 'nss');
  mkdirSync(nss);
  writeFileSync(join(work, 'root.pem'), rootPem);
  execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  execFileSync('certutil', [
    '-A',
    '-d',
    `sql:${nss}`,
    '-n',
    'CamDigiKey root',
    '-t',
    'C,C,C',
    '-i',
    join(work, 'root.pem'),
  ]);
  nssDir = nss;
  return nss;
}

/** pdfsig's report on a signed PDF, the platform's root trusted. */
async function pdfsig(pdfPath: string): Promise<string> {
  const nss = trustingNss((await platformKeys(server.deps)).root.pem);
  return execFileSync('pdfsig', ['-nssdir', `sql:${nss}`, pdfPath], { encoding: 'utf8' });
}

/** The phone opens a website's QR login (the link form of a scan), picks the number and approves. */
async function approveQrLogin(page: Page, domain: string) {
  await page.locator('#qr svg').waitFor({ state: 'visible' });
  const payload = await decodeQrPng(await page.locator('#qr').screenshot());
  const app = phone.page;
  await app.goto(`${server.url}/app/login?qr=${encodeURIComponent(payload)}`);
  await byId(app, 'login-rp-name').waitFor();
  expect(await byId(app, 'login-rp-domain').textContent()).toContain(domain);
  const matchCode = page.locator('#match-code');
  await matchCode.waitFor({ state: 'visible' });
  await tap(app, `match-${(await matchCode.textContent())?.trim()}`);
  await typePin(app, citizen.pin);
  await tap(app, 'approve-pin');
  await byId(app, 'login-approved').waitFor();
  const allow = page.locator('button[name=decision][value=allow]');
  await allow.waitFor({ state: 'visible' });
  await allow.click();
}

/** On the portal's offer page: ask for the signature; answers the new request's id (from the URL). */
async function askToSign(page: Page): Promise<string> {
  await page.locator('#sign-request').click();
  await page.waitForURL((url) => /^\/sign\/[0-9a-f-]{36}$/.test(url.pathname));
  return new URL(page.url()).pathname.slice('/sign/'.length);
}

/** The phone becomes an active account's device: its key made in the page, the account seeded. */
async function registerThePhone(): Promise<string> {
  const page = phone.page;
  await page.goto(`${server.url}/app/`);
  await byId(page, 'welcome').waitFor();
  // In the page (its own WebCrypto and IndexedDB, as the app's device-key.ts and storage/idb.ts
  // keep them): a non-extractable P-256 pair under 'deviceKey', and 'account' saying this phone is
  // an account's device. Answers the public JWK.
  const jwk = (await page.evaluate(`(async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open('camdigikey', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('kv');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    await new Promise((resolve, reject) => {
      const tx = db.transaction('kv', 'readwrite');
      tx.objectStore('kv').put(pair, 'deviceKey');
      tx.objectStore('kv').put({ faceId: false, since: new Date().toISOString(), via: 'registration' }, 'account');
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    return { kty, crv, x, y };
  })()`)) as JWK;
  const deps = server.deps;
  const now = deps.clock.now();
  const pinVerifier = await deps.pins.hash(citizen.pin);
  const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  const { accountId: id } = await deps.db.transaction().execute((trx) =>
    insertAccount(
      trx,
      deps,
      {
        status: 'active',
        language: 'km',
        phoneE164: `+855${citizen.phone.replace(/\D/g, '').replace(/^0/, '')}`,
        email: citizen.email,
        khmerSurname: citizen.khmerSurname,
        khmerGivenName: citizen.khmerGivenName,
        latinSurname: citizen.latinSurname,
        latinGivenName: citizen.latinGivenName,
        gender: citizen.gender,
        birthDate: citizen.birthDate,
        nationality: citizen.nationality,
        documentType: citizen.documentType,
        issuingState: 'KHM',
        documentNumber: citizen.documentNumber,
        issueDate: citizen.issueDate,
        expiryDate: citizen.expiryDate,
        mrz: citizen.mrz.join('\n'),
        reviewFlags: [],
        pinVerifier,
        submittedAt: now,
        reviewDeadline: now,
        device: { thumbprint, jwk: { ...jwk } },
        consent: { purpose: CONSENT_PURPOSE, version: CONSENT_VERSION, language: 'km', acceptedAt: now },
      },
      now,
    ),
  );
  // The app opens on the pending screen until it has heard the account's status, then goes on.
  await page.reload();
  await byId(page, 'pending-continue').waitFor();
  await tap(page, 'pending-continue');
  await byId(page, 'home-scan').waitFor();
  return id;
}

beforeAll(async () => {
  ensureBuilt(WALLET_DIST, '@camdigikey/wallet');
  // The page signs device proofs with its own clock: the server runs on the machine's time.
  server = await startTestServer({ publicHost: 'localhost', clock: new WallClock() });
  const pair = await generateKeyPair('ES256', { extractable: true });
  bankKey = pair.privateKey as webcrypto.CryptoKey;
  const jwk = await exportJWK(pair.publicKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
  bank = await registerRelyingParty(server, {
    ...BANK,
    subjectType: 'public',
    redirectUris: [redirectUri],
    allowedScopes: ['openid', 'profile', 'ciba'],
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwks: { keys: [jwk] },
    financialGrade: true,
  });
  oidc = await CamDigiKeyOidc.discover({
    issuer: server.deps.config.oidc.issuer,
    clientId: bank.clientId,
    privateKey: bankKey,
    redirectUri,
    par: true,
    dpop: true,
    allowHttp: true,
  });
  const camera = join(work, 'idle.y4m');
  await writeQrVideo(camera, 'CamDigiKey', { emptyFrames: 2 });
  desktop = await launchChromium();
  web = await openJourney(desktop, 'en');
  // The bank's website after the login: the browser lands on its callback (a page of its own).
  await web.context.route(`${redirectUri}**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<h1>Demo Bank: signed in</h1>' }),
  );
  phone = await openPhone(join(work, 'phone'), { lang: 'km', camera });
  accountId = await registerThePhone();
  // The demo bank's own portal (apps/demo-rp) with the client API, in a browser of its own.
  portal = await startPortal(server, DEMO_BANK, { clientApi: true });
  bankWeb = await openJourney(desktop, 'en');
}, 240_000);

afterAll(async () => {
  await phone?.close().catch(() => undefined);
  await web?.context.close().catch(() => undefined);
  await bankWeb?.context.close().catch(() => undefined);
  await portal?.app.close().catch(() => undefined);
  await desktop?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('Sign with CamDigiKey: a bank, a loan contract and a citizen’s phone', () => {
  it('1. the FAPI 2.0 bank logs the citizen in with DPoP; its token replayed without the proof is refused', async () => {
    const { url, checks } = await oidc.start({ scope: 'openid profile', uiLocales: 'en' });
    expect(url.searchParams.has('request_uri')).toBe(true);
    const { page } = web;
    await page.goto(url.toString());
    await page.locator('#qr svg').waitFor({ state: 'visible' });
    await web.shot('signing-01-bank-login-qr');
    const payload = await decodeQrPng(await page.locator('#qr').screenshot());

    // The phone opens the website's QR (the link form of a scan).
    const app = phone.page;
    await app.goto(`${server.url}/app/login?qr=${encodeURIComponent(payload)}`);
    await byId(app, 'login-rp-name').waitFor();
    expect(await byId(app, 'login-rp-domain').textContent()).toContain(BANK.domain);
    const matchCode = page.locator('#match-code');
    await matchCode.waitFor({ state: 'visible' });
    await tap(app, `match-${(await matchCode.textContent())?.trim()}`);
    await typePin(app, citizen.pin);
    await tap(app, 'approve-pin');
    await byId(app, 'login-approved').waitFor();
    await phone.shot('signing-02-phone-login-approved');

    const allow = page.locator('button[name=decision][value=allow]');
    await allow.waitFor({ state: 'visible' });
    await allow.click();
    await page.waitForURL(`${redirectUri}**`);
    const callback = new URL(page.url());
    expect(callback.searchParams.get('iss')).toBe(server.deps.config.oidc.issuer);

    const { tokens, claims } = await oidc.finish(callback, checks);
    subject = claims.sub;
    expect(subject).toBe(accountId);
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect((await oidc.userinfo(tokens.access_token, subject)).family_name).toBe(citizen.latinSurname);
    const replayed = await fetch(`${server.url}/oidc/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(replayed.status).toBe(401);
    expect(web.problems).toEqual([]);
  }, 180_000);

  it('2. the bank asks to sign a loan contract PDF; the phone shows it; the PIN signs; pdfsig validates it', async () => {
    const contract = await loanContractPdf({
      borrower: `${citizen.latinGivenName} ${citizen.latinSurname}`,
      amountUsd: 5000,
      months: 24,
      ratePercent: 1.1,
      contractNumber: 'LN-2026-0042',
      date: server.clock.now(),
    });
    const prepared = await preparePdf(contract, { signingTime: server.clock.now(), reason: 'Loan contract' });
    const fileName = 'loan-contract-LN-2026-0042.pdf';
    const text = {
      km: 'ខ្ញុំយល់ព្រមខ្ចីប្រាក់ **៥,០០០ ដុល្លារ** រយៈពេល ២៤ ខែ តាមកិច្ចសន្យា LN-2026-0042។',
      en: 'I agree to borrow **5,000 USD** over 24 months under contract LN-2026-0042.',
    };
    const code = '4821'; // the bank shows it on its screen next to the request
    const started = await oidc.requestSignature(subject, code, {
      text,
      format: 'markdown',
      document: {
        name: fileName,
        sha256: prepared.documentSha256,
        pades: { byteRangeSha256: prepared.byteRangeSha256 },
      },
    });

    const app = phone.page;
    await app.goto(`${server.url}/app/requests`);
    await byId(app, 'sign-rp-name').waitFor({ timeout: 30_000 });
    expect(await byId(app, 'sign-rp-domain').textContent()).toBe(BANK.domain);
    expect(await byId(app, 'sign-code').textContent()).toBe(code);
    expect(await byId(app, 'sign-text-en').textContent()).toContain(
      'I agree to borrow 5,000 USD over 24 months',
    );
    expect(await byId(app, 'sign-text-en').locator('strong').textContent()).toBe('5,000 USD');
    expect(await byId(app, 'sign-text-km').textContent()).toContain('LN-2026-0042');
    expect(await byId(app, 'sign-document').textContent()).toContain(fileName);
    await phone.shot('signing-03-phone-request-km');
    await tap(app, 'sign-open');
    // A signature needs the PIN: no Face ID button here.
    expect(await byId(app, 'approve-face-id').count()).toBe(0);
    await typePin(app, citizen.pin);
    await phone.shot('signing-04-phone-pin-km');
    await tap(app, 'sign-approve');
    await byId(app, 'sign-outcome-signed').waitFor();
    await phone.shot('signing-05-phone-signed-km');

    const collected = await oidc.collectSignature(started.auth_req_id);
    if (collected.state !== 'signed') throw new Error(`the bank got ${collected.state}`);
    const rootPem = (await platformKeys(server.deps)).root.pem;
    const verified = verifySignature(collected.signature, {
      trustedRoot: rootPem,
      expected: {
        clientId: bank.clientId,
        text,
        documentSha256: prepared.documentSha256,
        verificationCode: code,
      },
    });
    expect(verified.signer.camdigikeyId).toBe(accountId);
    const signedPdf = await embedPadesSignature(prepared, String(collected.signature.padesSignature));
    mkdirSync(SCREENSHOTS, { recursive: true });
    const pdfPath = join(SCREENSHOTS, 'signing-loan-contract-signed.pdf');
    writeFileSync(pdfPath, signedPdf);

    const report = await pdfsig(pdfPath);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
    expect(report).toContain(
      `Signer Certificate Common Name: ${citizen.latinGivenName.toUpperCase()} ${citizen.latinSurname.toUpperCase()}`,
    );
    expect(report).toContain(`serialNumber=${accountId}`);
    expect(report).toContain('Total document signed');
  }, 180_000);

  it('3. "Me" lists the signature with the bank and the document', async () => {
    const app = phone.page;
    await app.goto(`${server.url}/app/me`);
    await tap(app, 'me-signatures-toggle');
    const item = byId(app, 'signature-item').first();
    await item.waitFor();
    expect(await item.getAttribute('data-state')).toBe('signed');
    expect(await item.locator('[data-testid=signature-document]').textContent()).toContain('LN-2026-0042');
    await phone.shot('signing-06-me-signatures-km');
    expect(phone.problems).toEqual([]);
    expect(phone.external).toEqual([]);
  });

  it('4. the demo bank’s portal asks to sign; the phone shows its code; the PIN signs; the portal gives a PDF pdfsig validates', async () => {
    const { page } = bankWeb;
    await page.goto(`${portal.url}/?lang=en`);
    await page.click('#login-classic');
    await page.waitForURL(new RegExp(`^${server.url}/login/`));
    await approveQrLogin(page, DEMO_BANK.domain);
    await page.waitForURL(new RegExp(`^${portal.url}/`));
    expect(await page.locator('#sub').textContent()).toBe(accountId);

    await page.click('#sign-loan');
    await page.waitForURL(`${portal.url}/sign`);
    expect(await page.locator('#loan-borrower').textContent()).toBe(
      `${citizen.latinGivenName} ${citizen.latinSurname}`,
    );
    await bankWeb.shot('signing-07-portal-loan-offer');
    const requestId = await askToSign(page);
    const code = (await page.locator('#verification-code').textContent())?.trim() ?? '';
    expect(code).toMatch(/^\d{4}$/);
    const contractNumber = (await page.locator('#contract-number').textContent()) ?? '';
    expect(contractNumber).toMatch(/^LN-\d{4}-\d{4}$/);
    const fileName = (await page.locator('#file-name').textContent()) ?? '';
    expect(fileName).toBe(`loan-contract-${contractNumber}.pdf`);
    expect(await page.locator('#sign-state').getAttribute('data-state')).toBe('pending');
    await bankWeb.shot('signing-08-portal-waiting');

    // The phone shows the portal's request: the same code, the text and the file's name.
    const app = phone.page;
    await app.goto(`${server.url}/app/requests`);
    await byId(app, `sign-${requestId}`).waitFor({ timeout: 30_000 });
    expect(await byId(app, 'sign-rp-domain').textContent()).toBe(DEMO_BANK.domain);
    expect(await byId(app, 'sign-code').textContent()).toBe(code);
    expect(await byId(app, 'sign-text-en').textContent()).toContain(
      `agree to borrow 5,000 USD from ${DEMO_BANK.title.en} over 24 months at 1.1% per month under loan contract ${contractNumber}`,
    );
    expect(await byId(app, 'sign-text-en').locator('strong').textContent()).toBe('5,000 USD');
    expect(await byId(app, 'sign-text-km').textContent()).toContain(contractNumber);
    expect(await byId(app, 'sign-document').textContent()).toContain(fileName);
    await phone.shot('signing-09-phone-portal-request-km');
    await tap(app, 'sign-open');
    await typePin(app, citizen.pin);
    await tap(app, 'sign-approve');
    await byId(app, 'sign-outcome-signed').waitFor();

    // The portal (it reloads itself while it waits) checks the signature and offers the PDF.
    await page.locator('#sign-state[data-state=signed]').waitFor({ timeout: 60_000 });
    expect(await page.locator('#signer').textContent()).toBe(
      `${citizen.latinGivenName.toUpperCase()} ${citizen.latinSurname.toUpperCase()}`,
    );
    await bankWeb.shot('signing-10-portal-signed');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toBe(fileName);
    const pdfPath = join(SCREENSHOTS, 'signing-portal-loan-contract-signed.pdf');
    await download.saveAs(pdfPath);

    const report = await pdfsig(pdfPath);
    expect(report.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(1);
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
    expect(report).toContain(
      `Signer Certificate Common Name: ${citizen.latinGivenName.toUpperCase()} ${citizen.latinSurname.toUpperCase()}`,
    );
    expect(report).toContain(`serialNumber=${accountId}`);
    expect(report).toContain('Signature Type: ETSI.CAdES.detached');
    expect(report).toContain('Total document signed');
  }, 240_000);

  it('5. a second request from the portal, declined on the phone: the portal shows "declined"', async () => {
    const { page } = bankWeb;
    await page.click('#sign-again');
    await page.waitForURL(`${portal.url}/sign`);
    const requestId = await askToSign(page);
    const code = (await page.locator('#verification-code').textContent())?.trim() ?? '';
    expect(await page.locator('#sign-state').getAttribute('data-state')).toBe('pending');

    const app = phone.page;
    await app.goto(`${server.url}/app/requests`);
    await byId(app, `sign-${requestId}`).waitFor({ timeout: 30_000 });
    expect(await byId(app, 'sign-code').textContent()).toBe(code);
    await tap(app, 'sign-open');
    await tap(app, 'sign-decline');
    await byId(app, 'sign-outcome-declined').waitFor();

    await page.locator('#sign-state[data-state=declined]').waitFor({ timeout: 60_000 });
    expect(await page.locator('#download').count()).toBe(0);
    await bankWeb.shot('signing-11-portal-declined');
    expect(bankWeb.problems).toEqual([]);
    expect(phone.problems).toEqual([]);
    expect(phone.external).toEqual([]);
  }, 180_000);
});
