import { useCallback, useEffect, useState } from 'react';
import { api, type SecondOpinion } from '../api';
import type { MessageKey } from '../i18n';
import { ErrorText, useFormat, useT } from '../ui';

/** Fraud rejections waiting for a second, different officer (four-eyes). */
export function SecondOpinionsScreen({ onError }: { onError: (error: unknown) => void }) {
  const { t } = useT();
  const f = useFormat();
  const [items, setItems] = useState<SecondOpinion[] | undefined>();
  const [error, setError] = useState<unknown>();
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
    try {
      await api.secondOpinion(id, confirm);
      await load();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section>
      <h1>{t('so.title')}</h1>
      <ErrorText error={error} />
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
                  <button type="button" className="danger" onClick={() => decide(item.decisionId, true)}>
                    {t('so.confirm')}
                  </button>{' '}
                  <button type="button" onClick={() => decide(item.decisionId, false)}>
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
