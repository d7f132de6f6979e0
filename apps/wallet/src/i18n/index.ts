/**
 * The app's i18n: i18next with the app's own Khmer (default) and English catalogues (km.json,
 * en.json, flat keys, `{name}` placeholders), with the camera screens' texts (camera/messages.*.json,
 * keys `camera.…`) merged in. Texts of the server's message ids (flow labels, states, errors) come
 * from packages/messages through `serverText`.
 *
 * Only Khmer ships in the first load (slow connections): the English catalogues are fetched when
 * English is chosen. The choice is not a secret and is kept in localStorage; the page's `lang`
 * attribute follows it.
 */
import type { MessageId } from '@camdigikey/messages/en';
import { km as serverKm } from '@camdigikey/messages/km';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import cameraKm from '../camera/messages.km.json';
import { toKhmerDigits } from './digits';
import type enCatalogue from './en.json';
import km from './km.json';
import { formatDateTime, isIsoDateTime, type Translate } from './time';

export type Lang = 'km' | 'en';
export type AppKey = keyof typeof enCatalogue;

const STORAGE_KEY = 'cdk-app-lang';
const listeners = new Set<(lang: Lang) => void>();
const serverCatalogues: Partial<Record<Lang, Record<string, string>>> = { km: serverKm };

export function savedLanguage(): Lang {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  return saved === 'en' ? 'en' : 'km';
}

/** Fetch the English catalogues once (Khmer is in the bundle). */
async function loadLanguage(lang: Lang): Promise<void> {
  if (lang === 'km' || serverCatalogues.en) return;
  const [app, camera, server] = await Promise.all([
    import('./en.json'),
    import('../camera/messages.en.json'),
    import('@camdigikey/messages/en'),
  ]);
  i18next.addResourceBundle('en', 'translation', { ...app.default, ...camera.default }, true, true);
  serverCatalogues.en = server.en;
}

export async function initI18n(lng: Lang = savedLanguage()): Promise<void> {
  await i18next.use(initReactI18next).init({
    lng: 'km',
    fallbackLng: 'km',
    resources: { km: { translation: { ...km, ...cameraKm } } },
    interpolation: { escapeValue: false, prefix: '{', suffix: '}' },
    returnNull: false,
    keySeparator: false,
    nsSeparator: false,
  });
  if (lng === 'en') {
    await loadLanguage('en');
    await i18next.changeLanguage('en');
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
}

export function currentLanguage(): Lang {
  return i18next.language === 'en' ? 'en' : 'km';
}

export async function setLanguage(lang: Lang): Promise<void> {
  await loadLanguage(lang);
  if (typeof localStorage !== 'undefined') localStorage.setItem(STORAGE_KEY, lang);
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  await i18next.changeLanguage(lang);
  for (const listener of listeners) listener(lang);
}

/** Called after every change of language (e.g. to hand the push texts to the service worker). */
export function onLanguageChange(listener: (lang: Lang) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A text of the app's catalogue in a given language (outside React). */
export const appText = (key: AppKey, lang: Lang, params?: Record<string, string | number>): string =>
  i18next.t(key, { lng: lang, ...(params ?? {}) });

/** Whether the server's catalogues (packages/messages) know a message id. */
export const isServerMessageId = (id: string): id is MessageId => Object.hasOwn(serverKm, id);

/**
 * The text of a server message id (packages/messages) with its context, as the server's own
 * `format` writes it: numbers in Khmer digits in Khmer; instants (ISO strings) become Phnom Penh
 * dates. Unknown ids give `fallback`.
 */
export function serverText(
  id: string,
  lang: Lang,
  t: Translate,
  context: Record<string, unknown> = {},
  fallback = '',
): string {
  if (!isServerMessageId(id)) return fallback;
  const template = serverCatalogues[lang]?.[id] ?? serverKm[id];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = context[name];
    if (typeof value === 'number') return lang === 'km' ? toKhmerDigits(value) : String(value);
    if (typeof value === 'string') return isIsoDateTime(value) ? formatDateTime(value, lang, t) : value;
    return whole;
  });
}
