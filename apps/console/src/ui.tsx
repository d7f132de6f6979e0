/** Small shared pieces: the translation hook, error text, status badges and time formats. */
import { useTranslation } from 'react-i18next';
import { ApiError } from './api';
import type { Lang, MessageKey } from './i18n';

export function useT() {
  const { t, i18n } = useTranslation();
  const lang = (i18n.language === 'en' ? 'en' : 'km') as Lang;
  return {
    lang,
    t: (key: MessageKey, params?: Record<string, string | number>) => t(key, params ?? {}),
  };
}

/** An error in the current language: the server's own bilingual message when there is one. */
export function ErrorText({ error }: { error: unknown }) {
  const { t, lang } = useT();
  if (!error) return null;
  const text = error instanceof ApiError && error.text ? error.text[lang] : t('common.error_generic');
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}

export function Badge({ tone, children }: { tone: string; children: React.ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function useFormat() {
  const { t, lang } = useT();
  const locale = lang === 'km' ? 'km-KH' : 'en-GB';
  return {
    dateTime: (iso: string | null | undefined) =>
      iso
        ? new Intl.DateTimeFormat(locale, {
            dateStyle: 'medium',
            timeStyle: 'short',
            timeZone: 'Asia/Phnom_Penh',
          }).format(new Date(iso))
        : t('common.none'),
    workingTime: (ms: number) => {
      const minutes = Math.round(Math.abs(ms) / 60_000);
      const params = { h: Math.floor(minutes / 60), m: minutes % 60 };
      return ms < 0 ? t('time.overdue', params) : t('time.left', params);
    },
    score: (value: number | null | undefined) =>
      value === null || value === undefined ? t('common.none') : value.toFixed(2),
  };
}

export const FLAG_KEYS: Record<string, MessageKey> = {
  mrz_mismatch: 'flag.mrz_mismatch',
  duplicate_document: 'flag.duplicate_document',
  duplicate_face: 'flag.duplicate_face',
};

export const SLA_TONE: Record<string, string> = { on_time: 'ok', at_risk: 'warn', breached: 'bad' };
