/**
 * The whole story of the CamDigiKey app (issue 6), in one run, on a citizen's phone (Chromium with
 * a mobile viewport and touch, a persistent profile, the camera fed from Y4M files, Face ID as
 * CDP's virtual platform authenticator) and a desktop browser for the websites and the console:
 *
 *   1. register in the app, in Khmer: phone and e-mail OTPs (read from the SMS outbox and the real
 *      SMTP inbox), PIN on the keypad, Face ID, liveness recorded from a real face moving through
 *      the server's challenge, the ID card read in the browser from the camera, the form pre-filled
 *      from the MRZ, consent, the pending screen with its deadline;
 *   2. an officer approves the case in the console; the pending screen changes live;
 *   3. the desktop logs in to the demo ministry portal by scanning its QR with the app's camera,
 *      picking the number the page shows and approving with Face ID;
 *   4. a second portal logs in through single sign-on, without a scan;
 *   5. an app-to-app login from the portal's app page, approved with the PIN, back to the caller;
 *   6. a bank's backchannel (CIBA) request reaches the phone as a Web Push notice (the server's real
 *      encrypted request to a local push service, which hands the decrypted payload to the app's
 *      service worker), the notice opens the requests, the PIN approves;
 *   7. "Me": the profile, the signed-in sites and this phone; signing out everywhere;
 *   8. the phone is lost: recovery on a new phone (a fresh profile, in English) with phone OTP, a
 *      new PIN and the liveness check matched against the face enrolled at registration; the old
 *      phone's key no longer works.
 *
 * Every screen is saved in Khmer and English (the language switch in the app's bar) to
 * test-results/e2e/story-*.png, and measured for accessibility in both languages (axe-core's WCAG
 * 2.2 AA rules, keyboard reach, text at 200 %: support/a11y.ts), as are the console, the hosted
 * login pages and the portal; the table of counts per screen is printed at the end. The server runs at http://localhost (a WebAuthn relying-party id
 * cannot be an IP address) on the machine's clock (the page signs device proofs and times the
 * recording with its own clock).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaceEngine } from '@camdigikey/face-engine';
import { CONSOLE_DIST, WALLET_DIST } from '@camdigikey/server/http/console-static';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { renderDocument } from '@camdigikey/testkit/document-image';
import {
  decodeFrameStamp,
  frameStampPoints,
  writeDocumentVideo,
  writeQrVideo,
} from '@camdigikey/testkit/y4m';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRelyingParty } from '../support/citizens';
import { judgedEvidence } from '../support/evidence';
import { calibrationCrop, GENUINE_PAIRS, sampleFaces, writeChallengeVideo } from '../support/faces';
import { createOfficer, OFFICER_PASSWORD, totpCode } from '../support/officers';
import { type PushService, startPushService } from '../support/push-service';
import { startTestServer, type TestServer, WallClock } from '../support/server';
import { a11y, a11yReport } from './support/a11y';
import { ensureBuilt } from './support/builds';
import { type Journey, launchChromium, openJourney } from './support/chromium';
import { openPhone, type Phone } from './support/phone';
import { BUSINESS, type Portal, startPortal, TAX } from './support/portals';
import { decodeQrPng } from './support/qr-image';

const citizen = makeCitizen(6061, { documentType: 'id_card' });
const phoneE164 = `+855${citizen.phone.replace(/\D/g, '').replace(/^0/, '')}`;
const NEW_PIN = '508147';
const work = mkdtempSync(join(tmpdir(), 'cdk-wallet-story-'));
const video = (name: string) => join(work, `${name}.y4m`);

let server: TestServer;
let desktop: Browser;
let web: Journey;
let phone: Phone;
let business: Portal;
let tax: Portal;
let bank: { clientId: string; clientSecret: string };
let engine: FaceEngine;
/** The citizen's face at registration, and another photograph of them for the recovery. */
let face: Buffer;
let faceLater: Buffer;
let accountId: string;
let officerSecret: string;
let push: PushService;

beforeAll(async () => {
  ensureBuilt(WALLET_DIST, '@camdigikey/wallet');
  // The officer approves in the console (step 2): this file alone must not rely on another having built it.
  ensureBuilt(CONSOLE_DIST, '@camdigikey/console');
  push = await startPushService();
  server = await startTestServer({
    pushAgent: push.agent,
    publicHost: 'localhost',
    clock: new WallClock(),
    env: { EVIDENCE_WORKER: 'true', EVIDENCE_POLL_MS: '200' },
  });
  officerSecret = (await createOfficer(server, 'sreymom')).totpSecret;
  business = await startPortal(server, BUSINESS);
  tax = await startPortal(server, TAX, { clientApi: true });
  bank = (await registerRelyingParty(server, {
    organisation: 'ACLEDA Bank',
    appName: 'Bank teller desk',
    domain: 'teller.example.com.kh',
    allowedScopes: ['openid', 'profile', 'ciba'],
    // Names citizens by account id: the sub of a public client.
    subjectType: 'public',
  })) as { clientId: string; clientSecret: string };
  const sample = await sampleFaces([3]);
  engine = sample.engine;
  // Two different photographs of one person: a recovery sent the registration's own pictures
  // again would be (rightly) a replay.
  const [first, second] = GENUINE_PAIRS.jennifer;
  face = await calibrationCrop(engine, first);
  faceLater = await calibrationCrop(engine, second);
  // The citizen's ID card carries their portrait; the first video is the card (any file will do
  // until a camera step starts).
  await writeDocumentVideo(video('card'), citizen, {
    documentImage: renderDocument(citizen, { portrait: face }),
    emptyFrames: 5,
  });
  desktop = await launchChromium();
  web = await openJourney(desktop, 'km');
  phone = await openPhone(join(work, 'phone-1'), { lang: 'km', camera: video('card') });
  await phone.enableFaceId();
}, 240_000);

