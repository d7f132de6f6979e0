/** The static files of the login pages, read once from apps/login/public. */
import { readFileSync } from 'node:fs';

const file = (name: string) => readFileSync(new URL(`../public/${name}`, import.meta.url), 'utf8');

export const ASSETS: Record<string, { type: string; body: string }> = {
  'login.js': { type: 'text/javascript; charset=utf-8', body: file('login.js') },
  'login.css': { type: 'text/css; charset=utf-8', body: file('login.css') },
};
