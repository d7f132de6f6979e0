/** "Me" → notifications: Web Push for requests and security notices, on or off. */
import { useEffect, useState } from 'react';
import { disablePush, enablePush, pushSupported } from '../../pwa/push';
import { appState } from '../../storage/app-state';
import { ErrorBox, Notice } from '../../ui/components';
import { useT } from '../../ui/use-t';

export function NotificationsSection() {
  const { t } = useT();
  const [on, setOn] = useState<boolean>();
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    void appState.push().then((p) => setOn(p?.subscribed ?? false));
  }, []);
  if (!pushSupported()) return <Notice tone="warn">{t('me.push.unsupported')}</Notice>;
  return (
    <div>
      <p data-testid="push-state" data-on={on === true}>
        {on ? t('me.push.on') : t('me.push.off')}
      </p>
      <button
        type="button"
        className="btn secondary"
        data-testid="me-push-toggle"
        onClick={async () => {
          setError(undefined);
          setResult(undefined);
          try {
            if (on) {
              await disablePush();
              setOn(false);
            } else {
              const outcome = await enablePush();
              setOn(outcome === 'on');
              if (outcome !== 'on') setResult(outcome);
            }
          } catch (caught) {
            setError(caught);
          }
        }}
      >
        {on ? t('me.push.turn_off') : t('me.push.turn_on')}
      </button>
      {result === 'denied' ? <Notice tone="warn">{t('home.push_denied')}</Notice> : null}
      <ErrorBox error={error} />
    </div>
  );
}
