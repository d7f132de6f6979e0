/**
 * The citizen app's camera components for real in Chromium, fed by the fake camera from Y4M videos
 * made by the testkit (one browser per video): the QR scanner decodes a login QR with the self-hosted
 * ZXing wasm; the document scanner reads a synthetic citizen's ID card (MRZ, document number, the
 * frame turning green, a JPEG photo under 1 MB); the liveness recorder shows the challenge's actions
 * in order while "Hold to record" is held and returns ≥ 3 frames with increasing timestamps, and asks
 * to try again when let go early; a refused camera shows the permission error. The components run in
 * a test harness (support/camera-harness) built with Vite and served from 127.0.0.1 under the app's
 * Content-Security-Policy; no request may leave the machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIVENESS_MAX_FRAMES } from '@camdigikey/contracts/registration';
import { CITIZENS } from '@camdigikey/testkit/citizens';
import { writeDocumentVideo, writeFaceVideo, writeQrVideo } from '@camdigikey/testkit/y4m';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCameraHarness,
  launchWithCamera,
  type StaticServer,
  serveStatic,
} from './support/camera-harness';
import { SCREENSHOTS } from './support/chromium';

const LOGIN_QR = 'camdigikey://login?session=3c9e1f52-7a4b-4d0e-9b6a-51d2c8e7f013&code=K7P2QX9M4T';
const CITIZEN = CITIZENS.find((c) => c.documentType === 'id_card')!;
const CHALLENGE = ['turn_right', 'nod', 'turn_left'];

const work = mkdtempSync(join(tmpdir(), 'cdk-wallet-camera-'));
const videos = {
  qr: join(work, 'qr.y4m'),
  card: join(work, 'card.y4m'),
  face: join(work, 'face.y4m'),
};
let server: StaticServer;
const browsers: Browser[] = [];

/** The harness page's globals as the test reads them (the tests are type-checked without the DOM library). */
interface PageGlobals {
  __result?: { component: string; value: unknown };
  __events: string[];
  __seen: string[];
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
  MutationObserver: new (
    callback: () => void,
  ) => { observe(target: unknown, options: { attributes: boolean; attributeFilter: string[] }): void };
}

interface Opened {
  page: Page;
  /** Requests to anything but the harness server (and data:/blob: URLs). */
  external: string[];
  /** Uncaught errors and console errors of the page. */
  problems: string[];
}

async function open(browser: Browser, query: string): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, locale: 'km-KH' });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const external: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${server.url}/`) && !/^(data|blob):/.test(url)) external.push(url);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${server.url}/?${query}`);
  return { page, external, problems };
}

const result = <T>(page: Page) =>
  page.evaluate(() => (globalThis as unknown as PageGlobals).__result) as Promise<
    { component: string; value: T } | undefined
  >;

/** Durations (ms) of the User Timing measures `camera:<name>` the components recorded. */
const timings = (page: Page, name: string) =>
  page.evaluate(
    (n) => performance.getEntriesByName(`camera:${n}`, 'measure').map((e) => Math.round(e.duration)),
    name,
  );

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `n=${values.length} median=${median} ms min=${sorted[0] ?? 0} ms max=${sorted.at(-1) ?? 0} ms`;
};

beforeAll(async () => {
  const dist = join(work, 'dist');
  const started = Date.now();
  await Promise.all([
    buildCameraHarness(dist),
    writeQrVideo(videos.qr, LOGIN_QR, { emptyFrames: 10, seconds: 2 }),
    writeDocumentVideo(videos.card, CITIZEN, { fps: 5, emptyFrames: 3, documentFrames: 10 }),
    writeFaceVideo(videos.face, CHALLENGE, { fps: 10, centerSeconds: 1.5, actionSeconds: 2.5 }),
  ]);
  console.log(`camera harness built and videos written in ${Date.now() - started} ms`);
  server = await serveStatic(dist);
}, 120_000);

