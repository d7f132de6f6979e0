/**
 * The audit log's verification as `npm run audit:verify` and the tests run it: the chain in the
 * database against every known key and every checkpoint kept outside it.
 */
import type { Database } from '@camdigikey/db';
import type { Kysely } from 'kysely';
import { type AuditKey, type ChainReport, verifyAuditChain } from './audit-log';
import type { CheckpointStore } from './checkpoints';

export async function verifyAuditLog(
  db: Kysely<Database>,
  keys: readonly AuditKey[],
  store: CheckpointStore | undefined,
): Promise<ChainReport> {
  const checkpoints = store ? await store.readAll() : [];
  return verifyAuditChain(db, { keys, checkpoints });
}

const KIND_TEXT: Record<ChainReport['breaks'][number]['kind'], string> = {
  content_changed: 'content changed',
  link_broken: 'link broken',
  row_missing: 'row missing',
  unknown_key_id: 'unknown key id',
  legacy_after_keyed: 'legacy row after keyed rows (downgrade)',
  truncated: 'truncated after checkpoint',
  checkpoint_mismatch: 'history differs from checkpoint',
  checkpoint_signature_invalid: 'checkpoint signature invalid',
  checkpoint_malformed: 'checkpoint unreadable',
};

/** The report as the command prints it: one line when intact, one line per break otherwise. */
export function formatAuditReport(report: ChainReport): string[] {
  if (report.ok) return [`audit log intact: ${report.events} rows, ${report.checkpoints} checkpoints`];
  return [
    `audit log BROKEN: ${report.breaks.length} break(s) in ${report.events} rows and ${report.checkpoints} checkpoints`,
    ...report.breaks.map((b) => {
      const rows = b.toSeq !== undefined ? `rows #${b.seq}–#${b.toSeq}` : `row #${b.seq}`;
      const where = b.checkpoint !== undefined ? `checkpoint ${b.checkpoint}, ${rows}` : rows;
      return `  ${where}: ${KIND_TEXT[b.kind]} (${b.detail})`;
    }),
  ];
}
