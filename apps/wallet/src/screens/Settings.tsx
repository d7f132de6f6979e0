/**
 * Settings (welcome screen and "Me"): the language, opening CamDigiKey login links with this app,
 * and the support contacts of the user guide.
 */
import { useState } from 'react';
import { navigate } from '../router';
import { useSession } from '../session';
import { Notice, ScreenFrame } from '../ui/components';
import { LanguageSwitch } from '../ui/LanguageSwitch';
import { useT } from '../ui/use-t';

/**
 * Browsers let a web app handle only `web+` schemes; an installed app also declares it in its
 * manifest (`protocol_handlers`). The packaged Android app maps `camdigikey://` to /app/login.
 */
export function registerLinkHandler(): boolean {
  const nav = navigator as Navigator & { registerProtocolHandler?: (scheme: string, url: string) => void };
  if (typeof nav.registerProtocolHandler !== 'function') return false;
  try {
    nav.registerProtocolHandler('web+camdigikey', `${location.origin}/app/login?link=%s`);
    return true;
  } catch {
    return false;
  }
}

export function SettingsScreen() {
  const { t, n } = useT();
  const { account, status } = useSession();
  const [links, setLinks] = useState<boolean>();
  return (
    <ScreenFrame
      title={t('settings.title')}
      onBack={() => navigate(!account ? 'start' : status?.view.status === 'active' ? 'me' : 'pending')}
      testId="settings"
    >
      <section className="card">
        <LanguageSwitch />
      </section>
      <section className="card">
        <h2>{t('settings.links_title')}</h2>
        <p>{t('settings.links_text')}</p>
        <button
          type="button"
          className="btn secondary"
          data-testid="settings-register-links"
          onClick={() => setLinks(registerLinkHandler())}
        >
          {t('settings.links_button')}
        </button>
        {links === true ? <Notice tone="ok">{t('settings.links_done')}</Notice> : null}
        {links === false ? <Notice tone="warn">{t('settings.links_unsupported')}</Notice> : null}
      </section>
      <section className="card" data-testid="settings-support">
        <h2>{t('settings.support_title')}</h2>
        <p>{t('settings.support_address')}</p>
        <p>
          <a href="https://www.camdx.gov.kh" rel="noreferrer" target="_blank">
            www.camdx.gov.kh
          </a>
        </p>
        <p>
          <a href="tel:+85581888926">{n('(+855) 81 888 926')}</a>
        </p>
        <p>
          <a href="mailto:camdx@mef.gov.kh">camdx@mef.gov.kh</a>
        </p>
      </section>
    </ScreenFrame>
  );
}
