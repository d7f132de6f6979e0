/**
 * "Scan QR Code" (user guide 3.1.2): the camera reads the website's code (or a CamDigiKey link);
 * a code that is not CamDigiKey's is refused at once, without asking the server. When the camera
 * cannot be used, the code can be typed or pasted.
 */
import { useState } from 'react';
import { parseLoginLink } from '../links/login-link';
import { navigate } from '../router';
import { CameraLayer, QrScanner } from '../ui/camera';
import { Notice, ScreenFrame } from '../ui/components';
import { TabBar } from '../ui/TabBar';
import { useT } from '../ui/use-t';
import { WebLogin } from './WebLogin';

type Stage =
  | { kind: 'camera' }
  | { kind: 'idle'; foreign?: boolean }
  | { kind: 'login'; qr: string; n: number };

export function ScanScreen({ initialQr }: { initialQr?: string }) {
  const { t } = useT();
  const [stage, setStage] = useState<Stage>(
    initialQr ? { kind: 'login', qr: initialQr, n: 0 } : { kind: 'camera' },
  );
  const [typed, setTyped] = useState('');

  const read = (text: string) => {
    const link = parseLoginLink(text);
    if (!link) setStage({ kind: 'idle', foreign: true });
    else if (link.kind === 'token') navigate('login', { query: { token: link.token } });
    else setStage((s) => ({ kind: 'login', qr: link.qr, n: s.kind === 'login' ? s.n + 1 : 0 }));
  };

  return (
    <ScreenFrame
      title={t('scan.title')}
      onBack={() => navigate('home')}
      testId="scan"
      footer={<TabBar current="scan" />}
    >
      {stage.kind === 'camera' ? (
        <CameraLayer testId="qr-camera">
          <QrScanner onResult={read} onCancel={() => setStage({ kind: 'idle' })} />
        </CameraLayer>
      ) : null}
      {stage.kind === 'login' ? (
        <WebLogin
          key={stage.n}
          qr={stage.qr}
          onAgain={() => setStage({ kind: 'camera' })}
          onDone={() => navigate('home', { replace: true })}
        />
      ) : null}
      {stage.kind === 'idle' ? (
        <div className="panel">
          {stage.foreign ? (
            <Notice tone="error" testId="scan-foreign">
              {t('scan.foreign')}
            </Notice>
          ) : null}
          <button
            type="button"
            className="btn primary"
            data-testid="scan-open-camera"
            onClick={() => setStage({ kind: 'camera' })}
          >
            {t('scan.open_camera')}
          </button>
          <form
            noValidate
            className="manual-code"
            onSubmit={(event) => {
              event.preventDefault();
              if (typed.trim()) read(typed);
            }}
          >
            <label className="field">
              <span className="label">{t('scan.type_code')}</span>
              <input
                data-testid="scan-code-input"
                autoComplete="off"
                autoCapitalize="off"
                spellCheck={false}
                value={typed}
                onChange={(event) => setTyped(event.target.value)}
              />
            </label>
            <button
              type="submit"
              className="btn secondary"
              data-testid="scan-code-submit"
              disabled={!typed.trim()}
            >
              {t('common.next')}
            </button>
          </form>
        </div>
      ) : null}
    </ScreenFrame>
  );
}
