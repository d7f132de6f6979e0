/** Entry point: Khmer font, catalogues (Khmer unless English was chosen), service worker, render. */
import '@fontsource/kantumruy-pro/khmer-400.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { initI18n } from './i18n';
import { startServiceWorker } from './pwa/register-sw';
import { SessionProvider } from './session';

await initI18n();
startServiceWorker();
const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <SessionProvider>
        <App />
      </SessionProvider>
    </StrictMode>,
  );
