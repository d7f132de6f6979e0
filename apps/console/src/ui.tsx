/** Small shared pieces: the translation hook, error text, status badges and time formats. */
import { iconShapes, VIEWBOX } from '@camdigikey/brand/mark';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api';
import type { Lang, MessageKey } from './i18n';
import { en } from './i18n/en';

const KHMER_DIGITS = '០១២៣៤៥៦៧៨៩';

/** Digits as the language writes them: Khmer digits (០–៩) in Khmer, as the citizen's app does. */
export const localDigits = (value: string | number, lang: Lang) =>
  lang === 'km' ? String(value).replace(/[0-9]/g, (d) => KHMER_DIGITS[Number(d)]!) : String(value);

export function useT() {
  const { t, i18n } = useTranslation();
  const lang = (i18n.language === 'en' ? 'en' : 'km') as Lang;
  return {
    lang,
    /** A text of the catalogue; numbers among the parameters are written in the language's digits. */
    t: (key: MessageKey, params?: Record<string, string | number>) => {
      const shown: Record<string, string | number> = {};
      for (const [k, v] of Object.entries(params ?? {}))
        shown[k] = typeof v === 'number' ? localDigits(v, lang) : v;
      return t(key, shown);
    },
    n: (value: string | number) => localDigits(value, lang),
  };
}

/**
 * The catalogue key for an audit action in a case's history: its own label (`hist.<action>`), else
 * its family's (`hist.group.<prefix>`, e.g. "Login"), else "Other account event": the officer never
 * reads a raw id such as `registration.details_draft_saved` (issue 16, item 11).
 */
export function historyKey(action: string, known: (key: string) => boolean): MessageKey {
  const own = `hist.${action}`;
  if (known(own)) return own as MessageKey;
  const group = `hist.group.${action.split('.')[0]}`;
  return (known(group) ? group : 'hist.other') as MessageKey;
}

/** An audit action of a case's history in the current language (see historyKey). */
export function useHistoryLabel() {
  const { t } = useT();
  return (action: string) => t(historyKey(action, (key) => key in en));
}

/** A label from the catalogue, or the code itself when the server sends one the catalogue lacks. */
export function useLabel() {
  const { t } = useT();
  return (key: string, code: string) => {
    const text = t(key as MessageKey);
    return text === key ? code : text;
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

/** Cambodia keeps UTC+7 all year (no daylight saving). */
const PHNOM_PENH_OFFSET_MS = 7 * 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** A local calendar day (`YYYY-MM-DD`, as the server counts days in Phnom Penh) read back; undefined when not one. */
export function dayParts(day: string): { day: number; month: number; year: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
}

/**
 * Dates and times in Phnom Penh time, with month names from the catalogue (browsers' Khmer locale
 * data is incomplete: headless Chromium prints "M11" for November), in Khmer digits in Khmer.
 */
export function useFormat() {
  const { t, n } = useT();
  return {
    dateTime: (iso: string | null | undefined) => {
      if (!iso) return t('common.none');
      const d = new Date(new Date(iso).getTime() + PHNOM_PENH_OFFSET_MS);
      return t('time.date_time', {
        day: d.getUTCDate(),
        month: t(`month.${d.getUTCMonth() + 1}` as MessageKey),
        year: d.getUTCFullYear(),
        time: n(`${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`),
      });
    },
    /** A local day (`YYYY-MM-DD`) as "7 December 2026" / "ថ្ងៃទី ៧ ខែធ្នូ ឆ្នាំ ២០២៦". */
    date: (day: string) => {
      const parts = dayParts(day);
      if (!parts) return n(day);
      return t('time.date', {
        day: parts.day,
        month: t(`month.${parts.month}` as MessageKey),
        year: parts.year,
      });
    },
    workingTime: (ms: number) => {
      const minutes = Math.round(Math.abs(ms) / 60_000);
      const params = { h: Math.floor(minutes / 60), m: minutes % 60 };
      return ms < 0 ? t('time.overdue', params) : t('time.left', params);
    },
    score: (value: number | null | undefined) =>
      value === null || value === undefined ? t('common.none') : n(value.toFixed(2)),
  };
}

export const FLAG_KEYS: Record<string, MessageKey> = {
  mrz_mismatch: 'flag.mrz_mismatch',
  duplicate_document: 'flag.duplicate_document',
  duplicate_face: 'flag.duplicate_face',
  resubmitted: 'flag.resubmitted',
};

export const SLA_TONE: Record<string, string> = { on_time: 'ok', at_risk: 'warn', breached: 'bad' };

/** The CamDigiKey mark (the app's and the login pages' own, @camdigikey/brand), decorative. */
export function Mark({ size = 32 }: { size?: number }) {
  return (
    <svg className="mark" width={size} height={size} viewBox={`0 0 ${VIEWBOX} ${VIEWBOX}`} aria-hidden="true">
      {iconShapes({ fullBleed: false }).map((s, i) =>
        s.kind === 'rect' ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed drawing, painted in order
          <rect key={i} x={s.x} y={s.y} width={s.w} height={s.h} rx={s.rx} fill={s.fill} />
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed drawing, painted in order
          <circle key={i} cx={s.cx} cy={s.cy} r={s.r} fill={s.fill} />
        ),
      )}
    </svg>
  );
}
