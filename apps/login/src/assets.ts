/**
 * The static files of the login pages, read once: the page's script and style from
 * apps/login/public, and the Khmer font (Kantumruy Pro, Khmer subset, regular and semi-bold, from
 * the @fontsource package as the app bundles it), so Khmer never shows as empty boxes on a computer
 * without a Khmer system font (issue 16, item 9).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const file = (name: string) => readFileSync(new URL(`../public/${name}`, import.meta.url));
const fonts = join(
  dirname(createRequire(import.meta.url).resolve('@fontsource/kantumruy-pro/khmer-400.css')),
  'files',
);
const font = (weight: number) => readFileSync(join(fonts, `kantumruy-pro-khmer-${weight}-normal.woff2`));

export const ASSETS: Record<string, { type: string; body: Buffer }> = {
  'login.js': { type: 'text/javascript; charset=utf-8', body: file('login.js') },
  'login.css': { type: 'text/css; charset=utf-8', body: file('login.css') },
  'kantumruy-pro-khmer-400.woff2': { type: 'font/woff2', body: font(400) },
  'kantumruy-pro-khmer-600.woff2': { type: 'font/woff2', body: font(600) },
};
