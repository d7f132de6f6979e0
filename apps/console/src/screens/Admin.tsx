/**
 * Administration: officer accounts (the TOTP secret shown once), the public-holiday calendar per
 * year (review deadlines count working hours on it), the working hours and thresholds in force,
 * and the relying-party registry (register, suspend/activate, new secret, client-API credentials).
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type Holiday, type OfficerRow, type RelyingParty, type Settings } from '../api';
import { Badge, ErrorText, useT } from '../ui';

const TABS = [
  ['officers', 'admin.officers'],
  ['holidays', 'admin.holidays'],
  ['settings', 'admin.settings'],
  ['relying-parties', 'admin.relying_parties'],
] as const;

export function AdminScreen({ tab, onError }: { tab: string; onError: (error: unknown) => void }) {
  const { t } = useT();
  return (
    <section>
      <h1>{t('admin.title')}</h1>
      <nav className="tabs">
        {TABS.map(([id, label]) => (
          <a key={id} id={`tab-${id}`} href={`#/admin/${id}`} aria-current={tab === id ? 'page' : undefined}>
            {t(label)}
          </a>
        ))}
      </nav>
      {tab === 'holidays' ? (
        <Holidays onError={onError} />
      ) : tab === 'settings' ? (
        <SettingsView onError={onError} />
      ) : tab === 'relying-parties' ? (
        <RelyingParties onError={onError} />
      ) : (
        <Officers onError={onError} />
      )}
    </section>
  );
}

function Officers({ onError }: { onError: (error: unknown) => void }) {
  const { t } = useT();
  const [rows, setRows] = useState<OfficerRow[]>([]);
  const [created, setCreated] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const load = useCallback(
    () =>
      api
        .officers()
        .then((r) => setRows(r.officers))
        .catch((caught: unknown) => {
          setError(caught);
          onError(caught);
        }),
    [onError],
  );
  useEffect(() => void load(), [load]);

  const create = async (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setError(undefined);
    try {
      const result = await api.createOfficer({
        username: String(data.get('username')),
        displayName: String(data.get('displayName')),
        role: String(data.get('role')),
        password: String(data.get('password')),
      });
      setCreated(result.otpauthUri);
      form.reset();
      await load();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <div>
      <table className="grid" id="officers">
        <thead>
          <tr>
            <th>{t('officers.username')}</th>
            <th>{t('officers.display_name')}</th>
            <th>{t('officers.role')}</th>
            <th>{t('officers.status')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr key={o.id}>
              <td>{o.username}</td>
              <td>{o.displayName}</td>
              <td>{t(`role.${o.role}` as 'role.officer')}</td>
              <td>
                {t(o.status === 'active' ? 'status.active' : 'status.disabled')}
                {o.locked && <Badge tone="bad">{t('officers.locked')}</Badge>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="stack" onSubmit={create} id="create-officer">
        <label>
          {t('officers.username')}
          <input name="username" required pattern="[A-Za-z0-9._\-]{3,40}" />
        </label>
        <label>
          {t('officers.display_name')}
          <input name="displayName" required minLength={2} maxLength={120} />
        </label>
        <label>
          {t('officers.role')}
          <select name="role" defaultValue="officer">
            <option value="officer">{t('role.officer')}</option>
            <option value="supervisor">{t('role.supervisor')}</option>
            <option value="administrator">{t('role.administrator')}</option>
          </select>
        </label>
        <label>
          {t('officers.password')}
          <input
            name="password"
            type="password"
            required
            minLength={12}
            maxLength={200}
            autoComplete="new-password"
          />
        </label>
        <ErrorText error={error} />
        <button type="submit" className="primary">
          {t('officers.create')}
        </button>
      </form>
      {created && (
        <div className="notice" role="status" id="otpauth">
          <p>{t('officers.created_once')}</p>
          <code>{created}</code>
          <button type="button" onClick={() => setCreated(undefined)}>
            {t('common.close')}
          </button>
        </div>
      )}
    </div>
  );
}

function Holidays({ onError }: { onError: (error: unknown) => void }) {
  const { t } = useT();
  const [year, setYear] = useState(new Date().getFullYear());
  const [rows, setRows] = useState<(Holiday & { row: number })[]>([]);
  const [saved, setSaved] = useState(false);
  const [next, setNext] = useState(0);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setSaved(false);
    api
      .holidays(year)
      .then((r) => {
        setRows(r.holidays.map((h, i) => ({ ...h, row: i })));
        setNext(r.holidays.length);
      })
      .catch((caught: unknown) => {
        setError(caught);
        onError(caught);
      });
  }, [year, onError]);
  const update = (i: number, patch: Partial<Holiday>) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const save = async () => {
    setError(undefined);
    try {
      await api.saveHolidays(
        year,
        rows.map(({ date, nameKm, nameEn }) => ({ date, nameKm, nameEn })),
      );
      setSaved(true);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <div>
      <label>
        {t('holidays.year')}
        <input
          type="number"
          min={2000}
          max={2100}
          value={year}
          onChange={(e) => setYear(Number(e.target.value))}
        />
      </label>
      <table className="grid" id="holidays">
        <thead>
          <tr>
            <th>{t('holidays.date')}</th>
            <th>{t('holidays.name_km')}</th>
            <th>{t('holidays.name_en')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((h) => (
            <tr key={h.row}>
              <td>
                <input type="date" value={h.date} onChange={(e) => update(h.row, { date: e.target.value })} />
              </td>
              <td>
                <input
                  lang="km"
                  value={h.nameKm}
                  onChange={(e) => update(h.row, { nameKm: e.target.value })}
                />
              </td>
              <td>
                <input value={h.nameEn} onChange={(e) => update(h.row, { nameEn: e.target.value })} />
              </td>
              <td>
                <button type="button" onClick={() => setRows(rows.filter((r) => r.row !== h.row))}>
                  {t('holidays.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        onClick={() => {
          setRows([...rows, { date: `${year}-01-01`, nameKm: '', nameEn: '', row: next }]);
          setNext(next + 1);
        }}
      >
        {t('holidays.add')}
      </button>{' '}
      <button type="button" className="primary" onClick={save}>
        {t('common.save')}
      </button>
      <ErrorText error={error} />
      {saved && (
        <p className="notice" role="status">
          {t('holidays.saved')}
        </p>
      )}
    </div>
  );
}

function SettingsView({ onError }: { onError: (error: unknown) => void }) {
  const { t } = useT();
  const [settings, setSettings] = useState<Settings | undefined>();
  useEffect(() => {
    api.settings().then(setSettings).catch(onError);
  }, [onError]);
  if (!settings) return <p>{t('common.loading')}</p>;
  return (
    <div id="settings">
      <p className="hint">{t('settings.source')}</p>
      <dl className="facts">
        <dt>{t('settings.sla_hours')}</dt>
        <dd>{settings.slaWorkingHours}</dd>
        <dt>{t('settings.working_days')}</dt>
        <dd>{settings.workingDays.join(', ')}</dd>
        <dt>{t('settings.working_periods')}</dt>
        <dd>{settings.workingPeriods.map((p) => `${p.start}–${p.end}`).join(', ')}</dd>
        <dt>{t('settings.utc_offset')}</dt>
        <dd>{settings.utcOffsetMinutes}</dd>
      </dl>
      <h2>{t('settings.thresholds')}</h2>
      <table className="grid">
        <tbody>
          {Object.entries(settings.thresholds).map(([key, value]) => (
            <tr key={key}>
              <th scope="row">
                <code>{key}</code>
              </th>
              <td>{String(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function download(name: string, base64: string) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/x-pkcs12' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

function RelyingParties({ onError }: { onError: (error: unknown) => void }) {
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
        appName: String(d.get('appName')),
        ...(d.get('appNameKm') ? { appNameKm: String(d.get('appNameKm')) } : {}),
        domain: String(d.get('domain')),
        redirectUris: String(d.get('redirectUris'))
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean),
        allowedScopes: ['openid', 'profile'],
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
          <dl className="facts">
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
                  onClick={() =>
                    run(() =>
                      api.setRelyingPartyStatus(rp.clientId, rp.status === 'active' ? 'suspended' : 'active'),
                    )
                  }
                >
                  {t(rp.status === 'active' ? 'rp.suspend' : 'rp.activate')}
                </button>
                <button
                  type="button"
                  onClick={() =>
                    run(async () => setSecret((await api.rotateSecret(rp.clientId)).clientSecret))
                  }
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
      <form className="stack" onSubmit={create} id="create-rp">
        <label>
          {t('rp.organisation')}
          <input name="organisation" required minLength={2} maxLength={200} />
        </label>
        <label>
          {t('rp.app_name')}
          <input name="appName" required minLength={2} maxLength={120} />
        </label>
        <label>
          {t('rp.app_name_km')}
          <input name="appNameKm" lang="km" maxLength={120} />
        </label>
        <label>
          {t('rp.domain')}
          <input name="domain" required pattern="[A-Za-z0-9.\-]+(:\d+)?" />
        </label>
        <label>
          {t('rp.redirect_uris')}
          <textarea name="redirectUris" required />
        </label>
        <button type="submit" className="primary">
          {t('rp.create')}
        </button>
      </form>
    </div>
  );
}
