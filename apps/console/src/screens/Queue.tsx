/**
 * The review queue, ordered by working-hours deadline: time left, SLA badges and counts, filters,
 * who holds each case, and "open the oldest case". Opening claims the case first (the server
 * answers 409 when another officer holds it, and the message is shown). Refreshed every 30 s.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type Officer, type QueueCase } from '../api';
import { Badge, ErrorText, FLAG_KEYS, SLA_TONE, useFormat, useLabel, useT } from '../ui';

const POLL_MS = 30_000;

export function QueueScreen({
  officer,
  notice,
  onOpen,
  onError,
}: {
  officer: Officer;
  notice: string | undefined;
  onOpen: (accountId: string) => void;
  onError: (error: unknown) => void;
}) {
  const { t } = useT();
  const f = useFormat();
  const label = useLabel();
  const [filter, setFilter] = useState({ documentType: '', nationality: '', flag: '' });
  const [cases, setCases] = useState<QueueCase[] | undefined>();
  const [error, setError] = useState<unknown>();

  const load = useCallback(async () => {
    try {
      setCases((await api.queue(filter)).cases);
      setError(undefined);
    } catch (caught) {
      setError(caught);
      onError(caught);
    }
  }, [filter, onError]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [load]);

  const open = async (accountId: string) => {
    try {
      await api.claim(accountId);
      onOpen(accountId);
    } catch (caught) {
      setError(caught);
      onError(caught);
    }
  };

  const oldest = cases?.find((c) => !c.claimedBy || c.claimedBy === officer.id);
  const count = (sla: string) => cases?.filter((c) => c.sla === sla).length ?? 0;

  return (
    <section>
      <h1>{t('queue.title')}</h1>
      {notice && (
        <p className="notice" role="status" id="notice">
          {notice}
        </p>
      )}
      <div className="toolbar">
        <label>
          {t('queue.filter.document_type')}
          <select
            id="filter-document"
            value={filter.documentType}
            onChange={(e) => setFilter({ ...filter, documentType: e.target.value })}
          >
            <option value="">{t('queue.filter.all')}</option>
            <option value="id_card">{t('doc.id_card')}</option>
            <option value="passport">{t('doc.passport')}</option>
          </select>
        </label>
        <label>
          {t('queue.filter.nationality')}
          <input
            id="filter-nationality"
            value={filter.nationality}
            maxLength={3}
            onChange={(e) => {
              const v = e.target.value.toUpperCase();
              if (v === '' || /^[A-Z]{3}$/.test(v)) setFilter({ ...filter, nationality: v });
            }}
          />
        </label>
        <label>
          {t('queue.filter.flag')}
          <select
            id="filter-flag"
            value={filter.flag}
            onChange={(e) => setFilter({ ...filter, flag: e.target.value })}
          >
            <option value="">{t('queue.filter.all')}</option>
            {Object.entries(FLAG_KEYS).map(([flag, key]) => (
              <option key={flag} value={flag}>
                {t(key)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
        <button
          type="button"
          id="open-oldest"
          className="primary"
          disabled={!oldest}
          onClick={() => oldest && open(oldest.accountId)}
        >
          {t('queue.open_oldest')}
        </button>
      </div>
      <ErrorText error={error} />
      {cases === undefined ? (
        <p>{t('common.loading')}</p>
      ) : cases.length === 0 ? (
        <p id="queue-empty">{t('queue.empty')}</p>
      ) : (
        <>
          <p id="queue-counts">
            {t('queue.counts', {
              total: cases.length,
              atRisk: count('at_risk'),
              breached: count('breached'),
            })}
          </p>
          <table className="grid" id="queue">
            <thead>
              <tr>
                <th>{t('queue.col.submitted')}</th>
                <th>{t('queue.col.document')}</th>
                <th>{t('queue.col.nationality')}</th>
                <th>{t('queue.col.flags')}</th>
                <th>{t('queue.col.time_left')}</th>
                <th>{t('queue.col.sla')}</th>
                <th>{t('queue.col.claimed')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {cases.map((c) => (
                <tr key={c.accountId} data-account={c.accountId}>
                  <td>{f.dateTime(c.submittedAt)}</td>
                  <td>{label(`doc.${c.documentType}`, c.documentType)}</td>
                  <td>{c.nationality}</td>
                  <td>
                    {c.flags
                      .map((flag) => (typeof flag === 'string' ? flag : flag.type))
                      .map((type) => (
                        <Badge key={type} tone="warn">
                          {label(`flag.${type}`, type)}
                        </Badge>
                      ))}
                  </td>
                  <td className="time-left">{f.workingTime(c.workingMsLeft)}</td>
                  <td>
                    <Badge tone={SLA_TONE[c.sla] ?? 'ok'}>{t(`sla.${c.sla}`)}</Badge>
                  </td>
                  <td>
                    {c.claimedBy
                      ? t(c.claimedBy === officer.id ? 'queue.claimed_by_me' : 'queue.claimed_by_other')
                      : t('common.none')}
                  </td>
                  <td>
                    <button type="button" onClick={() => open(c.accountId)}>
                      {t('queue.open')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
