/**
 * Waits for the evidence worker (EVIDENCE_WORKER=true) to have judged a registration: at least
 * `kinds` evidence records for the account, and every kind named in `required` (the job writes its
 * records one by one: a count alone can be reached before the record a test reads), then answers
 * them by kind. A plain loop (not expect.poll), so that hooks can wait too.
 */
import type { TestServer } from './server';

export async function judgedEvidence(
  server: TestServer,
  accountId: string,
  kinds = 1,
  timeout = 60_000,
  required: string[] = [],
) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const rows = await server.deps.db
      .selectFrom('evidence')
      .selectAll()
      .where('account_id', '=', accountId)
      .execute();
    const have = new Set(rows.map((r) => r.kind));
    if (rows.length >= kinds && required.every((k) => have.has(k)))
      return Object.fromEntries(rows.map((r) => [r.kind, r]));
    if (Date.now() > deadline)
      throw new Error(
        `${rows.length} of ${kinds} evidence records (${[...have].join(', ')}; needed ${required.join(', ') || 'any'}) for ${accountId} after ${timeout} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
