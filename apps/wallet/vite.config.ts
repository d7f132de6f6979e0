import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { appIcons, ICON_FILES } from './src/pwa/icons';

/**
 * The CamDigiKey app, served by the identity server at /app/ (apps/server/src/http/console-static.ts)
 * as a progressive web app: a generated service worker (scope /app/) precaches the app shell and
 * the Khmer font, answers navigations offline with index.html, caches the camera readers'
 * WebAssembly on first use, and imports public/push-handler.js for push notices. The icons are
 * drawn from code (packages/brand/src/mark.ts). A build is always the production bundle.
 */
export default defineConfig(({ command }) => {
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    base: '/app/',
    plugins: [
      react(),
      appIcons(),
      VitePWA({
        strategies: 'generateSW',
        injectRegister: false,
        registerType: 'autoUpdate',
        base: '/app/',
        scope: '/app/',
        filename: 'sw.js',
        manifestFilename: 'manifest.webmanifest',
        includeManifestIcons: false,
        manifest: {
          id: '/app/',
          name: 'CamDigiKey',
          short_name: 'CamDigiKey',
          description:
            'CamDigiKey — សេវាកម្មផ្ទៀងផ្ទាត់អត្តសញ្ញាណតាមទូរស័ព្ទដៃ (Easy yet Secure Mobile Authentication)',
          lang: 'km',
          dir: 'ltr',
          start_url: '/app/',
          scope: '/app/',
          display: 'standalone',
          orientation: 'portrait',
          background_color: '#ffffff',
          theme_color: '#0b3d91',
          categories: ['government', 'security', 'utilities'],
          icons: [
            { src: ICON_FILES.svg, sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
            { src: ICON_FILES.any192, sizes: '192x192', type: 'image/png', purpose: 'any' },
            { src: ICON_FILES.any512, sizes: '512x512', type: 'image/png', purpose: 'any' },
            { src: ICON_FILES.maskable192, sizes: '192x192', type: 'image/png', purpose: 'maskable' },
            { src: ICON_FILES.maskable512, sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          ],
          // Browsers let web apps handle only web+ schemes; camdigikey:// is mapped by the
          // packaged Android app's intent filter to /app/login (see src/links/login-link.ts).
          protocol_handlers: [{ protocol: 'web+camdigikey', url: '/app/login?link=%s' }],
          launch_handler: { client_mode: 'focus-existing' },
        },
        workbox: {
          globPatterns: ['**/*.{js,css,html,svg,png,woff2}'],
          globIgnores: ['**/*.wasm'],
          navigateFallback: '/app/index.html',
          navigateFallbackAllowlist: [/^\/app(\/|$)/],
          importScripts: ['push-handler.js'],
          cleanupOutdatedCaches: true,
          clientsClaim: true,
          skipWaiting: true,
          runtimeCaching: [
            {
              urlPattern: ({ url }) => url.pathname.startsWith('/app/') && url.pathname.endsWith('.wasm'),
              handler: 'CacheFirst',
              options: { cacheName: 'cdk-wasm', expiration: { maxEntries: 4 } },
            },
          ],
        },
      }),
    ],
    build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', assetsInlineLimit: 0 },
  };
});
