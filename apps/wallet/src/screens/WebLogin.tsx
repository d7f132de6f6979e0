/**
 * A website login after its QR code was scanned (user guide 3.1.2–3.1.3, architecture.md
 * decision 9): the app claims the request, shows the relying party's registered name and domain,
 * the citizen picks the number the website shows (a wrong pick cancels the login), then approves
 * with the PIN or Face ID, or rejects. Expired, foreign and already-used codes say so plainly.
 */
import { useEffect, useRef, useState } from 'react';
import { type ApprovalCredential, type ClaimedLogin, deviceApi } from '../api/device-api';
import { codeOf } from '../api/errors';
import { ApprovePanel } from '../ui/ApprovePanel';
import { ErrorBox, Loading, Notice, RpCard, rpName, useNow } from '../ui/components';
import { useT } from '../ui/use-t';
import { faceIdApproval } from '../webauthn/webauthn';

/** Errors after which this login cannot go on (scan a new code). */
const FINAL = new Set([
  'qr_invalid',
  'qr_expired',
  'login_request_not_found',
  'login_request_expired',
  'login_request_claimed',
  'login_wrong_code',
  'account_not_active',
  'pin_locked',
  'pin_blocked',
  'device_key_unknown',
]);

type Stage =
  | { kind: 'claiming' }
  | { kind: 'choose'; login: ClaimedLogin }
  | { kind: 'approve'; login: ClaimedLogin; matchCode: string }
  | { kind: 'approved'; login: ClaimedLogin }
  | { kind: 'rejected' }
  | { kind: 'failed'; error: unknown };

export function WebLogin({ qr, onAgain, onDone }: { qr: string; onAgain: () => void; onDone: () => void }) {
  const { t, lang, countdown } = useT();
  const [stage, setStage] = useState<Stage>({ kind: 'claiming' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const claimed = useRef<string>(undefined);
  const now = useNow();

  useEffect(() => {
    if (claimed.current === qr) return;
    claimed.current = qr;
    setStage({ kind: 'claiming' });
    deviceApi
      .scanLogin(qr)
      .then((login) => setStage({ kind: 'choose', login }))
      .catch((caught: unknown) => setStage({ kind: 'failed', error: caught }));
  }, [qr]);

  const login = 'login' in stage ? stage.login : undefined;
  const secondsLeft = login ? (new Date(login.expiresAt).getTime() - now) / 1000 : 0;

  const approve = async (credential: ApprovalCredential): Promise<boolean> => {
    if (stage.kind !== 'approve') return false;
    setBusy(true);
    setError(undefined);
    try {
      await deviceApi.approveLogin(stage.login.requestId, stage.matchCode, credential);
      setStage({ kind: 'approved', login: stage.login });
      return true;
    } catch (caught) {
      if (FINAL.has(codeOf(caught))) setStage({ kind: 'failed', error: caught });
      else setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const faceId = async () => {
    if (stage.kind !== 'approve') return;
    setBusy(true);
    setError(undefined);
    const result = await faceIdApproval(() => deviceApi.loginFaceIdOptions(stage.login.requestId));
    setBusy(false);
    if ('error' in result) setError(result.cancelled ? t('approve.face_id_no_answer') : result.error);
    else await approve({ assertion: result.assertion });
  };
  const reject = async () => {
    if (!login) return;
    setBusy(true);
    try {
      await deviceApi.rejectLogin(login.requestId);
      setStage({ kind: 'rejected' });
    } catch (caught) {
      setStage({ kind: 'failed', error: caught });
    } finally {
      setBusy(false);
    }
  };

  const again = (
    <button type="button" className="btn primary" data-testid="scan-again" onClick={onAgain}>
      {t('scan.again')}
    </button>
  );

  if (stage.kind === 'claiming') return <Loading label="scan.checking" />;
  if (stage.kind === 'failed')
    return (
      <div className="result" data-testid="login-failed" data-code={codeOf(stage.error)}>
        <ErrorBox error={stage.error} testId="login-error" />
        {again}
      </div>
    );
  if (stage.kind === 'rejected')
    return (
      <div className="result" data-testid="login-rejected">
        <Notice>{t('login.rejected_done')}</Notice>
        <button type="button" className="btn secondary" data-testid="login-done" onClick={onDone}>
          {t('common.done')}
        </button>
      </div>
    );
  if (stage.kind === 'approved')
    return (
      <div className="result" data-testid="login-approved">
        <div className="status-art ok" aria-hidden="true" />
        <Notice tone="ok">{t('login.approved_done', { rp: rpName(stage.login.relyingParty, lang) })}</Notice>
        <button type="button" className="btn primary" data-testid="login-done" onClick={onDone}>
          {t('common.done')}
        </button>
      </div>
    );

  const rp = stage.login.relyingParty;
  return (
    <div className="web-login" data-testid="login-request">
      <RpCard rp={rp} asks={t('login.asks')} testId="login">
        <p className="hint">{t('login.check_domain')}</p>
        <p className="hint" data-testid="login-time-left">
          {secondsLeft > 0 ? t('login.time_left', { time: countdown(secondsLeft) }) : t('login.time_over')}
        </p>
      </RpCard>
      {stage.kind === 'choose' ? (
        <>
          <h2>{t('login.pick_number')}</h2>
          <fieldset className="match-codes">
            <legend className="visually-hidden">{t('login.pick_number')}</legend>
            {stage.login.choices.map((code) => (
              <button
                key={code}
                type="button"
                className="btn match"
                data-testid={`match-${code}`}
                aria-label={t('login.number', { code })}
                onClick={() => setStage({ kind: 'approve', login: stage.login, matchCode: code })}
              >
                {code}
              </button>
            ))}
          </fieldset>
          <button
            type="button"
            className="btn danger"
            data-testid="reject"
            disabled={busy}
            onClick={() => void reject()}
          >
            {t('approve.reject')}
          </button>
        </>
      ) : (
        <>
          <p className="picked" data-testid="login-picked">
            {t('login.picked', { code: stage.matchCode })}
          </p>
          <ApprovePanel
            busy={busy}
            error={error}
            onPin={(pin) => approve({ pin })}
            onFaceId={faceId}
            onReject={() => void reject()}
          />
        </>
      )}
    </div>
  );
}
