/**
 * Headless Chromium for the e2e tests through playwright-core (no bundled browser download): the
 * Debian chromium binary (CHROMIUM_PATH overrides), flags that keep it quiet and offline, one
 * context per journey (its own cookies), page errors and CSP violations collected so a test can
 * assert there were none, and screenshots written to test-results/e2e/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/e2e', import.meta.url));

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
}

export interface Journey {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and Content-Security-Policy violations seen so far. */
  problems: string[];
  /** Full-page screenshot to test-results/e2e/<name>.png. */
  shot(name: string): Promise<void>;
}

export async function openJourney(browser: Browser, lang: 'km' | 'en'): Promise<Journey> {
  const context = await browser.newContext({
    locale: lang === 'km' ? 'km-KH' : 'en-US',
    viewport: { width: 900, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /content security policy/i.test(message.text()))
      problems.push(`CSP: ${message.text()}`);
  });
  return {
    context,
    page,
    problems,
    shot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
  };
}
