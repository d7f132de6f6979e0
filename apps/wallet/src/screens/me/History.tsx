/** "Me" → login history (accounts/me.routes.ts): logins, approvals, data released, security events. */

import i18next from 'i18next';
import { useEffect, useState } from 'react';
import { deviceApi, type HistoryEvent } from '../../api/device-api';
import type { AppKey } from '../../i18n';
import { ErrorBox, Loading } from '../../ui/components';
import { useT } from '../../ui/use-t';

/** The label of an audit action, or a generic one for an action this version does not know. */
export const historyKey = (action: string): AppKey => {
  const key = `history.${action}`;
  return (i18next.exists(key) ? key : 'history.other') as AppKey;
};

export function HistorySection() {
  const { t, dateTime } = useT();
  const [events, setEvents] = useState<HistoryEvent[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    deviceApi
      .history()
      .then((answer) => setEvents(answer.events))
      .catch(setError);
  }, []);
  if (error) return <ErrorBox error={error} />;
  if (!events) return <Loading />;
  if (events.length === 0) return <p className="empty">{t('me.history.empty')}</p>;
  const seen = new Map<string, number>();
  const keyed = events.slice(0, 100).map((event) => {
    const base = `${event.at}-${event.action}-${event.clientId ?? ''}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return { event, key: `${base}-${count}` };
  });
  return (
    <ol className="history" data-testid="history-list">
      {keyed.map(({ event, key }) => (
        <li key={key} data-testid="history-item" data-action={event.action}>
          <span className="what">{t(historyKey(event.action), { action: event.action })}</span>
          {event.clientId ? <span className="who"> · {event.clientId}</span> : null}
          <span className="when">{dateTime(event.at)}</span>
          {event.thisDevice ? <span className="tag">{t('me.history.this_phone')}</span> : null}
        </li>
      ))}
    </ol>
  );
}
