/**
 * Certificates and keys before they expire (docs/operations.md §6): a banner above every screen
 * of an administrator while one is within a month of its date (or past it), and the full list
 * under Administration. The server decides the level (GET /api/console/v1/expiries).
 */
import type { Expiry } from '@camdigikey/contracts/expiry';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { Badge, ErrorText, useFormat, useLabel, useT } from '../ui';

const TONE: Record<string, string> = { ok: 'ok', warning: 'warn', critical: 'bad', expired: 'bad' };

function useExpiries(onError: (error: unknown) => void) {
  const [items, setItems] = useState<Expiry[] | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api
      .expiries()
      .then((r) => setItems(r.items))
      .catch((caught: unknown) => {
        setError(caught);
        onError(caught);
      });
  }, [onError]);
  return { items, error };
}

export function ExpiryBanner({ onError }: { onError: (error: unknown) => void }) {
  const { t } = useT();
  const { items } = useExpiries(onError);
  const due = (items ?? []).filter((i) => i.level !== 'ok');
  if (due.length === 0) return null;
  return (
    <p className="notice notice-warn" id="expiry-banner" role="alert">
      {t('expiry.banner', { count: due.length })} <a href="#/admin/expiries">{t('expiry.open')}</a>
    </p>
  );
}

export function Expiries({ onError }: { onError: (error: unknown) => void }) {
  const { t, n } = useT();
  const label = useLabel();
  const { dateTime } = useFormat();
  const { items, error } = useExpiries(onError);
  if (!items) return error ? <ErrorText error={error} /> : <p>{t('common.loading')}</p>;
  return (
    <div id="expiries">
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">{t('expiry.col.what')}</th>
            <th scope="col">{t('expiry.col.subject')}</th>
            <th scope="col">{t('expiry.col.at')}</th>
            <th scope="col">{t('expiry.col.days')}</th>
            <th scope="col">{t('expiry.col.level')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={`${item.kind}:${item.subject ?? ''}`} data-kind={item.kind} data-level={item.level}>
              <th scope="row">{label(`expiry.kind.${item.kind}`, item.kind)}</th>
              <td>{item.subject ?? t('common.none')}</td>
              <td>{dateTime(item.at)}</td>
              <td>{n(item.daysLeft)}</td>
              <td>
                <Badge tone={TONE[item.level] ?? 'neutral'}>
                  {label(`expiry.level.${item.level}`, item.level)}
                </Badge>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">{t('expiry.runbook')}</p>
    </div>
  );
}
