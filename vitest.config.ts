/**
 * One vitest run for the whole monorepo: unit tests beside the code (packages/, apps/) and the
 * integration tests in tests/. The global setup prepares one migrated database template
 * (a PostgreSQL template database when DATABASE_URL is set, a PGlite dump otherwise) that every
 * test file clones, so no file pays for migrations or sees another file's rows.
 */
import { defineConfig } from 'vitest/config';

const UNIT = ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'];
const INTEGRATION = ['tests/**/*.test.ts'];

/** CDK_TEST_SCOPE=unit|integration runs one level (npm test runs them as separate phases). */
function include(scope: string | undefined): string[] {
  if (scope === 'unit') return UNIT;
  if (scope === 'integration') return INTEGRATION;
  return [...UNIT, ...INTEGRATION];
}

export default defineConfig({
  test: {
    include: include(process.env.CDK_TEST_SCOPE),
    exclude: ['**/node_modules/**', '**/dist-types/**', 'tests/e2e/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
