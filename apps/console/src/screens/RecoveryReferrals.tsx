/**
 * Recoveries the app could not complete (too many failed face checks in a day, a recovery the
 * owner disputed, no enrolled face): the officer sees the citizen in person with the document,
 * then allows another try in the app or refuses (a refusal needs a note). Each row shows the
 * failed attempts with their outcome and scores.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type RecoveryReferral } from '../api';
import type { MessageKey } from '../i18n';
import { ErrorText, useFormat, useT } from '../ui';

export function RecoveryReferralsScreen({ onError }: { onError: (error: unknown) => void }) {
  const { t } = useT();
  const f = useFormat();
  const [items, setItems] = useState<RecoveryReferral[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | undefined>();
  const load = useCallback(async () => {
    try {
      setItems((await api.recoveryReferrals()).referrals);
    } catch (caught) {
      setError(caught);
      onError(caught);
    }
  }, [onError]);
  useEffect(() => void load(), [load]);

  const resolve = async (id: string, decision: 'retry_allowed' | 'refused') => {
    setError(undefined);
    setDone(undefined);
    try {
      await api.resolveReferral(id, decision, notes[id]?.trim() ?? '');
      setDone(t(decision === 'retry_allowed' ? 'rr.done_retry' : 'rr.done_refused'));
      await load();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section>
      <h1>{t('rr.title')}</h1>
      <p>{t('rr.intro')}</p>
      <div aria-live="polite">
        <ErrorText error={error} />
        {done && (
          <p className="notice" role="status" id="rr-done">
            {done}
          </p>
        )}
      </div>
      {items === undefined ? (
        <p>{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p id="rr-empty">{t('rr.empty')}</p>
      ) : (
        <table className="grid" id="recovery-referrals">
          <thead>
            <tr>
              <th>{t('rr.col.citizen')}</th>
              <th>{t('rr.col.document')}</th>
              <th>{t('rr.col.reason')}</th>
              <th>{t('rr.col.attempts')}</th>
              <th>{t('rr.col.when')}</th>
              <th>{t('rr.col.decision')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id} data-account={item.accountId}>
                <td>
                  <span lang="km">{item.name.khmer}</span>
                  <br />
                  {item.name.latin}
                  <br />
                  <span className="muted">{item.phone}</span>
                </td>
                <td>
                  {t(`doc.${item.document.type}` as MessageKey)} …{item.document.numberHint}
                </td>
                <td>{t(`rr.reason.${item.reason}` as MessageKey)}</td>
                <td>
                  <ul className="plain">
                    {item.attempts.map((a) => (
                      <li key={a.at}>
                        {f.dateTime(a.at)}: {t(`rr.outcome.${a.outcome}` as MessageKey)}
                        {typeof a.details.selfieSimilarity === 'number' &&
                          ` (${f.score(a.details.selfieSimilarity as number)})`}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>{f.dateTime(item.createdAt)}</td>
                <td>
                  <label>
                    {t('rr.note')}
                    <textarea
                      rows={2}
                      value={notes[item.id] ?? ''}
                      onChange={(e) => setNotes({ ...notes, [item.id]: e.target.value })}
                    />
                  </label>
                  <button type="button" className="primary" onClick={() => resolve(item.id, 'retry_allowed')}>
                    {t('rr.allow')}
                  </button>{' '}
                  <button
                    type="button"
                    className="danger"
                    disabled={!notes[item.id]?.trim()}
                    onClick={() => resolve(item.id, 'refused')}
                  >
                    {t('rr.refuse')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
