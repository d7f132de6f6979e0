/**
 * `npm run keys -- rewrap [--check] | rotate-signing` (release: `node apps/server/dist/cli.mjs
 * keys …`): see keys-command.ts. Reads the same environment as the server (DATABASE_URL or
 * DATA_DIR; DATA_KEKS, BLIND_INDEX_KEY; AUDIT_KEYS for the audited rotation).
 */
import { join } from 'node:path';
import { openDatabase, pendingMigrations, unmigratedMessage } from '@camdigikey/db';
import { useAuditChain } from '../audit/audit-log';
import { ConfigError, loadAuditSettings, loadPersonalDataSettings } from '../config/load';
import { Envelope } from '../crypto/envelope';
import { systemClock } from '../ports/clock';
import { keysCommand } from './keys-command';

let settings: ReturnType<typeof loadPersonalDataSettings>;
let audit: ReturnType<typeof loadAuditSettings>;
try {
  settings = loadPersonalDataSettings(process.env);
  audit = loadAuditSettings(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const release = useAuditChain({ keys: audit.keys });
const { db, close } = await openDatabase({
  url: settings.databaseUrl,
  dataDir: settings.databaseUrl ? undefined : join(settings.dataDir, 'pglite'),
});
const unmigrated = unmigratedMessage(await pendingMigrations(db));
if (unmigrated) {
  console.error(unmigrated);
  release();
  await close();
  process.exit(2);
}
try {
  process.exitCode = await keysCommand(process.argv.slice(2), {
    db,
    envelope: new Envelope(settings.keks),
    now: () => systemClock.now(),
    print: (line) => console.log(line),
  });
} finally {
  release();
  await close();
}
