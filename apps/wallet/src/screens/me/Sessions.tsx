/**
 * "Me" → active sessions (accounts/sessions.routes.ts): the websites and services signed in
 * through CamDigiKey, since when and how; sign out of one, or everywhere. Signing out also tells
 * each service (OpenID Connect back-channel logout). The list is asked again after each sign-out.
 */
import { useCallback, useEffect, useState } from 'react';
import { deviceApi, type SsoSession } from '../../api/device-api';
import { ErrorBox, Loading, Notice, rpName } from '../../ui/components';
import { useT } from '../../ui/use-t';
import { sessionMethod, sessionSites, sortSessions } from './account-lists';

export function SessionsSection() {
  const { t, lang, dateTime } = useT();
  const [sessions, setSessions] = useState<SsoSession[]>();
  const [error, setError] = useState<unknown>();
  /** The session being signed out, or `all`. */
  const [busy, setBusy] = useState<string>();
  const [done, setDone] = useState<{ all: boolean; ended: number }>();

  const load = useCallback(async () => {
    try {
      const answer = await deviceApi.sessions();
      setSessions(sortSessions(answer.sessions));
    } catch (caught) {
      setError(caught);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const signOut = async (uid: string | undefined) => {
    setBusy(uid ?? 'all');
    setError(undefined);
    setDone(undefined);
    try {
      const answer = uid ? await deviceApi.endSession(uid) : await deviceApi.endAllSessions();
      setDone({ all: uid === undefined, ended: answer.ended });
    } catch (caught) {
      setError(caught);
    } finally {
      await load();
      setBusy(undefined);
    }
  };

  if (!sessions && !error) return <Loading />;
  return (
    <div>
      <p className="hint">{t('me.sessions.explain')}</p>
      {done ? (
        <Notice tone="ok" testId="sessions-done">
          {done.all ? t('me.sessions.signed_out_all', { count: done.ended }) : t('me.sessions.signed_out')}
        </Notice>
      ) : null}
      <ErrorBox error={error} testId="sessions-error" />
      {!sessions ? (
        <button
          type="button"
          className="btn secondary"
          data-testid="sessions-retry"
          onClick={() => {
            setError(undefined);
            void load();
          }}
        >
          {t('common.retry')}
        </button>
      ) : null}
      {sessions?.length === 0 ? (
        <p className="empty" data-testid="sessions-empty">
          {t('me.sessions.empty')}
        </p>
      ) : null}
      <ul className="connections" data-testid="sessions-list">
        {sessions?.map((session) => {
          const method = sessionMethod(session.amr);
          const sites = sessionSites(session);
          return (
            <li key={session.id} className="card" data-testid={`session-${session.id}`}>
              {sites.length === 0 ? <p className="rp-name">{t('me.sessions.unnamed')}</p> : null}
              {sites.map((site) => (
                <div key={site.clientId} data-testid="session-site">
                  <p className="rp-name">{rpName(site, lang) || site.clientId}</p>
                  {site.domain ? <p className="rp-domain">{site.domain}</p> : null}
                </div>
              ))}
              <dl className="facts">
                {session.startedAt ? (
                  <div className="row">
                    <dt>{t('me.sessions.since')}</dt>
                    <dd data-testid="session-since">{dateTime(session.startedAt)}</dd>
                  </div>
                ) : null}
                {session.expiresAt ? (
                  <div className="row">
                    <dt>{t('me.sessions.until')}</dt>
                    <dd>{dateTime(session.expiresAt)}</dd>
                  </div>
                ) : null}
              </dl>
              {method ? (
                <p className="hint">
                  {method === 'face_id' ? t('me.sessions.method_face_id') : t('me.sessions.method_pin')}
                </p>
              ) : null}
              {session.thisDevice ? <span className="tag">{t('me.sessions.this_phone')}</span> : null}
              <button
                type="button"
                className="btn secondary"
                data-testid={`session-signout-${session.id}`}
                disabled={busy !== undefined}
                onClick={() => void signOut(session.id)}
              >
                {busy === session.id ? t('common.loading') : t('me.sessions.sign_out')}
              </button>
            </li>
          );
        })}
      </ul>
      {sessions && sessions.length > 0 ? (
        <button
          type="button"
          className="btn danger"
          data-testid="sessions-signout-all"
          disabled={busy !== undefined}
          onClick={() => void signOut(undefined)}
        >
          {busy === 'all' ? t('common.loading') : t('me.sessions.sign_out_all')}
        </button>
      ) : null}
    </div>
  );
}
