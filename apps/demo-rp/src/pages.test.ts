/**
 * The demo portal in Khmer (issue 16, items 9 and 11): its pages ask for its own Khmer font first,
 * for the Khmer block, from the portal's own /assets/ (allowed by its CSP), and those URLs answer
 * with WOFF2 files; dates are day/month/year in Khmer digits. Nothing here reaches the server.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createDemoRp } from './app';
import { homePage, shownDate } from './html';

const rp = createDemoRp({
  issuer: 'http://127.0.0.1:9/oidc',
  clientId: 'demo',
  clientSecret: 'not-used',
  baseUrl: 'http://127.0.0.1:3000',
});
afterAll(() => rp.app.close());

describe("the demo portal's Khmer font", () => {
  it('is declared first on its pages, for the Khmer block, and allowed by the CSP', async () => {
    const home = await rp.app.inject({ method: 'GET', url: '/?lang=km' });
    expect(home.statusCode).toBe(200);
    expect(home.body).toMatch(/body\{[^}]*font-family:"Kantumruy Pro"/);
    expect(home.body).toMatch(/@font-face\{font-family:"Kantumruy Pro"[^}]*unicode-range:U\+1780-17FF/);
    expect(home.headers['content-security-policy']).toMatch(/font-src 'self'/);
    expect(home.headers['cache-control']).toBe('no-store');
  });

  it('answers every font URL of its pages with a WOFF2 file', async () => {
    const home = await rp.app.inject({ method: 'GET', url: '/?lang=km' });
    const urls = [...home.body.matchAll(/url\("([^"]+)"\) format\("woff2"\)/g)].map((m) => m[1]!);
    expect(urls).toHaveLength(2);
    for (const url of urls) {
      const font = await rp.app.inject({ method: 'GET', url });
      expect(font.statusCode, url).toBe(200);
      expect(font.headers['content-type']).toBe('font/woff2');
      // Loaded once per visit, not on every page (pages themselves are never stored).
      expect(font.headers['cache-control']).toMatch(/^public/);
      expect(font.rawPayload.subarray(0, 4).toString('latin1'), url).toBe('wOF2');
    }
    expect((await rp.app.inject({ method: 'GET', url: '/assets/other.woff2' })).statusCode).toBe(404);
  });
});

describe("the demo portal's dates", () => {
  it('writes the birth date day/month/year, in Khmer digits on the Khmer page', () => {
    expect(shownDate('km', '2001-02-11')).toBe('១១/០២/២០០១');
    expect(shownDate('en', '2001-02-11')).toBe('11/02/2001');
    const page = homePage('km', { km: 'ក', en: 'A' }, { sub: 's', birthdate: '2001-02-11' });
    expect(page).toContain('<dd id="birthdate">១១/០២/២០០១</dd>');
  });
});
