/**
 * The supervisor's dashboard (supervisors and administrators; the server refuses others): SLA
 * tiles, decisions and the median working time to decision per day as CSS bars, each officer's
 * workload, and a random sample of recent approvals to re-check (links open the case read-only).
 */
import { useEffect, useState } from 'react';
import { api, type Dashboard } from '../api';
import { ErrorText, useFormat, useT } from '../ui';

export function DashboardScreen({ onError }: { onError: (error: unknown) => void }) {
  const { t, n } = useT();
  const f = useFormat();
  const [data, setData] = useState<Dashboard | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api
      .dashboard()
      .then(setData)
      .catch((caught: unknown) => {
        setError(caught);
        onError(caught);
      });
  }, [onError]);
  if (!data) return error ? <ErrorText error={error} /> : <p>{t('common.loading')}</p>;
  const most = Math.max(1, ...data.days.map((d) => d.decisions));
  const tiles: [string, number, string][] = [
    ['pending', data.pending, 'neutral'],
    ['on_time', data.onTime, 'ok'],
    ['at_risk', data.atRisk, 'warn'],
    ['breached', data.breached, 'bad'],
  ];
  return (
    <section>
      <h1>{t('dash.title')}</h1>
      <div className="tiles" id="sla-tiles">
        {tiles.map(([key, value, tone]) => (
          <div key={key} className={`tile tile-${tone}`} data-tile={key}>
            <span className="value">{n(value)}</span>
            <span>{t(`dash.${key}` as 'dash.pending')}</span>
          </div>
        ))}
      </div>
      <h2>{t('dash.per_day')}</h2>
      <table className="grid" id="per-day">
        <thead>
          <tr>
            <th>{t('dash.day')}</th>
            <th>{t('dash.decisions')}</th>
            <th>{t('dash.median')}</th>
          </tr>
        </thead>
        <tbody>
          {data.days.map((d) => (
            <tr key={d.day}>
              <td>{f.date(d.day)}</td>
              <td>
                <span
                  className="bar"
                  style={{ width: `${(d.decisions / most) * 100}%` }}
                  aria-hidden="true"
                />{' '}
                {n(d.decisions)}
              </td>
              <td>
                {d.medianWorkingMinutes === null
                  ? t('common.none')
                  : t('dash.minutes', { n: d.medianWorkingMinutes })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('dash.workload')}</h2>
      <table className="grid" id="workload">
        <thead>
          <tr>
            <th>{t('dash.officer')}</th>
            <th>{t('dash.claimed')}</th>
            <th>{t('dash.today')}</th>
            <th>{t('dash.week')}</th>
          </tr>
        </thead>
        <tbody>
          {data.workload.map((w) => (
            <tr key={w.officerId}>
              <td>{w.displayName}</td>
              <td>{n(w.claimed)}</td>
              <td>{n(w.decisionsToday)}</td>
              <td>{n(w.decisions7d)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('dash.sample')}</h2>
      <ul id="approval-sample">
        {data.approvalSample.map((s) => (
          <li key={s.accountId}>
            <a href={`#/cases/${s.accountId}`}>{s.accountId.slice(0, 8)}</a> · {s.officerName} ·{' '}
            {t('dash.decided_at')} {f.dateTime(s.decidedAt)}
          </li>
        ))}
      </ul>
    </section>
  );
}
