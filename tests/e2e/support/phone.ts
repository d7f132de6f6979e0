/**
 * A citizen's phone for the app's end-to-end journeys: Chromium with a persistent profile (the
 * app's device key and IndexedDB survive a relaunch; a fresh directory is a new phone), a mobile
 * viewport with touch, a camera fed from a Y4M file that the test rewrites before each camera step
 * (Chromium opens the file when a capture starts), the camera permission granted, and Face ID as
 * CDP's virtual platform authenticator with user verification (its credentials are saved and put
 * back when the phone is relaunched).
 */
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, SCREENSHOTS } from './chromium';

const FLAGS = [
  ...CHROMIUM_FLAGS,
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  // A phone shows one window at a time: never throttle the one the test works in.
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
];

export interface Phone {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and CSP violations. */
  problems: string[];
  /** Requests that left the machine (anything but the platform and 127.0.0.1/localhost). */
  external: string[];
  /** Point the camera at this Y4M video (the next capture that starts shows it). */
  showToCamera(y4mPath: string): void;
  /** A platform authenticator with Face ID (user verification) on this phone. */
  enableFaceId(): Promise<void>;
  /**
   * Opens `url` in a new window of this phone and closes the old one (`page` becomes the new one),
   * as the phone does when a link or a notice opens an app. Face ID comes along. (Playwright's
   * touch emulation stops answering taps in a page that navigated to another site.)
   */
  openWindow(url: string): Promise<Page>;
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

interface SavedCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

const savedCredentials = new Map<string, SavedCredential[]>();

export async function openPhone(profileDir: string, options: { lang?: 'km' | 'en'; camera?: string } = {}) {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  mkdirSync(profileDir, { recursive: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const cameraFile = join(profileDir, 'camera.y4m');
  const showToCamera = (y4mPath: string) => {
    const next = `${cameraFile}.next`;
    copyFileSync(y4mPath, next);
    renameSync(next, cameraFile);
  };
  if (options.camera) showToCamera(options.camera);
  else if (!existsSync(cameraFile)) throw new Error('openPhone needs a first camera video');

  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    args: [...FLAGS, `--use-file-for-fake-video-capture=${cameraFile}`],
    viewport: { width: 393, height: 851 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: options.lang === 'en' ? 'en-US' : 'km-KH',
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36',
  });
  await context.grantPermissions(['camera', 'notifications']);
  const problems: string[] = [];
  const external: string[] = [];
  const watch = (page: Page) => {
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /content security policy/i.test(message.text()))
        problems.push(`CSP: ${message.text()}`);
    });
    return page;
  };
  const page = watch(context.pages()[0] ?? (await context.newPage()));
  context.on('request', (request) => {
    const url = new URL(request.url());
    // Requests over the network only: an app's own URL scheme (the hand-off back to a calling app)
    // goes nowhere.
    if (
      !['127.0.0.1', 'localhost'].includes(url.hostname) &&
      ['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)
    )
      external.push(request.url());
  });

  let cdp: CDPSession | undefined;
  let authenticatorId: string | undefined;
  const saveCredentials = async () => {
    if (!cdp || !authenticatorId) return;
    // A page that went to another site runs in a new renderer without the authenticator: the
    // credentials saved last stay.
    const answer = await cdp.send('WebAuthn.getCredentials', { authenticatorId }).catch(() => undefined);
    if (answer) savedCredentials.set(profileDir, (answer as { credentials: SavedCredential[] }).credentials);
  };
  const phone: Phone = {
    context,
    page,
    problems,
    external,
    showToCamera,
    async enableFaceId() {
      cdp = await context.newCDPSession(phone.page);
      await cdp.send('WebAuthn.enable', { enableUI: false });
      const added = (await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      })) as { authenticatorId: string };
      authenticatorId = added.authenticatorId;
      for (const credential of savedCredentials.get(profileDir) ?? [])
        await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    },
    async openWindow(url) {
      const hadFaceId = authenticatorId !== undefined;
      if (hadFaceId) await saveCredentials();
      const old = phone.page;
      phone.page = watch(await context.newPage());
      await old.close();
      await phone.page.bringToFront();
      if (hadFaceId) await phone.enableFaceId();
      await phone.page.goto(url);
      return phone.page;
    },
    async shot(name) {
      await phone.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
    },
    async close() {
      await saveCredentials();
      await context.close();
    },
  };
  return phone;
}
