/**
 * Shared pieces of every screen: the frame with its header (back, title, and the switch between
 * Khmer and English on every screen), errors, notices, loading.
 */
import { type ReactNode, useEffect, useState } from 'react';
import type { AppKey } from '../i18n';
import { Icon } from './Icon';
import { LanguageSwitch } from './LanguageSwitch';
import { Logo } from './Logo';
import { useT } from './use-t';

export function ScreenFrame({
  title,
  onBack,
  children,
  testId,
  footer,
}: {
  title: string;
  onBack?: () => void;
  children: ReactNode;
  testId: string;
  footer?: ReactNode;
}) {
  const { t } = useT();
  return (
    <div className="screen" data-testid={testId}>
      <header className="bar">
        {onBack ? (
          <button type="button" className="icon-button" onClick={onBack} aria-label={t('common.back')}>
            <Icon name="back" size={26} />
          </button>
        ) : (
          <span className="bar-mark">
            <Logo size={36} />
          </span>
        )}
        <h1>{title}</h1>
        <LanguageSwitch compact />
      </header>
      <OfflineBanner />
      <main className="content">{children}</main>
      {footer}
    </div>
  );
}

export function ErrorBox({ error, testId = 'error' }: { error: unknown; testId?: string }) {
  const { errorText } = useT();
  if (!error) return null;
  return (
    <p className="notice notice-error" role="alert" data-testid={testId}>
      {typeof error === 'string' ? error : errorText(error)}
    </p>
  );
}

export function Notice({
  tone = 'info',
  children,
  testId,
}: {
  tone?: 'info' | 'ok' | 'warn' | 'error';
  children: ReactNode;
  testId?: string;
}) {
  return (
    <p className={`notice notice-${tone}`} data-testid={testId} role={tone === 'error' ? 'alert' : undefined}>
      {children}
    </p>
  );
}

export function Loading({ label }: { label?: AppKey }) {
  const { t } = useT();
  return (
    <p className="loading" role="status" aria-live="polite">
      {t(label ?? 'common.loading')}
    </p>
  );
}

export function useOnline(): boolean {
  const [online, setOnline] = useState(typeof navigator === 'undefined' ? true : navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  return online;
}

export function OfflineBanner() {
  const { t } = useT();
  const online = useOnline();
  if (online) return null;
  return (
    <p className="offline" role="status" data-testid="offline-banner">
      {t('common.offline_banner')}
    </p>
  );
}

/** The current time, ticking every `everyMs` (countdowns). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** The relying party's name in the language on screen (its Khmer name when it has one). */
export function rpName(rp: { name?: string | null; nameKm?: string | null }, lang: 'km' | 'en'): string {
  return (lang === 'km' && rp.nameKm ? rp.nameKm : rp.name) ?? '';
}

/** The relying party's organisation in the language on screen (its Khmer name when it has one). */
export function rpOrganisation(
  rp: { organisation?: string | null; organisationKm?: string | null },
  lang: 'km' | 'en',
): string {
  return (lang === 'km' && rp.organisationKm ? rp.organisationKm : rp.organisation) ?? '';
}

/** A logo the app may show: an image the relying party registered as a data URI (no request leaves the phone). */
export const shownLogo = (logoUrl?: string | null) =>
  logoUrl && /^data:image\/(png|jpeg|webp|svg\+xml);base64,/.test(logoUrl) ? logoUrl : undefined;

/**
 * Who asks to log in: the service's registered name (Khmer when shown in Khmer), organisation and
 * domain, under `asks`; `children` add hints (check the domain, time left).
 */
export function RpCard({
  rp,
  asks,
  testId,
  children,
}: {
  rp: {
    name?: string | null;
    nameKm?: string | null;
    organisation?: string | null;
    organisationKm?: string | null;
    domain?: string | null;
    logoUrl?: string | null;
  };
  asks: string;
  /** Prefix of the test ids: `<testId>-rp-name`, `<testId>-rp-domain`. */
  testId: string;
  children?: ReactNode;
}) {
  const { lang } = useT();
  const logo = shownLogo(rp.logoUrl);
  const organisation = rpOrganisation(rp, lang);
  return (
    <section className="card rp" data-testid={`${testId}-rp`}>
      <p className="rp-asks">{asks}</p>
      {logo ? (
        <img className="rp-logo" src={logo} alt="" width={64} height={64} data-testid={`${testId}-rp-logo`} />
      ) : null}
      <p className="rp-name" data-testid={`${testId}-rp-name`}>
        {rpName(rp, lang)}
      </p>
      {organisation ? (
        <p className="rp-org" data-testid={`${testId}-rp-org`}>
          {organisation}
        </p>
      ) : null}
      <p className="rp-domain" data-testid={`${testId}-rp-domain`}>
        {rp.domain ?? ''}
      </p>
      {children}
    </section>
  );
}

/** A text with `{name}` slots filled by elements (links inside a sentence, in either language's word order). */
export function richText(template: string, slots: Record<string, ReactNode>): ReactNode[] {
  return template.split(/(\{\w+\})/).map((part, i) => {
    const slot = /^\{(\w+)\}$/.exec(part)?.[1];
    // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed sentence, in order
    return slot && slot in slots ? <span key={i}>{slots[slot]}</span> : part;
  });
}
