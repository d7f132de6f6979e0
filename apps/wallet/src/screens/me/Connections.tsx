/**
 * "Me" → connected services (accounts/connections.routes.ts): every service holding a consent or
 * a live token, with the data it may receive; "Disconnect" revokes it (its next login asks again).
 */
import { useEffect, useState } from 'react';
import { type Connection, deviceApi } from '../../api/device-api';
import { ErrorBox, Loading, rpName } from '../../ui/components';
import { useT } from '../../ui/use-t';

export function ConnectionsSection() {
  const { t, lang, server } = useT();
  const [connections, setConnections] = useState<Connection[]>();
  const [error, setError] = useState<unknown>();
  const [confirm, setConfirm] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    deviceApi
      .connections()
      .then((answer) => setConnections(answer.connections))
      .catch(setError);
  }, []);

  const revoke = async (clientId: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await deviceApi.revokeConnection(clientId);
      setConnections((list) => list?.filter((c) => c.clientId !== clientId));
      setConfirm(undefined);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (!connections && !error) return <Loading />;
  return (
    <div>
      <ErrorBox error={error} />
      {connections?.length === 0 ? <p className="empty">{t('me.connections.empty')}</p> : null}
      <ul className="connections" data-testid="connections-list">
        {connections?.map((c) => (
          <li key={c.clientId} className="card" data-testid={`connection-${c.clientId}`}>
            <p className="rp-name">{rpName(c, lang) || c.clientId}</p>
            <p className="rp-domain">{c.domain ?? ''}</p>
            {c.scopes.length > 0 ? (
              <ul className="claims">
                {c.scopes.map((scope) => (
                  <li key={scope}>{server(`claim.${scope}`) || scope}</li>
                ))}
              </ul>
            ) : null}
            {confirm === c.clientId ? (
              <div className="decision">
                <button type="button" className="btn secondary" onClick={() => setConfirm(undefined)}>
                  {t('common.cancel')}
                </button>
                <button
                  type="button"
                  className="btn danger"
                  data-testid="connection-revoke-confirm"
                  disabled={busy}
                  onClick={() => void revoke(c.clientId)}
                >
                  {t('me.connections.revoke_confirm')}
                </button>
              </div>
            ) : (
              <button
                type="button"
                className="btn secondary"
                data-testid="connection-revoke"
                onClick={() => setConfirm(c.clientId)}
              >
                {t('me.connections.revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
