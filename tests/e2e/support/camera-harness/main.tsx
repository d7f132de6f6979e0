/**
 * Test-only page mounting one camera component of the citizen app, chosen by `?c=qr|document|liveness`
 * (`&lang=en` for English, `&actions=turn_left,nod` for the liveness challenge). The components are
 * imported lazily, as the app's screens do. What they hand back lands in `window.__result`; the other
 * ways out (cancel, type it in) in `window.__events`.
 */
import '@fontsource/noto-sans-khmer/khmer-400.css';
import '@fontsource/noto-sans-khmer/khmer-700.css';
import i18next from 'i18next';
import { type JSX, lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { en, km } from '../../../../apps/wallet/src/camera/messages';

interface HarnessWindow {
  __result?: { component: string; value: unknown };
  __events: string[];
}

const harness = window as unknown as HarnessWindow;
harness.__events = [];

const params = new URLSearchParams(location.search);
const component = params.get('c') ?? 'qr';
const lang = params.get('lang') === 'en' ? 'en' : 'km';
const actions = (params.get('actions') ?? 'turn_left,turn_right,nod').split(',').filter(Boolean);
document.documentElement.lang = lang;
// The app's Khmer font (self-hosted, as in the app), so screenshots show Khmer text.
document.body.style.fontFamily = '"Noto Sans Khmer", system-ui, sans-serif';

const done = (value: unknown) => {
  harness.__result = { component, value };
};
const event = (name: string) => () => harness.__events.push(name);

const QrScanner = lazy(() => import('../../../../apps/wallet/src/camera/QrScanner'));
const DocumentScanner = lazy(() => import('../../../../apps/wallet/src/camera/DocumentScanner'));
const LivenessRecorder = lazy(() => import('../../../../apps/wallet/src/camera/LivenessRecorder'));

function Chosen(): JSX.Element {
  if (component === 'document') {
    return <DocumentScanner onResult={done} onManual={event('manual')} onCancel={event('cancel')} />;
  }
  if (component === 'liveness') {
    return <LivenessRecorder actions={actions} onResult={done} onCancel={event('cancel')} />;
  }
  return <QrScanner onResult={done} onCancel={event('cancel')} />;
}

await i18next.use(initReactI18next).init({
  lng: lang,
  fallbackLng: 'km',
  resources: { km: { translation: km }, en: { translation: en } },
  interpolation: { escapeValue: false, prefix: '{', suffix: '}' },
  keySeparator: false,
  nsSeparator: false,
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nextProvider i18n={i18next}>
      <Suspense fallback={<p id="loading">…</p>}>
        <Chosen />
      </Suspense>
    </I18nextProvider>
  </StrictMode>,
);