afterAll(async () => {
  console.log(`accessibility, screen by screen:\n${a11yReport()}`);
  await phone?.close().catch(() => undefined);
  await web?.context.close().catch(() => undefined);
  await desktop?.close();
  await business?.app.close();
  await tax?.app.close();
  await server?.close();
  await push?.close();
  rmSync(work, { recursive: true, force: true });
});

const byId = (page: Page, id: string) => page.getByTestId(id);
const tap = (page: Page, id: string) => byId(page, id).tap();

/** Saves the screen in the language it shows, switches the app's language, saves it again, switches back. */
async function bilingual(p: Phone, name: string) {
  const { page } = p;
  const first = (await page.getAttribute('html', 'lang')) === 'en' ? 'en' : 'km';
  const other = first === 'km' ? 'en' : 'km';
  await p.shot(`story-${name}-${first}`);
  await a11y(page, `${name}-${first}`);
  // The switch is clicked, not tapped: it is not part of the journey, and Playwright's touch
  // emulation sometimes never acknowledges a second tap on the same control.
  await byId(page, 'lang-toggle').first().click();
  await expect.poll(() => page.getAttribute('html', 'lang')).toBe(other);
  await expect.poll(() => byId(page, 'lang-toggle').first().getAttribute('lang')).toBe(first);
  await p.shot(`story-${name}-${other}`);
  // Text at 200 % is measured once per screen (in its first language); axe in both.
  await a11y(page, `${name}-${other}`, { textScale: false });
  await byId(page, 'lang-toggle').first().click();
  await expect.poll(() => page.getAttribute('html', 'lang')).toBe(first);
}

async function typePin(page: Page, pin: string) {
  for (const digit of pin) await tap(page, `pin-key-${digit}`);
}

/**
 * The current flow step (registration or recovery): its test id (`step-<kind>-<state>`) and panel,
 * read in one go from one element (two reads could straddle a change of step).
 */
async function step(page: Page, selector = 'section.step') {
  return page
    .locator(selector)
    .first()
    .evaluate((section) => ({
      id: section.getAttribute('data-testid') ?? '',
      panel: section.getAttribute('data-panel') ?? '',
    }));
}

/**
 * Points the phone's camera at the portal's QR and scans it as a person would. The QR changes
 * every second and the server refuses one older than QR_MAX_AGE_SECONDS; on a loaded machine the
 * way from the screen to the server (screenshot, film, camera, decoder) can take longer than
 * that, and then the app says so and the person scans again: so does the test, with a fresh
 * picture, until the app shows the request (any other refusal fails the test).
 */
async function scanPortalQr(portal: Page, app: Page) {
  const refusals: string[] = [];
  for (let attempt = 1; attempt <= 4; attempt++) {
    const payload = await decodeQrPng(await portal.locator('#qr').screenshot());
    await writeQrVideo(video('qr'), payload, { emptyFrames: 5 });
    phone.showToCamera(video('qr'));
    if (attempt === 1) {
      await tap(app, 'home-scan');
      if ((await byId(app, 'scan-open-camera').count()) > 0) await tap(app, 'scan-open-camera');
    } else {
      await tap(app, 'scan-again');
    }
    const outcome = app.locator('[data-testid="login-rp-name"], [data-testid="login-failed"]').first();
    await outcome.waitFor({ timeout: 60_000 });
    if ((await byId(app, 'login-rp-name').count()) > 0) return;
    const code = await byId(app, 'login-failed').getAttribute('data-code');
    refusals.push(code ?? '');
    if (code !== 'qr_expired') break;
  }
  throw new Error(`the app did not accept the portal's QR: ${refusals.join(', ')}`);
}

/** Waits until the flow has left the step `id` (to another step, or off the flow screen). */
async function leave(page: Page, id: string, timeout = 60_000) {
  await expect
    .poll(
      async () =>
        (await page
          .locator('section.step')
          .getAttribute('data-testid')
          .catch(() => null)) ?? '',
      {
        timeout,
      },
    )
    .not.toBe(id);
}

/**
 * The liveness step: asks for the challenge (the test reads it on the way back, films the face
 * doing exactly those actions and points the camera at that film), then holds "Hold to record"
 * through the recording, timed so the app's "look straight" second meets the film's.
 */
