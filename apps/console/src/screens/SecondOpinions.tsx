/**
 * Four-eyes: rejections for suspected fraud wait here until a second, different officer confirms
 * or overrules them (each after a confirmation question); the server refuses the first officer.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type SecondOpinion } from '../api';
import type { MessageKey } from '../i18n';
import { ErrorText, useFormat, useT } from '../ui';

export function SecondOpinionsScreen({ onError }: { onError: (error: unknown) => void }) {
  const { t } = useT();
  const f = useFormat();
  const [items, setItems] = useState<SecondOpinion[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [asking, setAsking] = useState<{ id: string; confirm: boolean } | undefined>();
  const [done, setDone] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmButton.current?.focus();
  }, [asking]);
  const load = useCallback(async () => {
    try {
      setItems((await api.secondOpinions()).items);
    } catch (caught) {
      setError(caught);
      onError(caught);
    }
  }, [onError]);
  useEffect(() => void load(), [load]);

  const decide = async (id: string, confirm: boolean) => {
    setError(undefined);
    setDone(false);
    setAsking(undefined);
    try {
      await api.secondOpinion(id, confirm);
      setDone(true);
      await load();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section>
      <h1>{t('so.title')}</h1>
      <div aria-live="polite">
        <ErrorText error={error} />
        {done && (
          <p className="notice" role="status" id="so-done">
            {t('so.done')}
          </p>
        )}
      </div>
      {asking && (
        <div className="confirm" role="alertdialog" aria-labelledby="so-question">
          <p id="so-question">{t(asking.confirm ? 'so.confirm_question' : 'so.overrule_question')}</p>
          <button
            type="button"
            id="so-confirm"
            ref={confirmButton}
            className={asking.confirm ? 'danger' : 'primary'}
            onClick={() => decide(asking.id, asking.confirm)}
          >
            {t('common.confirm')}
          </button>{' '}
          <button type="button" onClick={() => setAsking(undefined)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      {items === undefined ? (
        <p>{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p>{t('so.empty')}</p>
      ) : (
        <table className="grid" id="second-opinions">
          <thead>
            <tr>
              <th>{t('so.col.case')}</th>
              <th>{t('so.col.officer')}</th>
              <th>{t('decision.reason')}</th>
              <th>{t('so.col.note')}</th>
              <th>{t('so.col.when')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.decisionId}>
                <td>
                  <a href={`#/cases/${item.accountId}`}>{item.accountId.slice(0, 8)}</a>
                </td>
                <td>{item.officerName}</td>
                <td>{item.reasonCode ? t(`reason.${item.reasonCode}` as MessageKey) : t('common.none')}</td>
                <td>{item.note ?? t('common.none')}</td>
                <td>{f.dateTime(item.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => setAsking({ id: item.decisionId, confirm: true })}
                  >
                    {t('so.confirm')}
                  </button>{' '}
                  <button type="button" onClick={() => setAsking({ id: item.decisionId, confirm: false })}>
                    {t('so.overrule')}
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
