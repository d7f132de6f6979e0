/**
 * The translation hook of the screens: the app's texts (`t`, numbers written with the language's
 * digits), server message ids (`server`), error texts (`errorText`) and dates. Texts that name the
 * phone's biometric unlock are taken in the phone's own words: a key's `.android` variant on
 * Android ("fingerprint or face unlock" rather than Apple's "Face ID") when the catalogue has one.
 */
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/errors';
import { type AppKey, isServerMessageId, type Lang, serverText } from '../i18n';
import { localDigits } from '../i18n/digits';
import { formatCountdown, formatDate, formatDateTime, type Translate } from '../i18n/time';
import { biometric } from './platform';

export type Params = Record<string, string | number>;

/** A server message id in the phone's own words (its `.android` variant there, when one exists). */
export const phoneWords = (id: string): string =>
  biometric() === 'android' && isServerMessageId(`${id}.android`) ? `${id}.android` : id;

export function useT() {
  const { t: raw, i18n } = useTranslation();
  const lang: Lang = i18n.language === 'en' ? 'en' : 'km';
  const localise = (params?: Params) => {
    const out: Params = {};
    for (const [k, v] of Object.entries(params ?? {}))
      out[k] = typeof v === 'number' ? localDigits(v, lang) : v;
    return out;
  };
  const own = (key: string) =>
    biometric() === 'android' && i18n.exists(`${key}.android`) ? `${key}.android` : key;
  const t = (key: AppKey, params?: Params): string => raw(own(key), localise(params));
  const loose: Translate = (key, params) => raw(key, localise(params));
  return {
    t,
    lang,
    n: (value: string | number) => localDigits(value, lang),
    dateTime: (iso: string) => formatDateTime(iso, lang, loose),
    date: (value: string) => formatDate(value, lang, loose),
    countdown: (seconds: number) => formatCountdown(seconds, lang),
    /** A server message id with its context. */
    server: (id: string, context?: Record<string, unknown>) =>
      serverText(phoneWords(id), lang, loose, context, ''),
    /** What went wrong, in words: the server's message for its code, or the app's own words. */
    errorText: (error: unknown): string => {
      if (!isApiError(error)) return t('common.error_generic');
      if (error.offline) return t('common.offline');
      const text = serverText(phoneWords(error.messageId), lang, loose, error.details, '');
      return text || error.text?.[lang] || t('common.error_generic');
    },
  };
}

export type UseT = ReturnType<typeof useT>;
