/**
 * The relying-party registry (administrator): list with details, register (the client secret is
 * shown once), suspend or activate, rotate the secret (shown once), issue client-API credentials.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type RelyingParty, SCOPES } from '../api';
import { Badge, ErrorText, useFormat, useT } from '../ui';

function download(name: string, base64: string) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/x-pkcs12' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

function RelyingPartyDetails({ rp }: { rp: RelyingParty }) {
  const { t } = useT();
  const f = useFormat();
  const list = (values: string[] | undefined) =>
    values?.length ? (
      <ul className="plain">
        {values.map((v) => (
          <li key={v}>
            <code>{v}</code>
          </li>
        ))}
      </ul>
    ) : (
      t('common.none')
    );
  return (
    <details className="rp-details">
      <summary>{t('rp.details')}</summary>
      <dl className="facts">
        <dt>{t('rp.redirect_uris')}</dt>
        <dd>{list(rp.redirectUris)}</dd>
        <dt>{t('rp.post_logout_uris')}</dt>
        <dd>{list(rp.postLogoutRedirectUris)}</dd>
        <dt>{t('rp.scopes')}</dt>
        <dd>{list(rp.allowedScopes)}</dd>
        <dt>{t('rp.auth_method')}</dt>
        <dd>
          <code>{rp.tokenEndpointAuthMethod ?? t('common.none')}</code>
        </dd>
        <dt>{t('rp.subject_type')}</dt>
        <dd>
          <code>{rp.subjectType ?? t('common.none')}</code>
        </dd>
        <dt>{t('rp.created')}</dt>
        <dd>{f.dateTime(rp.createdAt)}</dd>
      </dl>
    </details>
  );
}

export function RelyingParties({ onError }: { onError: (error: unknown) => void }) {
  const { t } = useT();
  const [rows, setRows] = useState<RelyingParty[]>([]);
  const [secret, setSecret] = useState<string | undefined>();
  const [issued, setIssued] = useState<Awaited<ReturnType<typeof api.issueClientApi>> | undefined>();
  const [error, setError] = useState<unknown>();
  const load = useCallback(
    () =>
      api
        .relyingParties()
        .then((r) => setRows(r.relyingParties))
        .catch((caught: unknown) => {
          setError(caught);
          onError(caught);
        }),
    [onError],
  );
  useEffect(() => void load(), [load]);
  const run = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
      await load();
    } catch (caught) {
      setError(caught);
    }
  };

  const create = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const d = new FormData(form);
    void run(async () => {
      const created = await api.createRelyingParty({
        organisation: String(d.get('organisation')),
        ...(d.get('organisationKm') ? { organisationKm: String(d.get('organisationKm')) } : {}),
        appName: String(d.get('appName')),
        ...(d.get('appNameKm') ? { appNameKm: String(d.get('appNameKm')) } : {}),
        ...(d.get('logoUrl') ? { logoUrl: String(d.get('logoUrl')) } : {}),
        domain: String(d.get('domain')),
        redirectUris: String(d.get('redirectUris'))
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean),
        allowedScopes: d.getAll('scope').map(String),
      });
      if (created.clientSecret) setSecret(created.clientSecret);
      form.reset();
    });
  };

  return (
    <div>
      <ErrorText error={error} />
      {secret && (
        <p className="notice" role="status" id="rp-secret">
          {t('rp.secret_once', { secret })}
        </p>
      )}
      {issued && (
        <div className="notice" role="status" id="client-api-issued">
          <p>{t('rp.client_api_once')}</p>
          <p id="client-api-files">{t('rp.client_api_files')}</p>
          <dl className="facts">
            <dt>CAMDIGIKEY_SERVER_BASED_URL</dt>
            <dd>
              <code id="client-api-server-url">{issued.serverUrl}</code>
            </dd>
            <dt>CAMDIGIKEY_CLIENT_DOMAIN</dt>
            <dd>
              <code>{issued.domain}</code>
            </dd>
            <dt>CAMDIGIKEY_CLIENT_ID</dt>
            <dd>
              <code>{issued.clientId}</code>
            </dd>
            <dt>CAMDIGIKEY_HMAC_KEY</dt>
            <dd>
              <code>{issued.hmacKey}</code>
            </dd>
            <dt>CAMDIGIKEY_AES_SECRET_KEY</dt>
            <dd>
              <code>{issued.secretKey}</code>
            </dd>
            <dt>CAMDIGIKEY_AES_IV_PARAMS</dt>
            <dd>
              <code>{issued.ivParam}</code>
            </dd>
            <dt>CAMDIGIKEY_CLIENT_KEYSTORE_FILE_PASSWORD</dt>
            <dd>
              <code>{issued.keystore.password}</code>
            </dd>
            <dt>CAMDIGIKEY_CLIENT_TRUST_STORE_FILE_PASSWORD</dt>
            <dd>
              <code>{issued.truststore.password}</code>
            </dd>
          </dl>
          <button type="button" onClick={() => download(issued.keystore.fileName, issued.keystore.base64)}>
            {t('rp.download_keystore')}
          </button>{' '}
          <button
            type="button"
            onClick={() => download(issued.truststore.fileName, issued.truststore.base64)}
          >
            {t('rp.download_truststore')}
          </button>{' '}
          <button type="button" onClick={() => setIssued(undefined)}>
            {t('common.close')}
          </button>
        </div>
      )}
      <table className="grid" id="relying-parties">
        <thead>
          <tr>
            <th>{t('rp.app_name')}</th>
            <th>{t('rp.organisation')}</th>
            <th>{t('rp.domain')}</th>
            <th>{t('rp.client_id')}</th>
            <th>{t('rp.status')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((rp) => (
            <tr key={rp.clientId}>
              <td>
                {rp.appName}
                {rp.appNameKm ? <span lang="km"> · {rp.appNameKm}</span> : null}
                <RelyingPartyDetails rp={rp} />
              </td>
              <td>{rp.organisation}</td>
              <td>{rp.domain}</td>
              <td>
                <code>{rp.clientId}</code>
              </td>
              <td>
                <Badge tone={rp.status === 'active' ? 'ok' : 'bad'}>
                  {t(rp.status === 'active' ? 'status.active' : 'status.suspended')}
                </Badge>
              </td>
              <td className="actions">
                <button
                  type="button"
                  onClick={() => {
                    if (rp.status === 'active' && !window.confirm(t('rp.confirm_suspend'))) return;
                    void run(() =>
                      api.setRelyingPartyStatus(rp.clientId, rp.status === 'active' ? 'suspended' : 'active'),
                    );
                  }}
                >
                  {t(rp.status === 'active' ? 'rp.suspend' : 'rp.activate')}
                </button>
                <button
                  type="button"
                  onClick={() => {
                    if (!window.confirm(t('rp.confirm_rotate'))) return;
                    void run(async () => setSecret((await api.rotateSecret(rp.clientId)).clientSecret));
                  }}
                >
                  {t('rp.rotate_secret')}
                </button>
                <button
                  type="button"
                  onClick={() => {
                    const success = window.prompt(
                      t('rp.success_callback'),
                      `https://${rp.domain}/camdigikey/callback`,
                    );
                    const failure =
                      success &&
                      window.prompt(t('rp.error_callback'), `https://${rp.domain}/camdigikey/fallback`);
                    if (success && failure)
                      void run(async () =>
                        setIssued(
                          await api.issueClientApi(rp.clientId, {
                            successCallbackUrl: success,
                            errorCallbackUrl: failure,
                          }),
                        ),
                      );
                  }}
                >
                  {t('rp.issue_client_api')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {/* The Khmer names are required here: the Khmer app and login pages show them (issue 16, item 8). */}
      <form className="stack" onSubmit={create} id="create-rp">
        <label>
          {t('rp.organisation')}
          <input name="organisation" required minLength={2} maxLength={200} />
        </label>
        <label>
          {t('rp.organisation_km')}
          <input name="organisationKm" lang="km" required minLength={2} maxLength={200} />
        </label>
        <label>
          {t('rp.app_name')}
          <input name="appName" required minLength={2} maxLength={120} />
        </label>
        <label>
          {t('rp.app_name_km')}
          <input name="appNameKm" lang="km" required maxLength={120} />
        </label>
        <label>
          {t('rp.logo')}
          <input name="logoUrl" maxLength={90000} placeholder="data:image/png;base64,… | https://…" />
        </label>
        <label>
          {t('rp.domain')}
          <input name="domain" required pattern="[A-Za-z0-9.\-]+(:\d+)?" />
        </label>
        <label>
          {t('rp.redirect_uris')}
          <textarea name="redirectUris" required />
        </label>
        <fieldset>
          <legend>{t('rp.scopes')}</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="choice">
              <input
                type="checkbox"
                name="scope"
                value={scope}
                defaultChecked={scope === 'openid' || scope === 'profile'}
                disabled={scope === 'openid'}
              />
              <code>{scope}</code>
            </label>
          ))}
          <input type="hidden" name="scope" value="openid" />
        </fieldset>
        <button type="submit" className="primary">
          {t('rp.create')}
        </button>
      </form>
    </div>
  );
}
