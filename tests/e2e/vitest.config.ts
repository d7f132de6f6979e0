/**
 * The browser end-to-end tests (`npx vitest run --config tests/e2e/vitest.config.ts`): real
 * Chromium against a real identity server and demo relying parties. Kept out of the default run
 * (the root config excludes tests/e2e) because they need a Chromium binary; they share the
 * global setup (one migrated template database) and run one file at a time in forks.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['tests/e2e/**/*.e2e.test.ts'],
    exclude: ['**/node_modules/**', '**/dist-types/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // Every journey's server keeps its log and fails its close() on a secret in it.
    env: { NODE_ENV: 'test', CDK_SCAN_LOGS: '1' },
  },
});
