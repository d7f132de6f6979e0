/**
 * App-to-app login (user guide 3.2, rp-protocol.md §6.3): another app opened
 * `camdigikey://login?token=…` (here /app/login?token=…). The app shows the requesting app's
 * registered name and domain; the citizen approves with the PIN or Face ID, or rejects; either
 * way the server answers the URL of the calling app (`<its id>://camdigikey_login_callback?…`,
 * never taken from the request) and the app returns there.
 */
import { useEffect, useRef, useState } from 'react';
import { type ApprovalCredential, deviceApi, type RelyingPartyInfo } from '../api/device-api';
import { codeOf } from '../api/errors';
import { platformOf } from '../links/login-link';
import { navigate } from '../router';
import { ApprovePanel } from '../ui/ApprovePanel';
import { ErrorBox, Loading, Notice, RpCard, rpName, ScreenFrame } from '../ui/components';
import { useT } from '../ui/use-t';
import { faceIdApproval } from '../webauthn/webauthn';

const FINAL = new Set([
  'login_request_expired',
  'pin_locked',
  'pin_blocked',
  'account_not_active',
  'device_key_unknown',
]);

/** Leave for the calling app (its custom scheme); the page stays to say so if nothing opens. */
export function returnToCaller(url: string) {
  window.location.assign(url);
}

export function AppLogin({ token }: { token: string }) {
  const { t, lang } = useT();
  const platform = platformOf(navigator.userAgent);
  const [rp, setRp] = useState<RelyingPartyInfo>();
  const [failed, setFailed] = useState<unknown>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [leaving, setLeaving] = useState<{ url: string; approved: boolean }>();
  const inspected = useRef<string>(undefined);

  useEffect(() => {
    if (inspected.current === token) return;
    inspected.current = token;
    deviceApi
      .inspectAppLogin(token)
      .then((answer) => setRp(answer.relyingParty))
      .catch(setFailed);
  }, [token]);

  const leave = (url: string, approved: boolean) => {
    setLeaving({ url, approved });
    returnToCaller(url);
  };
  const approve = async (credential: ApprovalCredential) => {
    setBusy(true);
    setError(undefined);
    try {
      const { callbackUrl } = await deviceApi.approveAppLogin(token, credential, platform);
      leave(callbackUrl, true);
      return true;
    } catch (caught) {
      if (FINAL.has(codeOf(caught))) setFailed(caught);
      else setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  };
  const faceId = async () => {
    setBusy(true);
    setError(undefined);
    const result = await faceIdApproval(() => deviceApi.appLoginFaceIdOptions(token));
    setBusy(false);
    if ('error' in result) setError(result.cancelled ? t('approve.face_id_no_answer') : result.error);
    else await approve({ assertion: result.assertion });
  };
  const reject = async () => {
    setBusy(true);
    try {
      const { callbackUrl } = await deviceApi.rejectAppLogin(token, platform);
      leave(callbackUrl, false);
    } catch (caught) {
      setFailed(caught);
    } finally {
      setBusy(false);
    }
  };

  let body: React.ReactNode;
  if (leaving) {
    body = (
      <div className="result" data-testid="app-login-returning" data-approved={leaving.approved}>
        <Notice tone={leaving.approved ? 'ok' : 'info'}>
          {t(leaving.approved ? 'applogin.approved' : 'applogin.rejected')}
        </Notice>
        <a className="btn primary" href={leaving.url} data-testid="app-login-return">
          {t('applogin.return', { app: rp ? rpName(rp, lang) : '' })}
        </a>
      </div>
    );
  } else if (failed) {
    body = (
      <div className="result" data-testid="app-login-failed" data-code={codeOf(failed)}>
        <ErrorBox error={failed} testId="app-login-error" />
        <button type="button" className="btn secondary" onClick={() => navigate('home', { replace: true })}>
          {t('common.done')}
        </button>
      </div>
    );
  } else if (!rp) {
    body = <Loading />;
  } else {
    body = (
      <div className="web-login" data-testid="app-login-request">
        <RpCard rp={rp} asks={t('applogin.asks')} testId="app-login" />
        <ApprovePanel
          busy={busy}
          error={error}
          onPin={(pin) => approve({ pin })}
          onFaceId={faceId}
          onReject={() => void reject()}
        />
      </div>
    );
  }
  return (
    <ScreenFrame title={t('applogin.title')} onBack={() => navigate('home')} testId="app-login">
      {body}
    </ScreenFrame>
  );
}
