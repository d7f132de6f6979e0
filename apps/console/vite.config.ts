import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the identity server at /console/ (apps/server/src/http/console-static.ts). A build is
// always the production bundle, even when started with NODE_ENV=test (a test's beforeAll, npm test).
export default defineConfig(({ command }) => {
  if (command === 'build') process.env.NODE_ENV = 'production';
  return {
    base: '/console/',
    plugins: [react()],
    build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  };
});
