/**
 * After submission (user guide 1.10–1.11): the review deadline (8 working hours), updated live;
 * when approved, on to home; a rejection with its reason and a way to register again; an
 * officer's request to redo one part (document photo or face check) done right here.
 */
import { useState } from 'react';
import { replaceDeviceKey } from '../device/device-key';
import { navigate } from '../router';
import { useSession } from '../session';
import { Notice, ScreenFrame } from '../ui/components';
import { useT } from '../ui/use-t';
import { Resubmission } from './Resubmission';
import { useStatusStream } from './use-status-stream';

export function PendingScreen() {
  const { t, server, dateTime } = useT();
  const session = useSession();
  const { connected } = useStatusStream(session.account !== undefined);
  const [redo, setRedo] = useState(false);
  const view = session.status?.view;

  const startOver = async () => {
    await session.forgetAccount();
    await replaceDeviceKey();
    navigate('register', { replace: true });
  };

  let body: React.ReactNode;
  if (!view) body = <Notice>{t('pending.unknown')}</Notice>;
  else
    switch (view.status) {
      case 'pending_review':
        body = (
          <>
            <div className="status-art waiting" aria-hidden="true" />
            <p className="status-line" data-testid="pending-status" data-status={view.status}>
              {server(view.messageId)}
            </p>
            <p className="deadline" data-testid="pending-deadline">
              {server('info.review_deadline', { deadline: view.reviewDeadline })}
            </p>
            <p className="hint">{t('pending.working_hours')}</p>
          </>
        );
        break;
      case 'active':
        body = (
          <>
            <div className="status-art ok" aria-hidden="true" />
            <p className="status-line" data-testid="pending-status" data-status={view.status}>
              {server(view.messageId)}
            </p>
            <button
              type="button"
              className="btn primary"
              data-testid="pending-continue"
              onClick={() => navigate('home', { replace: true })}
            >
              {t('common.continue')}
            </button>
          </>
        );
        break;
      case 'rejected':
        body = (
          <>
            <p className="status-line" data-testid="pending-status" data-status={view.status}>
              {server(view.messageId)}
            </p>
            {view.reasonCode ? (
              <p data-testid="pending-reason">
                {t('pending.reason', { reason: server(`reason.${view.reasonCode}`) })}
              </p>
            ) : (
              <p data-testid="pending-reason">{t('pending.reason_sms')}</p>
            )}
            <button
              type="button"
              className="btn primary"
              data-testid="pending-register-again"
              onClick={() => void startOver()}
            >
              {t('pending.register_again')}
            </button>
          </>
        );
        break;
      case 'resubmission_requested':
        body = (
          <>
            <p className="status-line" data-testid="pending-status" data-status={view.status}>
              {server(view.messageId)}
            </p>
            {view.resubmission ? (
              <p className="notice notice-warn" data-testid="pending-part">
                {t('pending.part', { part: server(view.resubmission.messageId) })}
              </p>
            ) : null}
            {redo ? (
              <Resubmission onDone={() => setRedo(false)} />
            ) : (
              <button
                type="button"
                className="btn primary"
                data-testid="pending-resubmit"
                onClick={() => setRedo(true)}
              >
                {t('pending.resubmit')}
              </button>
            )}
          </>
        );
        break;
      default:
        body = (
          <>
            <p className="status-line" data-testid="pending-status" data-status={view.status}>
              {server(view.messageId)}
            </p>
            {view.status === 'locked' ? (
              <button
                type="button"
                className="btn primary"
                data-testid="pending-recover"
                onClick={() => navigate('recover')}
              >
                {t('welcome.existing')}
              </button>
            ) : null}
          </>
        );
    }

  return (
    <ScreenFrame title={t('pending.title')} testId="pending">
      <section className="card status-card" aria-live="polite">
        {body}
      </section>
      <p className="live" data-testid="pending-live" data-connected={connected}>
        {connected
          ? t('pending.live')
          : session.status
            ? t('pending.last_known', { time: dateTime(session.status.at) })
            : t('pending.connecting')}
      </p>
      <button
        type="button"
        className="btn link"
        data-testid="pending-settings"
        onClick={() => navigate('settings')}
      >
        {t('settings.title')}
      </button>
    </ScreenFrame>
  );
}
