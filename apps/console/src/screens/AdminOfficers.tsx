/**
 * Officer accounts (administrator): the list, and a new officer with a first password; the TOTP
 * enrolment URI is shown once, to be added to the officer's authenticator app at once.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type OfficerRow } from '../api';
import { Badge, ErrorText, useT } from '../ui';

export function Officers({ onError }: { onError: (error: unknown) => void }) {
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
