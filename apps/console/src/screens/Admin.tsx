/**
 * Administration: officer accounts (the TOTP secret shown once), the public-holiday calendar per
 * year (review deadlines count working hours on it), the working hours and thresholds in force,
 * the relying-party registry (register, suspend/activate, new secret, client-API credentials), and
 * the certificates and keys with their expiry dates.
 */
import { useT } from '../ui';
import { Expiries } from './AdminExpiries';
import { Holidays } from './AdminHolidays';
import { Officers } from './AdminOfficers';
import { RelyingParties } from './AdminRelyingParties';
import { SettingsView } from './AdminSettings';

const TABS = [
  ['officers', 'admin.officers'],
  ['holidays', 'admin.holidays'],
  ['settings', 'admin.settings'],
  ['relying-parties', 'admin.relying_parties'],
  ['expiries', 'admin.expiries'],
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
      ) : tab === 'expiries' ? (
        <Expiries onError={onError} />
      ) : (
        <Officers onError={onError} />
      )}
    </section>
  );
}
