/**
 * `npm run audit:verify`: recomputes the whole keyed audit chain of the configured database
 * against every key of AUDIT_KEYS and checks it against every signed checkpoint in
 * AUDIT_CHECKPOINT_DIR (or the folder given as the first argument: the copy shipped off the
 * database host). Prints "intact: N rows, M checkpoints" and exits 0, or names every break (row,
 * kind) and exits 1.
 */
import { join } from 'node:path';
import { openDatabase, pendingMigrations, unmigratedMessage } from '@camdigikey/db';
import { FileCheckpointStore } from '../audit/checkpoints';
import { formatAuditReport, verifyAuditLog } from '../audit/verify';
import { ConfigError, loadAuditSettings } from '../config/load';

let settings: ReturnType<typeof loadAuditSettings>;
try {
  settings = loadAuditSettings(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const checkpointDir = process.argv[2] ?? settings.checkpointDir;
const { db, close } = await openDatabase({
  url: settings.databaseUrl,
  dataDir: settings.databaseUrl ? undefined : join(settings.dataDir, 'pglite'),
});
const unmigrated = unmigratedMessage(await pendingMigrations(db));
if (unmigrated) {
  console.error(unmigrated);
  await close();
  process.exit(2);
}
try {
  const report = await verifyAuditLog(db, settings.keys, new FileCheckpointStore(checkpointDir));
  const lines = formatAuditReport(report);
  if (report.ok) console.log(lines.join('\n'));
  else {
    console.error(lines.join('\n'));
    process.exitCode = 1;
  }
} finally {
  await close();
}
