/**
 * The public-holiday calendar per year (administrator). Review deadlines count working hours on
 * it, so a change applies to every deadline computed afterwards.
 */
import { useEffect, useState } from 'react';
import { api, type Holiday } from '../api';
import { ErrorText, useT } from '../ui';

export function Holidays({ onError }: { onError: (error: unknown) => void }) {
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
