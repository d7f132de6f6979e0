/**
 * Requests waiting for this citizen (oidc/backchannel.ts, user guide 3.2.3–3.2.5): a service the
 * citizen already uses asks to log in; each request shows the service's registered name and
 * domain and the code the service shows (compare before approving), and is answered in place:
 * approve with the PIN, decline, or "I did not ask for this" (which also blocks that service for
 * a while). Signature requests (issue 17, SignRequest.tsx) are listed first. New requests appear
 * live while the app is open; push notices open this screen.
 */
import { useState } from 'react';
import { type Approval, deviceApi } from '../api/device-api';
import { codeOf } from '../api/errors';
import { navigate } from '../router';
import { ApprovePanel } from '../ui/ApprovePanel';
import { ErrorBox, Loading, Notice, rpName, ScreenFrame, useNow } from '../ui/components';
import { TabBar } from '../ui/TabBar';
import { useT } from '../ui/use-t';
import { SignatureItem, type SignOutcome, useSignatureRequests } from './SignRequest';
import { useApprovals } from './use-approvals';

type Outcome = { id: string; kind: 'approved' | 'rejected' | 'blocked' | 'expired' };

function RequestItem({
  approval,
  onAnswered,
}: {
  approval: Approval;
  onAnswered: (outcome: Outcome) => void;
}) {
  const { t, lang, countdown } = useT();
  const now = useNow();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const left = (new Date(approval.expiresAt).getTime() - now) / 1000;

  const approveWith = async (pin: string): Promise<Outcome['kind']> => {
    await deviceApi.approve(approval.id, pin);
    return 'approved';
  };
  const decline = async (notMe: boolean): Promise<Outcome['kind']> => {
    await deviceApi.reject(approval.id, notMe);
    return notMe ? 'blocked' : 'rejected';
  };
  const answer = async (work: () => Promise<Outcome['kind']>) => {
    setBusy(true);
    setError(undefined);
    try {
      onAnswered({ id: approval.id, kind: await work() });
      return true;
    } catch (caught) {
      if (codeOf(caught) === 'login_request_expired') onAnswered({ id: approval.id, kind: 'expired' });
      else setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card request" data-testid={`request-${approval.id}`}>
      <p className="rp-name" data-testid="request-rp-name">
        {rpName(approval.relyingParty, lang)}
      </p>
      <p className="rp-domain">{approval.relyingParty.domain ?? ''}</p>
      <p className="binding">
        {t('requests.binding')} <strong data-testid="request-binding">{approval.bindingMessage}</strong>
      </p>
      <p className="hint">
        {left > 0 ? t('login.time_left', { time: countdown(left) }) : t('login.time_over')}
      </p>
      {open ? (
        <ApprovePanel
          busy={busy}
          error={error}
          onPin={(pin) => answer(() => approveWith(pin))}
          onReject={() => void answer(() => decline(false))}
        >
          <button
            type="button"
            className="btn link"
            data-testid="request-not-me"
            disabled={busy}
            onClick={() => void answer(() => decline(true))}
          >
            {t('requests.not_me')}
          </button>
        </ApprovePanel>
      ) : (
        <div className="decision">
          <button
            type="button"
            className="btn danger"
            data-testid="request-reject"
            disabled={busy}
            onClick={() => void answer(() => decline(false))}
          >
            {t('approve.reject')}
          </button>
          <button
            type="button"
            className="btn primary"
            data-testid="request-open"
            onClick={() => setOpen(true)}
          >
            {t('requests.review')}
          </button>
        </div>
      )}
      {!open ? <ErrorBox error={error} /> : null}
    </li>
  );
}

export function RequestsScreen() {
  const { t } = useT();
  const { approvals, error, setApprovals } = useApprovals(true);
  const signing = useSignatureRequests(true);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [signOutcomes, setSignOutcomes] = useState<SignOutcome[]>([]);

  const answered = (outcome: Outcome) => {
    setOutcomes((list) => [outcome, ...list].slice(0, 5));
    setApprovals((list) => list?.filter((a) => a.id !== outcome.id));
  };
  const signed = (outcome: SignOutcome) => {
    setSignOutcomes((list) => [outcome, ...list].slice(0, 5));
    signing.setRequests((list) => list?.filter((r) => r.id !== outcome.id));
  };
  const waiting = (approvals?.length ?? 0) + (signing.requests?.length ?? 0);

  return (
    <ScreenFrame
      title={t('requests.title')}
      onBack={() => navigate('home')}
      testId="requests"
      footer={<TabBar current="requests" requests={waiting} />}
    >
      {signOutcomes.map((o) => (
        <Notice key={o.id} tone={o.kind === 'signed' ? 'ok' : 'info'} testId={`sign-outcome-${o.kind}`}>
          {t(`sign.outcome.${o.kind}`)}
        </Notice>
      ))}
      <ErrorBox error={signing.error} />
      {signing.requests?.length ? (
        <ul className="requests" data-testid="sign-list">
          {signing.requests.map((request) => (
            <SignatureItem key={request.id} request={request} onAnswered={signed} />
          ))}
        </ul>
      ) : null}
      {outcomes.map((o) => (
        <Notice key={o.id} tone={o.kind === 'approved' ? 'ok' : 'info'} testId={`request-outcome-${o.kind}`}>
          {t(`requests.outcome.${o.kind}`)}
        </Notice>
      ))}
      <ErrorBox error={error} />
      {approvals === undefined && !error ? <Loading /> : null}
      {approvals?.length === 0 && signing.requests?.length === 0 ? (
        <p className="empty" data-testid="requests-empty">
          {t('requests.empty')}
        </p>
      ) : null}
      <ul className="requests" data-testid="requests-list">
        {approvals?.map((approval) => (
          <RequestItem key={approval.id} approval={approval} onAnswered={answered} />
        ))}
      </ul>
    </ScreenFrame>
  );
}
