/**
 * The console's i18n: i18next with the Khmer (default) and English catalogues; the choice is kept
 * in localStorage. `t(key, params)` fills `{name}` placeholders.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en, type MessageKey } from './en';
import { km } from './km';

export type Lang = 'km' | 'en';
const STORAGE_KEY = 'cdk-console-lang';

export function initialLanguage(): Lang {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  return saved === 'en' ? 'en' : 'km';
}

export function setLanguage(lang: Lang): void {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  void i18next.changeLanguage(lang);
}

export async function initI18n(): Promise<void> {
  const lng = initialLanguage();
  document.documentElement.lang = lng;
  await i18next.use(initReactI18next).init({
    lng,
    fallbackLng: 'km',
    resources: { km: { translation: km }, en: { translation: en } },
    interpolation: { escapeValue: false, prefix: '{', suffix: '}' },
    returnNull: false,
    keySeparator: false,
    nsSeparator: false,
  });
}

export type { MessageKey };
