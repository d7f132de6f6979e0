/**
 * The citizen's card at the top of home (issue 16, item 7): the face photo enrolled at
 * registration, the name in Khmer and in Latin letters, the CamDigiKey ID and the account's
 * state, under the CamDigiKey mark. Loaded from the server (GET /me/card) each time home opens;
 * without a connection the names kept on the phone are shown, without the photo.
 */
import { useEffect, useState } from 'react';
import { type AccountCard, type AccountStatus, deviceApi } from '../api/device-api';
import { appState } from '../storage/app-state';
import { Icon } from '../ui/Icon';
import { Logo } from '../ui/Logo';
import { useT } from '../ui/use-t';

type Shown = Omit<AccountCard, 'camdigikeyId' | 'messageId'> & { camdigikeyId: string | null };

const STATE_KEYS = {
  active: 'home.state.active',
  pending_review: 'home.state.pending_review',
  resubmission_requested: 'home.state.resubmission_requested',
  rejected: 'home.state.rejected',
  suspended: 'home.state.suspended',
  locked: 'home.state.locked',
} as const satisfies Record<AccountStatus, string>;

/** A UUID in groups the eye can follow when reading it out to support: `1a2b3c4d-…` stays as issued. */
export const groupedId = (id: string) => id.toUpperCase();

export function IdentityCard({ status }: { status: AccountStatus | undefined }) {
  const { t } = useT();
  const [card, setCard] = useState<Shown>();

  useEffect(() => {
    let stop = false;
    void (async () => {
      const profile = await appState.profile();
      const account = await appState.account();
      if (!stop && profile)
        setCard(
          (c) =>
            c ?? {
              camdigikeyId: account?.accountId ?? null,
              status: status ?? 'active',
              khmerName: [profile.khmerSurname, profile.khmerGivenName].filter(Boolean).join(' ') || null,
              latinName: [profile.latinSurname, profile.latinGivenName].filter(Boolean).join(' ') || null,
              photo: null,
            },
        );
      try {
        const fresh = await deviceApi.card();
        if (!stop) setCard(fresh);
      } catch {
        // Offline or refused: the names kept on the phone stay; home says the rest.
      }
    })();
    return () => {
      stop = true;
    };
  }, [status]);

  if (!card) return null;
  const state = status ?? card.status;
  return (
    <section className="id-card" data-testid="home-card" aria-label={t('home.card')}>
      <header className="id-card-head">
        <Logo size={28} />
        <span className="id-card-brand">CamDigiKey</span>
        <span className={`id-card-state state-${state}`} data-testid="home-card-state" data-status={state}>
          <Icon
            name={state === 'active' ? 'shield' : state === 'pending_review' ? 'clock' : 'alert'}
            size={18}
          />
          {t(STATE_KEYS[state])}
        </span>
      </header>
      <div className="id-card-body">
        {card.photo ? (
          <img
            className="id-card-photo"
            src={card.photo}
            alt={t('home.photo')}
            data-testid="home-card-photo"
          />
        ) : (
          <span className="id-card-photo none" role="img" aria-label={t('home.no_photo')}>
            <Icon name="me" size={40} />
          </span>
        )}
        <div className="id-card-names">
          {card.khmerName ? (
            <p className="id-card-km" lang="km" data-testid="home-card-name-km">
              {card.khmerName}
            </p>
          ) : null}
          {card.latinName ? (
            <p className="id-card-latin" lang="en" data-testid="home-card-name-latin">
              {card.latinName}
            </p>
          ) : null}
        </div>
      </div>
      {card.camdigikeyId ? (
        <p className="id-card-id">
          <span className="id-card-label">{t('home.cdk_id')}</span>
          <span className="id-card-value" data-testid="home-card-id">
            {groupedId(card.camdigikeyId)}
          </span>
        </p>
      ) : null}
    </section>
  );
}
