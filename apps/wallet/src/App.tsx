/**
 * The app's screens by path (router.ts) and by what this phone is: an account's device goes to
 * home (or to the pending screen until the account is active); a phone with a registration or
 * recovery in progress resumes it when the app is launched; any other phone sees the welcome.
 */
import { useEffect, useRef } from 'react';
import { FlowScreen } from './flow/FlowScreen';
import { parseLoginLink } from './links/login-link';
import { navigate, useRoute } from './router';
import { AppLogin } from './screens/AppLogin';
import { HomeScreen } from './screens/Home';
import { MeScreen } from './screens/me/Me';
import { PendingScreen } from './screens/Pending';
import { RequestsScreen } from './screens/Requests';
import { ScanScreen } from './screens/Scan';
import { SettingsScreen } from './screens/Settings';
import { WelcomeScreen } from './screens/Welcome';
import { useSession } from './session';
import { Loading, Notice, ScreenFrame } from './ui/components';
import { useT } from './ui/use-t';

function NotRegistered() {
  const { t } = useT();
  return (
    <ScreenFrame title={t('applogin.title')} onBack={() => navigate('start')} testId="not-registered">
      <Notice tone="warn">{t('login.not_registered')}</Notice>
      <button type="button" className="btn primary" onClick={() => navigate('start')}>
        {t('common.back_to_start')}
      </button>
    </ScreenFrame>
  );
}

function LoginLink({ search }: { search: string }) {
  const { t } = useT();
  const link = parseLoginLink(`camdigikey://login?${search.replace(/^\?/, '')}`);
  if (!link)
    return (
      <ScreenFrame title={t('applogin.title')} onBack={() => navigate('home')} testId="login-link-invalid">
        <Notice tone="error">{t('scan.foreign')}</Notice>
      </ScreenFrame>
    );
  if (link.kind === 'token') return <AppLogin token={link.token} />;
  return <ScanScreen initialQr={link.qr} />;
}

export function App() {
  const route = useRoute();
  const session = useSession();
  const { t } = useT();
  const launched = useRef(false);
  const registered = session.account !== undefined;
  const active = session.status?.view.status === 'active';

  useEffect(() => {
    document.title = t('app.title');
  }, [t]);

  // On launch only: resume a flow in progress, or go where a registered phone belongs.
  useEffect(() => {
    if (!session.ready || launched.current) return;
    launched.current = true;
    if (route.screen !== 'start') return;
    if (registered) navigate(active ? 'home' : 'pending', { replace: true });
    else if (session.flows.registration) navigate('register', { replace: true });
    else if (session.flows.recovery) navigate('recover', { replace: true });
  }, [session.ready, route.screen, registered, active, session.flows]);

  if (!session.ready) return <Loading />;

  switch (route.screen) {
    case 'register':
      return <FlowScreen key="registration" kind="registration" />;
    case 'recover':
      return <FlowScreen key="recovery" kind="recovery" />;
    case 'settings':
      return <SettingsScreen />;
    case 'pending':
      return registered ? <PendingScreen /> : <WelcomeScreen />;
    case 'home':
      return registered ? <HomeScreen /> : <WelcomeScreen />;
    case 'scan':
      return registered ? <ScanScreen /> : <WelcomeScreen />;
    case 'requests':
      return registered ? <RequestsScreen /> : <WelcomeScreen />;
    case 'me':
      return registered ? <MeScreen /> : <WelcomeScreen />;
    case 'login':
      return registered ? <LoginLink search={location.search} /> : <NotRegistered />;
    default:
      return registered ? active ? <HomeScreen /> : <PendingScreen /> : <WelcomeScreen />;
  }
}
