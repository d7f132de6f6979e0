/**
 * The working calendar, the SLA and the face and liveness thresholds in force. They are server
 * configuration (FACE_MATCH_THRESHOLD, …; docs/configuration.md): a change goes through a reviewed
 * deployment and every evidence row records the thresholds it was judged with, so the console shows
 * them and does not edit them. Labels come from the catalogue; unknown keys show as they are.
 */
import { useEffect, useState } from 'react';
import { api, type Settings } from '../api';
import { ErrorText, useLabel, useT } from '../ui';

export function SettingsView({ onError }: { onError: (error: unknown) => void }) {
  const { t, n } = useT();
  const label = useLabel();
  const [settings, setSettings] = useState<Settings | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api
      .settings()
      .then(setSettings)
      .catch((caught: unknown) => {
        setError(caught);
        onError(caught);
      });
  }, [onError]);
  if (!settings) return error ? <ErrorText error={error} /> : <p>{t('common.loading')}</p>;

  return (
    <div id="settings">
      <dl className="facts">
        <dt>{t('settings.sla_hours')}</dt>
        <dd>{n(settings.slaWorkingHours)}</dd>
        {settings.workingDays && (
          <>
            <dt>{t('settings.working_days')}</dt>
            <dd>{settings.workingDays.map((d) => label(`day.${d}`, String(d))).join(', ')}</dd>
          </>
        )}
        <dt>{t('settings.working_periods')}</dt>
        <dd>
          {(
            settings.workingPeriods ??
            (settings.workingHours
              ? settings.workingHours.lunch
                ? [
                    { start: settings.workingHours.start, end: settings.workingHours.lunch.start },
                    { start: settings.workingHours.lunch.end, end: settings.workingHours.end },
                  ]
                : [settings.workingHours]
              : [])
          )
            .map((p) => n(`${p.start}–${p.end}`))
            .join(', ')}
        </dd>
        {settings.utcOffsetMinutes !== undefined && (
          <>
            <dt>{t('settings.utc_offset')}</dt>
            <dd>{n(settings.utcOffsetMinutes)}</dd>
          </>
        )}
        {settings.workingHours?.timeZone && (
          <>
            <dt>{t('settings.time_zone')}</dt>
            <dd>{settings.workingHours.timeZone}</dd>
          </>
        )}
      </dl>
      <h2>{t('settings.thresholds')}</h2>
      <table className="grid" id="thresholds">
        <tbody>
          {Object.entries(settings.thresholds).map(([key, value]) => (
            <tr key={key} data-threshold={key}>
              <th scope="row">
                {label(`threshold.${key}`, key)} <code className="muted">{key}</code>
              </th>
              <td id={`threshold-${key}`}>{n(String(value))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint" id="settings-source">
        {t('settings.source')}
      </p>
    </div>
  );
}