afterAll(async () => {
  for (const browser of browsers) await browser.close().catch(() => undefined);
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

async function browserFor(video: string, opts: { grant?: boolean } = {}): Promise<Browser> {
  const browser = await launchWithCamera(video, opts);
  browsers.push(browser);
  return browser;
}

describe('the wallet camera components in Chromium with a fake camera', () => {
  it('QR scanner: decodes the login QR with the self-hosted wasm, only from 127.0.0.1', async () => {
    const browser = await browserFor(videos.qr);
    const from = server.requests.length;
    const { page, external, problems } = await open(browser, 'c=qr');
    const started = Date.now();
    await expect
      .poll(() => result<string>(page), { timeout: 20_000 })
      .toEqual({ component: 'qr', value: LOGIN_QR });
    const elapsed = Date.now() - started;
    await expect
      .poll(() => page.locator('[data-camera="qr"]').getAttribute('data-state'), { timeout: 5000 })
      .toBe('found');
    expect(await page.locator('[role="status"]').textContent()).toBe('បានរកឃើញកូដ QR');
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet-camera-qr.png') });

    const decodes = await timings(page, 'qr-decode');
    console.log(`QR: result ${elapsed} ms after navigation; decodes ${summary(decodes)}`);
    expect(decodes.length).toBeGreaterThan(0);
    expect(server.requests.slice(from).some((p) => /\/assets\/zxing_reader-[\w-]+\.wasm$/.test(p))).toBe(
      true,
    );
    // The camera is released once the code is read.
    await expect
      .poll(() =>
        page.locator('video').evaluate((video) => {
          type Stream = { getTracks(): { readyState: string }[] };
          const stream = (video as unknown as { srcObject: Stream | null }).srcObject;
          return stream ? stream.getTracks().every((track) => track.readyState === 'ended') : true;
        }),
      )
      .toBe(true);
    expect(external).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('document scanner: reads the citizen ID card MRZ in the browser, turns the frame green, returns a photo', async () => {
    const browser = await browserFor(videos.card);
    const from = server.requests.length;
    const { page, external, problems } = await open(browser, 'c=document&lang=en');
    const stage = page.locator('[data-camera="document"] .cdk-cam-stage');
    // The frame turns green (a valid MRZ read) before or as the MRZ is accepted.
    await expect
      .poll(() => stage.getAttribute('data-mrz-valid'), { timeout: 30_000, interval: 50 })
      .toBe('true');
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet-camera-document.png') });
    await expect.poll(() => result(page), { timeout: 30_000 }).toBeDefined();
    const scan = (await result<{
      mrz: string;
      format: string;
      fields: Record<string, string>;
      photoBase64: string;
    }>(page))!.value;
    expect(scan.mrz).toBe(CITIZEN.mrz.join('\n'));
    expect(scan.format).toBe('TD1');
    expect(scan.fields).toMatchObject({
      documentNumber: CITIZEN.documentNumber,
      surname: CITIZEN.latinSurname,
      givenNames: CITIZEN.latinGivenName,
      birthDate: CITIZEN.birthDate,
      expiryDate: CITIZEN.expiryDate,
      sex: CITIZEN.gender,
      nationality: 'KHM',
    });
    expect(await stage.getAttribute('data-state')).toBe('accepted');
    expect(await page.locator('.cdk-cam-corners').getAttribute('data-green')).toBe('true');
    expect(await page.locator('[role="status"]').textContent()).toBe('Document read');
    expect(scan.photoBase64).not.toMatch(/^data:/);
    const photo = Buffer.from(scan.photoBase64, 'base64');
    expect(photo.length).toBeLessThanOrEqual(1_000_000);
    const meta = await sharp(photo).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBeGreaterThan(800);

    const reads = await timings(page, 'mrz-read');
    const roundTrips = await timings(page, 'mrz-roundtrip');
    console.log(`MRZ: worker reads ${summary(reads)}; frame → reply ${summary(roundTrips)}`);
    // Accepted on a per-character consensus of at least three frames.
    expect(reads.length).toBeGreaterThanOrEqual(3);
    // The MRZ reader is TypeScript in a worker: no wasm for this screen.
    expect(server.requests.slice(from).some((p) => /mrz\.worker-[\w-]+\.js$/.test(p))).toBe(true);
    expect(server.requests.slice(from).some((p) => p.endsWith('.wasm'))).toBe(false);
    expect(external).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('document scanner: "type it in" leaves for manual entry', async () => {
    const browser = await browserFor(videos.card);
    const { page } = await open(browser, 'c=document');
    await page.getByRole('button', { name: 'វាយបញ្ចូលដោយដៃ' }).click();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__events)).toEqual(['manual']);
  });

  it('liveness: shows the actions in order while held, returns frames and a selfie; letting go early asks again', async () => {
    const browser = await browserFor(videos.face);
    const { page, external, problems } = await open(
      browser,
      `c=liveness&lang=en&actions=${CHALLENGE.join(',')}`,
    );
    const hold = page.locator('.cdk-cam-hold');
    await expect.poll(() => hold.isEnabled(), { timeout: 15_000 }).toBe(true);
    expect(await page.locator('.cdk-cam-instruction').getAttribute('data-action')).toBe('center');
    // Record every instruction shown.
    await page.evaluate(() => {
      const page = globalThis as unknown as PageGlobals;
      const seen: string[] = [];
      page.__seen = seen;
      const node = page.document.querySelector('.cdk-cam-instruction')!;
      new page.MutationObserver(() => {
        const action = node.getAttribute('data-action') ?? '';
        if (seen.at(-1) !== action) seen.push(action);
      }).observe(node, { attributes: true, attributeFilter: ['data-action'] });
    });

    const box = (await hold.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // Let go after a second: nothing is sent, the citizen is asked to hold until the end.
    await page.mouse.down();
    await expect.poll(() => hold.getAttribute('aria-pressed'), { timeout: 5000 }).toBe('true');
    await page.waitForTimeout(1000);
    await page.mouse.up();
    await expect
      .poll(() => page.locator('[role="alert"]').textContent(), { timeout: 5000 })
      .toContain('You let go too early');
    expect(await result(page)).toBeUndefined();
    expect(await page.locator('.cdk-cam-instruction').getAttribute('data-action')).toBe('center');
    await page.evaluate(() => {
      (globalThis as unknown as PageGlobals).__seen.length = 0;
    });

    // Hold through the whole challenge (1.5 s + 3 × 2.5 s).
    await page.mouse.down();
    await page.waitForTimeout(4000);
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet-camera-liveness.png') });
    await expect.poll(() => result(page), { timeout: 20_000 }).toBeDefined();
    await page.mouse.up();
    const seen = await page.evaluate(() => (globalThis as unknown as PageGlobals).__seen);
    expect(seen).toEqual(['turn_right', 'nod', 'turn_left', 'center']);

    const recording = (await result<{ selfie: string; frames: { t: number; image: string }[] }>(page))!.value;
    expect(recording.frames.length).toBeGreaterThanOrEqual(3);
    expect(recording.frames.length).toBeLessThanOrEqual(LIVENESS_MAX_FRAMES);
    expect(recording.frames[0]!.t).toBe(0);
    for (let i = 1; i < recording.frames.length; i++) {
      expect(recording.frames[i]!.t).toBeGreaterThan(recording.frames[i - 1]!.t);
    }
    expect(recording.frames.at(-1)!.t).toBeLessThan(9000);
    const frame = await sharp(Buffer.from(recording.frames[5]!.image, 'base64')).metadata();
    expect([frame.format, frame.width]).toEqual(['jpeg', 400]);
    const selfie = await sharp(Buffer.from(recording.selfie, 'base64')).metadata();
    expect(selfie.format).toBe('jpeg');
    expect(selfie.width).toBeGreaterThanOrEqual(400);
    const encodes = await timings(page, 'frame-encode');
    console.log(
      `liveness: ${recording.frames.length} frames over ${recording.frames.at(-1)!.t} ms; JPEG encodes ${summary(encodes)}`,
    );
    expect(external).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('liveness: records while Space is held (keyboard)', async () => {
    const browser = browsers.at(-1)!;
    const { page } = await open(browser, 'c=liveness&actions=nod');
    const hold = page.locator('.cdk-cam-hold');
    await expect.poll(() => hold.isEnabled(), { timeout: 15_000 }).toBe(true);
    await hold.focus();
    await page.keyboard.down(' ');
    await expect
      .poll(() => page.locator('.cdk-cam-instruction').getAttribute('data-action'), { timeout: 5000 })
      .toBe('nod');
    expect(await page.locator('.cdk-cam-instruction p').textContent()).toContain('ងក់ក្បាល');
    await expect.poll(() => result(page), { timeout: 15_000 }).toBeDefined();
    await page.keyboard.up(' ');
    const recording = (await result<{ frames: { t: number }[] }>(page))!.value;
    expect(recording.frames.length).toBeGreaterThanOrEqual(15);
  });

  it('a refused camera shows the permission problem, in Khmer', async () => {
    const browser = await browserFor(videos.qr, { grant: false });
    const { page } = await open(browser, 'c=qr');
    const alert = page.locator('[role="alert"][data-problem]');
    await expect.poll(() => alert.getAttribute('data-problem'), { timeout: 15_000 }).toBe('denied');
    expect(await alert.locator('h3').textContent()).toBe('ការប្រើកាមេរ៉ាត្រូវបានបិទ');
    expect(await page.getByRole('button', { name: 'ព្យាយាមម្ដងទៀត' }).count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet-camera-denied.png') });
  });
});
