/**
 * "Me" → profile: the names in Khmer and Latin letters, the document and the account status.
 * Kept on the phone from the registration (or loaded once from the data export after a recovery,
 * when the citizen asks for it).
 */
import { useEffect, useState } from 'react';
import { deviceApi } from '../../api/device-api';
import { useSession } from '../../session';
import { appState, type Profile } from '../../storage/app-state';
import { ErrorBox } from '../../ui/components';
import { useT } from '../../ui/use-t';

export function ProfileSection() {
  const { t, server, date } = useT();
  const { status } = useSession();
  const [profile, setProfile] = useState<Profile>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    void appState.profile().then(setProfile);
  }, []);

  const load = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { account: a } = await deviceApi.exportData();
      const next: Profile = {
        ...(a.khmerSurname ? { khmerSurname: a.khmerSurname } : {}),
        ...(a.khmerGivenName ? { khmerGivenName: a.khmerGivenName } : {}),
        ...(a.latinSurname ? { latinSurname: a.latinSurname } : {}),
        ...(a.latinGivenName ? { latinGivenName: a.latinGivenName } : {}),
        ...(a.gender ? { gender: a.gender } : {}),
        ...(a.birthDate ? { birthDate: a.birthDate } : {}),
        ...(a.nationality ? { nationality: a.nationality } : {}),
        documentType: a.document.type,
        documentNumber: a.document.number,
        expiryDate: a.document.expiryDate,
      };
      await appState.saveProfile(next);
      setProfile(next);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const row = (label: string, value: string | undefined, testId: string) =>
    value ? (
      <div className="row" key={testId}>
        <dt>{label}</dt>
        <dd data-testid={testId}>{value}</dd>
      </div>
    ) : null;
  const khmerName = [profile?.khmerSurname, profile?.khmerGivenName].filter(Boolean).join(' ');
  const latinName = [profile?.latinSurname, profile?.latinGivenName].filter(Boolean).join(' ');
  const document =
    profile?.documentType === 'passport'
      ? server('option.document_type.passport')
      : profile?.documentType
        ? server('option.document_type.id_card')
        : undefined;

  return (
    <div>
      {profile ? (
        <dl className="facts">
          {row(t('me.profile.khmer_name'), khmerName, 'profile-khmer-name')}
          {row(t('me.profile.latin_name'), latinName, 'profile-latin-name')}
          {row(
            server('field.gender'),
            profile.gender ? server(`option.gender.${profile.gender}`) : undefined,
            'profile-gender',
          )}
          {row(
            server('field.birth_date'),
            profile.birthDate ? date(profile.birthDate) : undefined,
            'profile-birth',
          )}
          {row(server('field.document_type'), document, 'profile-document-type')}
          {row(t('me.profile.document_number'), profile.documentNumber, 'profile-document-number')}
          {row(
            server('field.expiry_date'),
            profile.expiryDate ? date(profile.expiryDate) : undefined,
            'profile-expiry',
          )}
        </dl>
      ) : (
        <>
          <p>{t('me.profile.none')}</p>
          <button
            type="button"
            className="btn secondary"
            data-testid="profile-load"
            disabled={busy}
            onClick={() => void load()}
          >
            {t('me.profile.load')}
          </button>
        </>
      )}
      {status ? (
        <p className="status-line" data-testid="profile-status" data-status={status.view.status}>
          {server(status.view.messageId)}
        </p>
      ) : null}
      <ErrorBox error={error} />
    </div>
  );
}
