/**
 * The officer console: sign-in, then the screens of the officer's role (queue and cases for
 * everyone, second opinions, supervision for supervisors and administrators, administration for
 * administrators). Hash routes: #/queue, #/cases/<id>, #/second-opinions, #/recovery-referrals,
 * #/dashboard, #/admin/<tab>.
 */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, type Officer } from './api';
import { setLanguage } from './i18n';
import { AdminScreen } from './screens/Admin';
import { ExpiryBanner } from './screens/AdminExpiries';
import { CaseScreen } from './screens/Case';
import { DashboardScreen } from './screens/Dashboard';
import { QueueScreen } from './screens/Queue';
import { RecoveryReferralsScreen } from './screens/RecoveryReferrals';
import { SecondOpinionsScreen } from './screens/SecondOpinions';
import { SignInScreen } from './screens/SignIn';
import { Mark, useT } from './ui';

const readRoute = () => (window.location.hash.replace(/^#\/?/, '') || 'queue').split('/');

function useHashRoute(): [string[], (path: string) => void] {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const onChange = () => setRoute(readRoute());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return [route, (path: string) => (window.location.hash = `#/${path}`)];
}

export function App() {
  const { t, lang } = useT();
  const [officer, setOfficer] = useState<Officer | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>();
  const [route, go] = useHashRoute();

  useEffect(() => {
    api
      .me()
      .then(setOfficer)
      .catch(() => setOfficer(null));
  }, []);
  useEffect(() => {
    document.title = t('app.title');
  }, [t]);

  const signOut = useCallback(async () => {
    await api.signOut().catch(() => undefined);
    setOfficer(null);
  }, []);
  const onUnauthorized = useCallback((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) setOfficer(null);
  }, []);

  const languageButton = (
    <button
      type="button"
      className="link"
      id="switch-lang"
      onClick={() => setLanguage(lang === 'km' ? 'en' : 'km')}
    >
      {t('app.other_language')}
    </button>
  );

  if (officer === undefined) return <p className="loading">{t('common.loading')}</p>;
  if (officer === null)
    return (
      <div className="signin-page">
        <header className="top">
          <span className="brand">
            <Mark />
            {t('app.title')}
          </span>
          {languageButton}
        </header>
        <SignInScreen onSignedIn={setOfficer} />
      </div>
    );

  const supervisor = officer.role === 'supervisor' || officer.role === 'administrator';
  const admin = officer.role === 'administrator';
  const [screen = 'queue', id] = route;
  const nav: [string, string, boolean][] = [
    ['queue', t('nav.queue'), true],
    ['second-opinions', t('nav.second_opinions'), true],
    ['recovery-referrals', t('nav.recovery_referrals'), true],
    ['dashboard', t('nav.dashboard'), supervisor],
    ['admin', t('nav.admin'), admin],
  ];
  const done = (message: string) => {
    setNotice(message);
    go('queue');
  };

  let body: React.ReactNode;
  if (screen === 'cases' && id)
    body = <CaseScreen accountId={id} onDecided={done} onError={onUnauthorized} />;
  else if (screen === 'second-opinions') body = <SecondOpinionsScreen onError={onUnauthorized} />;
  else if (screen === 'recovery-referrals') body = <RecoveryReferralsScreen onError={onUnauthorized} />;
  else if (screen === 'dashboard' && supervisor) body = <DashboardScreen onError={onUnauthorized} />;
  else if (screen === 'admin' && admin)
    body = <AdminScreen tab={id ?? 'officers'} onError={onUnauthorized} />;
  else
    body = (
      <QueueScreen
        officer={officer}
        notice={notice}
        onOpen={(accountId) => go(`cases/${accountId}`)}
        onError={onUnauthorized}
      />
    );

  return (
    <div className="layout">
      <header className="top">
        <span className="brand">
          <Mark />
          {t('app.title')}
        </span>
        <nav aria-label={t('app.title')}>
          {nav
            .filter(([, , allowed]) => allowed)
            .map(([path, label]) => (
              <a
                key={path}
                id={`nav-${path}`}
                href={`#/${path}`}
                aria-current={screen === path ? 'page' : undefined}
              >
                {label}
              </a>
            ))}
        </nav>
        <span className="who" id="who">
          {t('app.signed_in_as', { name: officer.displayName, role: t(`role.${officer.role}`) })}
        </span>
        {languageButton}
        <button type="button" className="link" id="sign-out" onClick={signOut}>
          {t('nav.sign_out')}
        </button>
      </header>
      <main>
        {admin && <ExpiryBanner onError={onUnauthorized} />}
        {body}
      </main>
    </div>
  );
}
