/**
 * Paths of the app under /app/ (History API; the server answers index.html for every path and
 * the service worker falls back to it offline):
 *
 *   /app/            welcome, or home / pending for a registered phone
 *   /app/register    registration steps 1/4 … 4/4          /app/recover   "Existing User"
 *   /app/pending     waiting for the officers' decision      /app/settings  language, links
 *   /app/scan        scan a website's QR code                /app/requests  approval requests
 *   /app/me          the citizen's account                   /app/login?token=… | ?qr=… | ?link=…
 */
import { useSyncExternalStore } from 'react';

export const BASE = '/app';

export type Screen =
  | 'start'
  | 'register'
  | 'recover'
  | 'pending'
  | 'settings'
  | 'home'
  | 'scan'
  | 'requests'
  | 'me'
  | 'login';

const SCREENS: readonly Screen[] = [
  'register',
  'recover',
  'pending',
  'settings',
  'home',
  'scan',
  'requests',
  'me',
  'login',
];

export interface Route {
  screen: Screen;
}

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(`${BASE}/`) ? pathname.slice(BASE.length + 1) : '';
  const first = rest.split('/')[0] ?? '';
  const screen = (SCREENS as readonly string[]).includes(first) ? (first as Screen) : 'start';
  return { screen };
}

const listeners = new Set<() => void>();
let snapshot = typeof location === 'undefined' ? '' : location.pathname + location.search;

function changed() {
  snapshot = location.pathname + location.search;
  for (const listener of listeners) listener();
}

if (typeof window !== 'undefined') window.addEventListener('popstate', changed);

export function navigate(
  screen: Screen,
  options: { replace?: boolean; query?: Record<string, string> } = {},
) {
  const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
  const url = `${BASE}/${screen === 'start' ? '' : screen}${query}`;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.scrollTo(0, 0);
  changed();
}

export function useRoute(): Route {
  const current = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => snapshot,
    () => snapshot,
  );
  const q = current.indexOf('?');
  return parseRoute(q < 0 ? current : current.slice(0, q));
}
