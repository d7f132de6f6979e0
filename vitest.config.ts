/**
 * One vitest run for the whole monorepo: unit tests beside the code (packages/, apps/) and the
 * integration tests in tests/. The global setup prepares one migrated database template
 * (a PostgreSQL template database when DATABASE_URL is set, a PGlite dump otherwise) that every
 * test file clones, so no file pays for migrations or sees another file's rows.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist-types/**', 'tests/e2e/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
