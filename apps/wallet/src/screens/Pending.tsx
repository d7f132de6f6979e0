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
import { Icon } from '../ui/Icon';
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

  /** What the status adds under its line: the deadline, the way on, the reason, the part to redo. */
  const details = (status: NonNullable<typeof view>): React.ReactNode => {
    switch (status.status) {
      case 'pending_review':
        return (
          <>
            <p className="deadline" data-testid="pending-deadline">
              {server('info.review_deadline', { deadline: status.reviewDeadline })}
            </p>
            <p className="hint">{t('pending.working_hours')}</p>
          </>
        );
      case 'active':
        return (
          <button
            type="button"
            className="btn primary"
            data-testid="pending-continue"
            onClick={() => navigate('home', { replace: true })}
          >
            {t('common.continue')}
          </button>
        );
      case 'rejected':
        return (
          <>
            <p data-testid="pending-reason">
              {status.reasonCode
                ? t('pending.reason', { reason: server(`reason.${status.reasonCode}`) })
                : t('pending.reason_sms')}
            </p>
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
      case 'resubmission_requested':
        return (
          <>
            {status.resubmission ? (
              <p className="notice notice-warn" data-testid="pending-part">
                {t('pending.part', { part: server(status.resubmission.messageId) })}
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
      case 'locked':
        return (
          <button
            type="button"
            className="btn primary"
            data-testid="pending-recover"
            onClick={() => navigate('recover')}
          >
            {t('welcome.existing')}
          </button>
        );
      default:
        return null;
    }
  };
  const art = view?.status === 'pending_review' ? 'waiting' : view?.status === 'active' ? 'ok' : undefined;
  const artIcon = art === 'ok' ? 'check' : art === 'waiting' ? 'clock' : undefined;

  const body: React.ReactNode = view ? (
    <>
      {art && artIcon ? (
        <div className={`status-art ${art}`}>
          <Icon name={artIcon} size={56} />
        </div>
      ) : null}
      <p className="status-line" data-testid="pending-status" data-status={view.status}>
        {server(view.messageId)}
      </p>
      {details(view)}
    </>
  ) : (
    <Notice>{t('pending.unknown')}</Notice>
  );

  // The header says what the card says (never "Waiting" over "Your account is active").
  const title = t(
    view?.status === 'active'
      ? 'pending.title_active'
      : view?.status === 'rejected'
        ? 'pending.title_rejected'
        : view?.status === 'resubmission_requested'
          ? 'pending.title_resubmission'
          : view?.status === 'locked'
            ? 'pending.title_locked'
            : view?.status === 'suspended'
              ? 'pending.title_suspended'
              : 'pending.title',
  );

  return (
    <ScreenFrame title={title} testId="pending">
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
