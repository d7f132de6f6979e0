/**
 * Waits for the evidence worker (EVIDENCE_WORKER=true) to have judged a registration: at least
 * `kinds` evidence records for the account, then answers them by kind.
 */
import { expect } from 'vitest';
import type { TestServer } from './server';

export async function judgedEvidence(server: TestServer, accountId: string, kinds = 1, timeout = 60_000) {
  const rows = () =>
    server.deps.db.selectFrom('evidence').selectAll().where('account_id', '=', accountId).execute();
  await expect
    .poll(async () => (await rows()).length, { timeout, interval: 250 })
    .toBeGreaterThanOrEqual(kinds);
  return Object.fromEntries((await rows()).map((r) => [r.kind, r]));
}