async function recordLiveness(p: Phone, crop: Buffer, shot?: string) {
  const { page } = p;
  const actions: string[] = [];
  let startFrame: number | undefined;
  await page.route('**/liveness/challenge', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as {
      challenge?: { actions: string[]; steps?: { action: string; startMs: number; endMs: number }[] };
    };
    actions.push(...(body.challenge?.actions ?? []));
    // A timed challenge: the film follows its windows from where the app's recording will start.
    const film = await writeChallengeVideo(video('face'), engine, crop, actions, {
      leadSeconds: 5.5,
      ...(body.challenge?.steps ? { steps: body.challenge.steps } : {}),
    });
    startFrame = film.recordingStartFrame;
    p.showToCamera(video('face'));
    await route.fulfill({ response });
  });
  await tap(page, 'action-new_challenge');
  // The challenge's answer waits for the test to draw the film (the face engine renders every
  // pose): seconds on an idle machine, much longer on a busy one.
  await byId(page, 'liveness-camera').waitFor({ timeout: 120_000 });
  await page.unroute('**/liveness/challenge');
  expect(actions.length).toBeGreaterThanOrEqual(2);
  const hold = page.locator('.cdk-cam-hold');
  await expect.poll(() => hold.isEnabled(), { timeout: 15_000 }).toBe(true);
  // The film looks straight, then follows the challenge's windows from its frame `startFrame` on;
  // each frame carries its index (testkit FRAME_STAMP), read here from the camera's picture. The
  // hold is pressed on the frame before (the press takes a moment to reach the app), so the
  // recording's clock and the film's agree within a frame or two, on a busy machine too. Chromium
  // loops the film: when the camera opened late and the moment passed, the next loop is used.
  const points = frameStampPoints(480, 360);
  const shownFrame = () =>
    page.locator('[data-testid="liveness-camera"] video').evaluate((node, at) => {
      interface Context2d {
        drawImage(source: unknown, x: number, y: number, w: number, h: number): void;
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      }
      interface Canvas {
        width: number;
        height: number;
        getContext(kind: '2d', opts: { willReadFrequently: boolean }): Context2d;
      }
      const page = globalThis as unknown as { document: { createElement(tag: 'canvas'): Canvas } };
      if ((node as unknown as { videoWidth: number }).videoWidth === 0) return [] as number[];
      const canvas = page.document.createElement('canvas');
      canvas.width = 480;
      canvas.height = 360;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(node, 0, 0, 480, 360);
      const { data } = ctx.getImageData(0, 0, 480, 360);
      return at.map(([x, y]) => {
        const i = (Math.floor(y) * 480 + Math.floor(x)) * 4;
        return (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
      });
    }, points);
  if (startFrame !== undefined) {
    const target = startFrame;
    await expect
      .poll(
        async () => {
          const frame = decodeFrameStamp(await shownFrame());
          return frame >= target - 2 && frame <= target;
        },
        { timeout: 60_000, interval: 10 },
      )
      .toBe(true);
  } else {
    const played = () =>
      page
        .locator('[data-testid="liveness-camera"] video')
        .evaluate((v) => (v as unknown as { currentTime: number }).currentTime);
    await expect.poll(played, { timeout: 15_000, interval: 50 }).toBeGreaterThanOrEqual(2.3);
  }
  const box = (await hold.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // KEEP_LIVENESS=<dir> keeps what the app sent, to judge it again outside the test.
  const keep = process.env.KEEP_LIVENESS;
  const kept = (request: Request) => {
    if (keep && request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/liveness'))
      writeFileSync(join(keep, `liveness-${Date.now()}.json`), request.postData() ?? '');
  };
  page.on('request', kept);
  // The answer comes after the recording, the upload and, in a recovery, the server's own judgement
  // of the film and the face match on the request: minutes on a loaded 2-core machine (a run
  // timed out at 60 s there, issue 16 audit). A wait for that state, not a timed assertion.
  const submitted = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/liveness'),
    { timeout: 240_000 },
  );
  await page.mouse.down();
  if (shot) {
    await page.waitForTimeout(600);
    await p.shot(`story-${shot}`);
  }
  await byId(page, 'liveness-camera').waitFor({ state: 'detached', timeout: 30_000 });
  await page.mouse.up();
  const answer = await submitted;
  page.off('request', kept);
  return { actions, status: answer.status(), body: await answer.text() };
}

describe('the CamDigiKey app, the whole story', () => {
  it('1. registers a citizen in the app, in Khmer, step by step', async () => {
    const { page } = phone;
    await page.goto(`${server.url}/app/`);
    await byId(page, 'welcome').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('km');
    await bilingual(phone, '01-welcome');
    await tap(page, 'welcome-register');
    const refusals: string[] = [];
    page.on('response', async (response) => {
      if (response.status() >= 400 && response.url().includes('/api/'))
        refusals.push(`${response.status()} ${new URL(response.url()).pathname} ${await response.text()}`);
    });

    const seen: string[] = [];
    // Wait for a state the citizen acts on, or the end: a submitted registration shows its final
    // panel only for a moment before the app moves to the pending screen, so that panel is never
    // waited for or read (doing so raced with the move, issue 13).
    const actionable = 'section.step:not([data-panel="final"])';
    for (let guard = 0; guard < 20; guard++) {
      // One read of whichever is shown: a step read after a separate wait could find the step
      // already gone to its final panel (and wait for a step that never comes).
      const { id, panel } = await step(page, `${actionable}, [data-testid="pending-status"]`);
      if (id === 'pending-status') break;
      // The step matched just before it turned into its final panel (submitted): the pending
      // screen follows.
      if (panel === 'final') {
        await byId(page, 'pending-status').waitFor({ timeout: 60_000 });
        break;
      }
      // The form shown again after it was sent: say what the server answered (the next action
      // would only time out on a screen that is being replaced).
      if (panel === 'form' && seen.at(-1) === id)
        throw new Error(`step ${id} shown again after it was sent: ${refusals.join('; ')}`);
      seen.push(id);
      const name = `02-register-${String(seen.length).padStart(2, '0')}-${id.replace('step-registration-', '')}`;
      switch (panel) {
        case 'contact': {
          const isPhone = (await byId(page, 'input-phone').count()) > 0;
          await byId(page, isPhone ? 'input-phone' : 'input-email').fill(
            isPhone ? citizen.phone : citizen.email,
          );
          await bilingual(phone, name);
          await page.locator('[data-testid^="action-send"]').first().tap();
          break;
        }
        case 'code': {
          const toPhone = (await byId(page, 'sent-to-phone').count()) > 0;
          const code = toPhone ? await server.smsCode(phoneE164) : await server.emailCode(citizen.email);
          await byId(page, 'input-code').fill(code);
          // The address the citizen just typed is shown in full, never half masked, and no hedge.
          expect(await page.locator('section.step .messages').textContent()).not.toMatch(/\*|If this|ប្រសិនបើ/);
          await bilingual(phone, name);
          await tap(page, 'action-verify');
          break;
        }
        case 'pin':
          await typePin(page, citizen.pin);
          await typePin(page, citizen.pin);
          await bilingual(phone, name);
          await tap(page, 'action-next');
          break;
        case 'face_id': {
          // A reload (or a lost connection) resumes the stored flow where it stopped: nothing typed again.
          const flows = async () =>
            (await server.deps.db.selectFrom('flows').select('id').execute()).map((f) => f.id);
          const before = await flows();
          await page.reload();
          expect((await step(page)).id).toBe(id);
          expect(await flows()).toEqual(before);
          await bilingual(phone, name);
          await page.locator('[data-testid^="action-"]:not([data-testid="action-skip"])').first().tap();
          break;
        }
        case 'liveness':
          await bilingual(phone, name);
          await recordLiveness(phone, face, `${name}-recording`);
          break;
        case 'document':
          await bilingual(phone, name);
          // The camera screen itself, measured while it is still searching (the camera shows the
          // face film, no document): its texts on the black camera layer.
          phone.showToCamera(video('face'));
          await tap(page, 'action-scan_document');
          await byId(page, 'document-camera').waitFor();
          await phone.shot(`story-${name}-camera-km`);
          await a11y(page, `${name}-camera-km`);
          await page.locator('[data-testid="document-camera"] .cdk-cam-actions button').last().click();
          await byId(page, 'document-camera').waitFor({ state: 'detached' });
          phone.showToCamera(video('card'));
          await tap(page, 'action-scan_document');
          await byId(page, 'document-camera').waitFor();
          await expect
            .poll(() => page.locator('[data-mrz-valid="true"]').count(), { timeout: 30_000 })
            .toBeGreaterThan(0);
          await phone.shot(`story-${name}-green-frame`);
          break;
        case 'form': {
          // Pre-filled from the MRZ read in the browser; the Khmer names and the issue date (not in
          // an ID card's MRZ) are typed.
          if ((await byId(page, 'input-latinSurname').count()) > 0)
            expect(await byId(page, 'input-latinSurname').inputValue()).toBe(citizen.latinSurname);
          // Sent without the issue date, the form shows the server's answer under the field, in
          // Khmer (not the browser's own bubble in the browser's language).
          const issueDate = byId(page, 'input-issueDate');
          if ((await issueDate.count()) > 0 && (await issueDate.inputValue()) === '') {
            await page.locator('form.panel.form button[type=submit]').tap();
            await expect.poll(() => issueDate.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
            const missing = page.locator('label:has([data-testid="input-issueDate"]) .field-error');
            expect(await missing.textContent()).toMatch(/[\u1780-\u17ff]/);
            await bilingual(phone, `${name}-missing-date`);
          }
          for (const [field, value] of [
            ['khmerSurname', citizen.khmerSurname],
            ['khmerGivenName', citizen.khmerGivenName],
            ['issueDate', citizen.issueDate],
          ] as const) {
            const input = byId(page, `input-${field}`);
            if ((await input.count()) > 0 && (await input.inputValue()) === '') await input.fill(value);
          }
          const consent = (await byId(page, 'input-accepted').count()) > 0;
          if (consent) {
            // The Terms of Use and the Privacy Policy are shown, versioned, before the citizen agrees.
            for (const doc of ['terms', 'privacy']) {
              await tap(page, `open-legal-${doc}`);
              await byId(page, `legal-${doc}`).waitFor();
              expect(await byId(page, `legal-${doc}`).getAttribute('data-version')).toBe('1');
              // A modal sheet over the form (the bar's language switch is under it): one language.
              if (doc === 'terms') {
                await phone.shot(`story-${name}-terms-km`);
                await a11y(page, `${name}-terms-km`);
              }
              await byId(page, 'legal-close').click();
              await byId(page, `legal-${doc}`).waitFor({ state: 'detached' });
            }
            await byId(page, 'input-accepted').check();
            // The last button says what it does: it sends the registration to the officers.
            expect(await page.locator('form.panel.form button[type=submit]').textContent()).toMatch(
              /ផ្ញើដើម្បីផ្ទៀងផ្ទាត់|Send for verification/,
            );
          }
          await bilingual(phone, name);
          await page.locator('form.panel.form button[type=submit]').tap();
          if (consent) {
            // This press accepts the terms and then submits: the app passes through the
            // "awaiting submission" step on its own (a transient screen, never read: reading it raced
            // with the submission, issue 13) to the pending screen.
            await byId(page, 'pending-status')
              .waitFor({ timeout: 120_000 })
              .catch(async (error) => {
                await phone.shot(`story-failed-${id}`);
                throw new Error(`not submitted from ${id}: ${refusals.join('; ')}`, { cause: error });
              });
          }
          break;
        }
        default:
          throw new Error(`unexpected panel ${panel} at ${id}`);
      }
      if ((await byId(page, 'pending-status').count()) > 0) break;
      await Promise.any([leave(page, id), page.waitForURL(/\/app\/pending$/, { timeout: 60_000 })]).catch(
        async (error) => {
          await phone.shot(`story-failed-${id}`);
          throw new Error(`stuck at ${id}: ${refusals.join('; ')}`, { cause: error });
        },
      );
    }
    await page.waitForURL(/\/app\/pending$/);
    expect(seen[0]).toBe('step-registration-awaiting_phone');
    expect(seen).toContain('step-registration-awaiting_liveness');
    await expect.poll(() => byId(page, 'pending-status').getAttribute('data-status')).toBe('pending_review');
    expect((await byId(page, 'pending-deadline').textContent())?.trim()).not.toBe('');
    await bilingual(phone, '03-pending');

    const account = await server.deps.db
      .selectFrom('accounts')
      .select(['id', 'status'])
      .where('status', '=', 'pending_review')
      .executeTakeFirstOrThrow();
    accountId = account.id;
    const faceId = await server.deps.db
      .selectFrom('webauthn_credentials')
      .select('id')
      .where('account_id', '=', accountId)
      .execute();
    expect(faceId).toHaveLength(1);
    expect(phone.problems).toEqual([]);
    expect(phone.external).toEqual([]);
  }, 600_000);

  it('2. an officer approves in the console; the pending screen changes at once', async () => {
    // The evidence worker has judged the case (document, face, liveness) before the officer looks.
    await judgedEvidence(server, accountId, 1, 120_000);
    const { page } = web;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}/console/`);
    await page.fill('#username', 'sreymom');
    await page.fill('#password', OFFICER_PASSWORD);
    await page.fill('#totp', totpCode(server, officerSecret, 'sreymom'));
    await page.click('#sign-in');
    await page.locator(`tr[data-account="${accountId}"]`).first().waitFor();
    await page.click('#open-oldest');
    await page.locator('#case').waitFor();
    expect(await page.locator('#case').getAttribute('data-account')).toBe(accountId);
    await web.shot('story-04-console-case');
    await a11y(page, 'story-04-console-case');
    await page.click('#decide');
    await page.click('#confirm-decision');
    await page.locator('#notice').waitFor();

    await expect
      .poll(() => byId(phone.page, 'pending-status').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('active');
    // The header agrees with the card: no "Waiting for verification" over "Your account is active".
    expect(await phone.page.locator('header.bar h1').textContent()).not.toMatch(/រង់ចាំ|Waiting/);
    await bilingual(phone, '05-approved');
    await tap(phone.page, 'pending-continue');
    await byId(phone.page, 'home-scan').waitFor();
    // Home shows who this phone belongs to: the photo, the name in Khmer and Latin, the ID, the state.
    await byId(phone.page, 'home-card-photo').waitFor();
    expect(await byId(phone.page, 'home-card-name-km').textContent()).toBe(
      `${citizen.khmerSurname} ${citizen.khmerGivenName}`,
    );
    expect(await byId(phone.page, 'home-card-name-latin').textContent()).toBe(
      `${citizen.latinSurname} ${citizen.latinGivenName}`,
    );
    expect((await byId(phone.page, 'home-card-id').textContent())?.toLowerCase()).toBe(accountId);
    expect(await byId(phone.page, 'home-card-state').getAttribute('data-status')).toBe('active');
    await bilingual(phone, '06-home');
  }, 240_000);

  it('3. logs in to the demo portal by scanning its QR with the app, Face ID to approve', async () => {
    const { page } = web;
    await page.setViewportSize({ width: 900, height: 900 });
    await page.goto(`${business.url}/?lang=km`);
    await page.click('#login');
    await page.locator('#qr svg').waitFor({ state: 'visible' });
    await web.shot('story-07-portal-qr');
    await a11y(page, 'story-07-portal-qr');
    const app = phone.page;
    await scanPortalQr(page, app);
    expect(await byId(app, 'login-rp-name').textContent()).toContain(BUSINESS.appNameKm);
    expect(await byId(app, 'login-rp-domain').textContent()).toContain(BUSINESS.domain);
    await bilingual(phone, '08-scan-request');

    const matchCode = page.locator('#match-code');
    await matchCode.waitFor({ state: 'visible' });
    const number = (await matchCode.textContent())!.trim();
    await web.shot('story-09-portal-number');
    await a11y(page, 'story-09-portal-number');
    await tap(app, `match-${number}`);
    await byId(app, 'approve-face-id').waitFor();
    await bilingual(phone, '09-approve');
    await tap(app, 'approve-face-id');
    await byId(app, 'login-approved').waitFor();
    await bilingual(phone, '10-approved');

    const allow = page.locator('button[name=decision][value=allow]');
    await allow.waitFor({ state: 'visible' });
    await allow.click();
    await expect
      .poll(() => page.locator('#name-km').textContent(), { timeout: 15_000 })
      .toBe(`${citizen.khmerSurname} ${citizen.khmerGivenName}`);
    await web.shot('story-11-portal-logged-in');
    await a11y(page, 'story-11-portal-logged-in');
    expect(web.problems).toEqual([]);
  }, 180_000);

  it('4. a second portal logs in through single sign-on, without a scan', async () => {
    const { page } = web;
    await page.goto(`${tax.url}/?lang=km`);
    await page.click('#login');
    const allow = page.locator('button[name=decision][value=allow]');
    await allow.waitFor({ state: 'visible' });
    expect(await page.locator('#qr').count()).toBe(0);
    await web.shot('story-12-second-portal-continue');
    await a11y(page, 'story-12-second-portal-continue');
    await allow.click();
    await expect
      .poll(() => page.locator('#name-latin').textContent(), { timeout: 15_000 })
      .toBe(`${citizen.latinGivenName} ${citizen.latinSurname}`);
    await web.shot('story-13-second-portal-logged-in');
  });

  it("5. an app-to-app login from the portal's app page, approved with the PIN", async () => {
    const portalApp = await phone.openWindow(`${tax.url}/app?lang=km`);
    await phone.shot('story-14-portal-app-page-km');
    // The link opens the CamDigiKey app (its own window) with the login token.
    const link = (await portalApp.locator('#open-web-app').getAttribute('href'))!;
    expect(link.startsWith(`${server.url}/app/login?token=`)).toBe(true);
    const app = await phone.openWindow(link);
    await byId(app, 'app-login-rp-name').waitFor();
    expect(await byId(app, 'app-login-rp-name').textContent()).toContain(TAX.appNameKm);
    await bilingual(phone, '15-app-login');
    await typePin(app, citizen.pin);
    await tap(app, 'approve-pin');
    const back = byId(app, 'app-login-return');
    await back.waitFor();
    // The app has handed over to the calling app's URL scheme (the page stays to say so): one shot.
    await phone.shot('story-16-app-login-return-km');
    const callback = new URL((await back.getAttribute('href'))!);
    expect(callback.protocol).toBe('kh.gov.demo.portal:');
    // The app's own URL scheme lands in the calling app; its web page stands in for it here.
    await app.goto(`${tax.url}/app/callback${callback.search}`);
    await expect
      .poll(() => app.locator('#name-km').textContent(), { timeout: 15_000 })
      .toBe(`${citizen.khmerSurname} ${citizen.khmerGivenName}`);
    await phone.shot('story-17-portal-app-logged-in-km');
  });

  it('6. a bank counter asks through the backchannel (CIBA); the notice arrives by Web Push and the PIN approves', async () => {
    // The browser's push service is the local one: the phone's PushManager hands out its
    // subscription (Chromium cannot reach a vendor's push service here); the app turns push on
    // through its own screen and signed API, as on a real phone.
    const subscription = push.subscribe();
    await phone.context.addInitScript((sub) => {
      type Sub = { endpoint: string; keys: { p256dh: string; auth: string } };
      const { endpoint, keys } = sub as Sub;
      const decode = (text: string) =>
        Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer;
      let current: unknown = null;
      const manager = (globalThis as unknown as { PushManager: { prototype: Record<string, unknown> } })
        .PushManager.prototype;
      manager.getSubscription = async () => current;
      manager.subscribe = async (options: unknown) => {
        current = {
          endpoint,
          expirationTime: null,
          options,
          getKey: (name: 'p256dh' | 'auth') => decode(keys[name]),
          toJSON: () => ({ endpoint, expirationTime: null, keys }),
          unsubscribe: async () => {
            current = null;
            return true;
          },
        };
        return current;
      };
    }, subscription);
    const home = await phone.openWindow(`${server.url}/app/`);
    await byId(home, 'home-enable-push').waitFor();
    await bilingual(phone, '18-home-push-off');
    await tap(home, 'home-enable-push');
    await byId(home, 'home-enable-push').waitFor({ state: 'detached' });
    await expect
      .poll(
        async () =>
          (
            await server.deps.db
              .selectFrom('push_subscriptions')
              .select('endpoint')
              .where('endpoint', '=', subscription.endpoint)
              .execute()
          ).length,
      )
      .toBe(1);

    const basic = `Basic ${Buffer.from(`${bank.clientId}:${bank.clientSecret}`).toString('base64')}`;
    const form = (path: string, fields: Record<string, string>) =>
      fetch(`${server.url}/oidc${path}`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
    const started = await form('/backchannel', {
      scope: 'openid profile',
      login_hint: accountId,
      binding_message: 'TELLER 4821',
    });
    expect(started.status, JSON.stringify(started.body)).toBe(200);

    // The push service received the encrypted, VAPID-signed request and decrypted it; the same
    // payload goes to the phone's service worker, which shows the notice.
    await expect.poll(() => push.messages.length, { timeout: 15_000 }).toBe(1);
    expect(push.refused).toEqual([]);
    const message = push.messages[0]!;
    expect(message.subscriptionId).toBe(subscription.id);
    expect(message.payload).toMatchObject({ type: 'approval_request', bindingMessage: 'TELLER 4821' });
    const cdp = await phone.context.newCDPSession(home);
    const registrations: { registrationId: string; scopeURL: string }[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => registrations.push(...event.registrations));
    await cdp.send('ServiceWorker.enable');
    // The app's service worker is active (a push reaches only an active worker).
    await expect
      .poll(() =>
        home.evaluate(async () => {
          const nav = (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<unknown> } } })
            .navigator;
          const ready = (await nav.serviceWorker.ready) as { active: { state: string } | null };
          return ready.active?.state ?? 'none';
        }),
      )
      .toBe('activated');
    await expect.poll(() => registrations.some((r) => r.scopeURL === `${server.url}/app/`)).toBe(true);
    const registrationId = registrations.find((r) => r.scopeURL === `${server.url}/app/`)!.registrationId;
    type Shown = { title: string; body: string; data: { url: string } };
    const notices = () =>
      home.evaluate(async () => {
        const nav = (globalThis as unknown as { navigator: { serviceWorker: { ready: Promise<unknown> } } })
          .navigator;
        const registration = (await nav.serviceWorker.ready) as {
          getNotifications(): Promise<{ title: string; body: string; data: unknown }[]>;
        };
        return (await registration.getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          data: n.data,
        }));
      }) as Promise<Shown[]>;
    // Delivered as a push service does: again until the worker took it (a worker woken on a
    // loaded machine can miss a delivery; the notice's tag makes a second one replace the first).
    for (let delivery = 1; ; delivery++) {
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: server.url,
        registrationId,
        data: JSON.stringify(message.payload),
      });
      const shown = await expect
        .poll(async () => (await notices()).length, { timeout: 15_000 })
        .toBe(1)
        .then(() => true)
        .catch((error: unknown) => {
          if (delivery === 4) throw error;
          return false;
        });
      if (shown) break;
    }
    const [notice] = await notices();
    expect(notice!.body).toContain('Bank teller desk');
    expect(notice!.body).toContain('TELLER 4821');
    await cdp.detach();

    // Tapping the notice opens the requests.
    const app = await phone.openWindow(`${server.url}${notice!.data.url}`);
    const binding = byId(app, 'request-binding');
    await binding.waitFor({ timeout: 20_000 });
    expect(await binding.textContent()).toBe('TELLER 4821');
    expect(await byId(app, 'request-rp-name').textContent()).toContain('Bank teller desk');
    await bilingual(phone, '19-request');
    await tap(app, 'request-open');
    await typePin(app, citizen.pin);
    await bilingual(phone, '19-request-approve');
    await tap(app, 'approve-pin');
    await app.locator('[data-testid^="request-outcome-"]').first().waitFor();
    await bilingual(phone, '20-request-approved');

    const token = await form('/token', {
      grant_type: 'urn:openid:params:grant-type:ciba',
      auth_req_id: started.body.auth_req_id!,
    });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(token.body.id_token).toBeTruthy();
    expect(phone.problems).toEqual([]);
    expect(phone.external).toEqual([]);
  }, 120_000);

  it('7. Me: the profile, the signed-in sites, this phone with Face ID; signing out everywhere', async () => {
    const app = await phone.openWindow(`${server.url}/app/me`);
    await byId(app, 'me-profile').waitFor();
    await expect
      .poll(() => byId(app, 'me-profile').textContent())
      .toContain(`${citizen.khmerSurname} ${citizen.khmerGivenName}`);
    await bilingual(phone, '21-me-profile');
    await tap(app, 'me-sessions-toggle');
    await byId(app, 'sessions-list').waitFor();
    const sites = (await byId(app, 'sessions-list').textContent()) ?? '';
    expect(sites).toContain(BUSINESS.domain);
    expect(sites).toContain(TAX.domain);
    expect(sites).toContain(BUSINESS.appNameKm);
    await byId(app, 'sessions-list').scrollIntoViewIfNeeded();
    await bilingual(phone, '22-me-sessions');
    await tap(app, 'me-devices-toggle');
    await byId(app, 'devices-list').waitFor();
    expect(await app.locator('[data-this-device="true"]').count()).toBe(1);
    await byId(app, 'devices-list').scrollIntoViewIfNeeded();
    await bilingual(phone, '23-me-devices');

    // Signing out everywhere ends the desktop's single sign-on: the portal asks for a QR again.
    await tap(app, 'sessions-signout-all');
    await byId(app, 'sessions-empty').waitFor();
    await web.context.clearCookies({ domain: '127.0.0.1' });
    await web.page.goto(`${business.url}/?lang=km`);
    await web.page.click('#login');
    await web.page.locator('#qr svg').waitFor({ state: 'visible' });
  });

  it('8. recovers the account on a new phone, in English; the old phone is locked out', async () => {
    await phone.close();
    const newPhone = await openPhone(join(work, 'phone-2'), { lang: 'en', camera: video('card') });
    try {
      const { page } = newPhone;
      await page.goto(`${server.url}/app/`);
      await byId(page, 'welcome').waitFor();
      await byId(page, 'lang-toggle').first().tap();
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
      await tap(page, 'welcome-existing');

      const seen: string[] = [];
      for (let guard = 0; guard < 12; guard++) {
        const { id, panel } = await step(page);
        if (id === 'step-recovery-recovered') break;
        seen.push(id);
        const name = `24-recover-${String(seen.length).padStart(2, '0')}-${id.replace('step-recovery-', '')}`;
        switch (panel) {
          case 'contact':
            await byId(page, 'input-phone').fill(citizen.phone);
            await bilingual(newPhone, name);
            await page.locator('[data-testid^="action-send"]').first().tap();
            break;
          case 'code':
            await byId(page, 'input-code').fill(await server.smsCode(phoneE164));
            await bilingual(newPhone, name);
            await tap(page, 'action-verify');
            break;
          case 'pin':
            await typePin(page, NEW_PIN);
            await typePin(page, NEW_PIN);
            await bilingual(newPhone, name);
            await tap(page, 'action-next');
            break;
          case 'face_id':
            await bilingual(newPhone, name);
            await tap(page, 'action-skip');
            break;
          case 'liveness':
            await bilingual(newPhone, name);
            // The film is timed against the app's recording from outside the phone; when the
            // engine judged a try as not live (the timing slipped), the citizen may try again
            // (3 tries a day), as a person would.
            for (let attempt = 1; ; attempt++) {
              const tried = await recordLiveness(newPhone, faceLater);
              if (tried.status < 400 && !/"state":\s*"awaiting_liveness"/.test(tried.body)) break;
              const judged = await server.deps.db
                .selectFrom('recovery_attempts')
                .selectAll()
                .where('account_id', '=', accountId)
                .execute();
              const reason = `try ${attempt} (${tried.actions.join(', ')}), ${tried.status}: ${JSON.stringify(judged.at(-1))}`;
              console.warn(`recovery liveness ${reason}`);
              if (attempt === 2) throw new Error(`recovery face check failed twice: ${reason}`);
            }
            break;
          default: {
            // A referral to an officer: say what the face check decided.
            const judged = await server.deps.db
              .selectFrom('recovery_attempts')
              .select(['outcome', 'details'])
              .where('account_id', '=', accountId)
              .execute();
            throw new Error(`unexpected panel ${panel} at ${id}: ${JSON.stringify(judged)}`);
          }
        }
        await leave(page, id, 90_000);
      }
      expect(seen[0]).toBe('step-recovery-awaiting_phone');
      await byId(page, 'recovery-continue').waitFor();
      await bilingual(newPhone, '25-recovered');
      await tap(page, 'recovery-continue');
      await byId(page, 'home-scan').waitFor();
      // Active: no status card (it shows only while something is pending), the status line says so.
      await byId(page, 'home-status-line').waitFor();
      expect(await byId(page, 'home-status').count()).toBe(0);
      expect(await byId(page, 'home-revoked').count()).toBe(0);
      await bilingual(newPhone, '26-new-phone-home');
      expect(newPhone.problems).toEqual([]);
      expect(newPhone.external).toEqual([]);

      // The lost phone's key is revoked: opened again, the app says so and offers recovery.
      const devices = await server.deps.db
        .selectFrom('devices')
        .select(['status'])
        .where('account_id', '=', accountId)
        .execute();
      expect(devices.map((d) => d.status).sort()).toEqual(['active', 'revoked']);
      const old = await openPhone(join(work, 'phone-1'));
      try {
        await old.page.goto(`${server.url}/app/`);
        await byId(old.page, 'home-revoked').waitFor({ timeout: 20_000 });
        // Only what to do about it: no "Scan QR Code" tile on a phone that can no longer approve.
        expect(await byId(old.page, 'home-scan').count()).toBe(0);
        await bilingual(old, '27-old-phone-revoked');
      } finally {
        await old.close();
      }
    } finally {
      await newPhone.close();
    }
  }, 600_000);
});
