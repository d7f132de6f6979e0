/**
 * `npm run audit:verify`: recomputes the whole audit hash chain of the configured database and
 * exits 0 when it is intact, 1 (naming the first broken event) when it is not.
 */
import { join } from 'node:path';
import { openDatabase } from '@camdigikey/db';
import { verifyAuditChain } from '../audit/audit-log';

const url = process.env.DATABASE_URL || undefined;
const { db, close } = await openDatabase({
  url,
  dataDir: url ? undefined : join(process.env.DATA_DIR ?? '.data', 'pglite'),
});
try {
  const report = await verifyAuditChain(db);
  if (report.ok) console.log(`audit chain intact: ${report.events} events verified`);
  else {
    console.error(
      `audit chain BROKEN at event #${report.brokenAt?.seq} (${report.brokenAt?.reason}); ${report.events} events before it verified`,
    );
    process.exitCode = 1;
  }
} finally {
  await close();
}
