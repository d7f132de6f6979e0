/**
 * The hosted login pages carry their own Khmer font (issue 16, item 9): on a computer without a
 * Khmer system font, Khmer must not fall back to empty boxes. Every font the style sheet and the
 * page ask for is one of the served assets, is a real WOFF2 file, covers the Khmer block, and is
 * allowed by the pages' Content-Security-Policy.
 */
import { describe, expect, it } from 'vitest';
import { ASSETS } from './assets';
import { CSP, page } from './html';

const css = ASSETS['login.css']!.body.toString('utf8');
const served = (url: string) => ASSETS[url.replace(/^\/login\/assets\//, '')];

describe('the Khmer font of the login pages', () => {
  it('is declared first for the whole page, for the Khmer block, in two weights', () => {
    expect(css).toMatch(/body\s*\{[^}]*font-family:\s*"Kantumruy Pro"/);
    const faces = [...css.matchAll(/@font-face\s*\{([^}]*)\}/g)].map((m) => m[1]!);
    expect(faces).toHaveLength(2);
    for (const face of faces) {
      expect(face).toContain('font-family: "Kantumruy Pro"');
      expect(face).toMatch(/unicode-range:[^;]*U\+1780-17FF/);
    }
  });

  it('is served with the pages: every font URL of the style sheet and the page is a WOFF2 asset', () => {
    const html = page('km', 'ចូល', '<p>សួស្តី</p>');
    const urls = [
      ...[...css.matchAll(/url\("([^"]+)"\)/g)].map((m) => m[1]!),
      ...[...html.matchAll(/<link rel="preload" href="([^"]+)" as="font"/g)].map((m) => m[1]!),
    ];
    expect(urls.length).toBeGreaterThanOrEqual(3);
    for (const url of urls) {
      const asset = served(url);
      expect(asset, url).toBeDefined();
      expect(asset!.type).toBe('font/woff2');
      expect(asset!.body.subarray(0, 4).toString('latin1'), url).toBe('wOF2');
      expect(asset!.body.length, url).toBeGreaterThan(10_000);
    }
    expect(html).toContain('href="/login/assets/login.css"');
  });

  it('is allowed by the Content-Security-Policy (fonts from the page itself)', () => {
    expect(CSP).toMatch(/(^|; )font-src 'self'(;|$)/);
  });
});
