/**
 * The welcome screen (user guide 1.3, 2.1): "Register", "Existing User" and "Settings", with the
 * language switch at hand. A registration or recovery in progress is offered to continue.
 */

import { LEGAL_DOCUMENTS } from '@camdigikey/messages/legal';
import { navigate } from '../router';
import { useSession } from '../session';
import { OfflineBanner, richText } from '../ui/components';
import { LanguageSwitch } from '../ui/LanguageSwitch';
import { LegalLink, useLegalSheet } from '../ui/LegalSheet';
import { Logo } from '../ui/Logo';
import { useT } from '../ui/use-t';

export function WelcomeScreen() {
  const { t } = useT();
  const { flows } = useSession();
  const legal = useLegalSheet();
  return (
    <div className="screen welcome" data-testid="welcome">
      <OfflineBanner />
      <div className="welcome-top">
        <LanguageSwitch compact />
      </div>
      <div className="welcome-brand">
        <Logo size={96} />
        <h1>CamDigiKey</h1>
        <p className="tagline">{t('welcome.tagline')}</p>
        <p className="lead">{t('welcome.lead')}</p>
      </div>
      <nav className="welcome-actions" aria-label={t('welcome.actions')}>
        <button
          type="button"
          className="btn primary"
          data-testid="welcome-register"
          onClick={() => navigate('register')}
        >
          {flows.registration ? t('welcome.continue_registration') : t('welcome.register')}
        </button>
        <button
          type="button"
          className="btn secondary"
          data-testid="welcome-existing"
          onClick={() => navigate('recover')}
        >
          {flows.recovery ? t('welcome.continue_recovery') : t('welcome.existing')}
        </button>
        <button
          type="button"
          className="btn link"
          data-testid="welcome-settings"
          onClick={() => navigate('settings')}
        >
          {t('welcome.settings')}
        </button>
      </nav>
      <p className="fine-print" data-testid="welcome-terms">
        {richText(t('welcome.terms', { privacy: '{privacy}', terms: '{terms}' }), {
          privacy: <LegalLink document={LEGAL_DOCUMENTS.privacy} onOpen={legal.open} />,
          terms: <LegalLink document={LEGAL_DOCUMENTS.terms} onOpen={legal.open} />,
        })}
      </p>
      {legal.sheet}
    </div>
  );
}
