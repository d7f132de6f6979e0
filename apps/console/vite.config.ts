import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the identity server at /console/ (apps/server/src/http/console-static.ts).
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
});
