/**
 * Home of a registered phone (user guide 3.1.2): the citizen's card (photo, names in Khmer and
 * Latin, CamDigiKey ID, account state), then "Scan QR Code" large, the requests waiting,
 * notifications, and the account status (the last known one when offline). A phone that is no
 * longer the account's device shows only what to do about it: no scanning, no requests.
 */
import { useEffect, useState } from 'react';
import { enablePush, pushSupported } from '../pwa/push';
import { navigate } from '../router';
import { useSession } from '../session';
import { appState } from '../storage/app-state';
import { ErrorBox, Notice, ScreenFrame } from '../ui/components';
import { Icon } from '../ui/Icon';
import { TabBar } from '../ui/TabBar';
import { useT } from '../ui/use-t';
import { IdentityCard } from './IdentityCard';
import { useApprovals } from './use-approvals';

export function HomeScreen() {
  const { t, server, dateTime } = useT();
  const session = useSession();
  const { approvals } = useApprovals(!session.revoked);
  const [push, setPush] = useState<boolean>();
  const [pushError, setPushError] = useState<unknown>();
  const [pushDenied, setPushDenied] = useState(false);
  const { refreshStatus } = session;

  useEffect(() => {
    void refreshStatus();
    void appState.push().then((p) => setPush(p?.subscribed ?? false));
  }, [refreshStatus]);

  const status = session.status?.view;
  const count = approvals?.length ?? 0;

  if (session.revoked)
    return (
      <ScreenFrame title={t('home.title')} testId="home">
        <section className="card revoked">
          <div className="revoked-art">
            <Icon name="lock" size={56} />
          </div>
          <Notice tone="error" testId="home-revoked">
            {t('home.revoked')}
          </Notice>
          <button
            type="button"
            className="btn primary"
            data-testid="home-recover"
            onClick={async () => {
              await session.forgetAccount();
              navigate('recover');
            }}
          >
            {t('welcome.existing')}
          </button>
        </section>
      </ScreenFrame>
    );

  return (
    <ScreenFrame title={t('home.title')} testId="home" footer={<TabBar current="home" requests={count} />}>
      <IdentityCard status={status?.status} />
      {status && status.status !== 'active' ? (
        <section className="card" data-testid="home-status" data-status={status.status}>
          <p>{server(status.messageId)}</p>
          <button type="button" className="btn secondary" onClick={() => navigate('pending')}>
            {t('home.see_status')}
          </button>
        </section>
      ) : null}
      <button type="button" className="btn scan" data-testid="home-scan" onClick={() => navigate('scan')}>
        <Icon name="scan" size={56} />
        <span>{t('home.scan')}</span>
      </button>
      <p className="hint center">{t('home.scan_hint')}</p>
      <button
        type="button"
        className="btn secondary"
        data-testid="home-requests"
        onClick={() => navigate('requests')}
      >
        {count > 0 ? t('home.requests_waiting', { count }) : t('home.no_requests')}
      </button>
      {pushSupported() && push === false ? (
        <section className="card">
          <p>{t('home.push_text')}</p>
          <button
            type="button"
            className="btn secondary"
            data-testid="home-enable-push"
            onClick={async () => {
              setPushError(undefined);
              try {
                const result = await enablePush();
                setPush(result === 'on');
                setPushDenied(result === 'denied');
              } catch (caught) {
                setPushError(caught);
              }
            }}
          >
            {t('home.push_button')}
          </button>
          {pushDenied ? <Notice tone="warn">{t('home.push_denied')}</Notice> : null}
          <ErrorBox error={pushError} />
        </section>
      ) : null}
      {session.status ? (
        <p className="hint center" data-testid="home-status-line">
          {status?.status === 'active' ? server(status.messageId) : null}{' '}
          {t('home.updated', { time: dateTime(session.status.at) })}
        </p>
      ) : null}
    </ScreenFrame>
  );
}
