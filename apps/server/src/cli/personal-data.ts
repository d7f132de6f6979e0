/**
 * `npm run pii -- seal|restore|down` (migration 0022's keyed part; issue 19, item 8):
 *   seal     seal every account row still holding personal data in clear (the server also does
 *            this at every start, before serving)
 *   restore  write every sealed row's personal data back in clear and clear the sealed value
 *   down     restore, then undo migration 0022 (what `npm run migrate -- down` refuses to do
 *            while rows are sealed: it holds no keys)
 * Reads the same environment as the server (DATABASE_URL or DATA_DIR; DATA_KEKS, BLIND_INDEX_KEY).
 * Prints counts only, never a value.
 */
import { join } from 'node:path';
import { migrateDown, openDatabase } from '@camdigikey/db';
import { sql } from 'kysely';
import { restorePlaintextRows, sealPlaintextRows } from '../accounts/personal-data';
import { ConfigError, loadPersonalDataSettings } from '../config/load';
import { Envelope } from '../crypto/envelope';
import { BlindIndex } from '../crypto/keyed-hash';

const MIGRATION = '0022_personal_data_sealed';

let settings: ReturnType<typeof loadPersonalDataSettings>;
try {
  settings = loadPersonalDataSettings(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
const command = process.argv[2] ?? '';
if (!['seal', 'restore', 'down'].includes(command)) {
  console.error('usage: npm run pii -- seal|restore|down');
  process.exit(2);
}
const keys = { envelope: new Envelope(settings.keks), blindIndex: new BlindIndex(settings.blindIndexKey) };
const { db, close } = await openDatabase({
  url: settings.databaseUrl,
  dataDir: settings.databaseUrl ? undefined : join(settings.dataDir, 'pglite'),
});
try {
  const applied = await sql<{ name: string }>`
    select name from kysely_migration order by name desc limit 1`.execute(db);
  const latest = applied.rows[0]?.name;
  if (command === 'seal') console.log(`sealed: ${await sealPlaintextRows(db, keys)} account(s)`);
  else if (command === 'restore')
    console.log(`restored: ${await restorePlaintextRows(db, keys.envelope)} account(s)`);
  else if (latest !== MIGRATION) {
    console.error(`the latest migration is ${latest ?? 'none'}, not ${MIGRATION}: undo the later ones first`);
    process.exitCode = 1;
  } else {
    console.log(`restored: ${await restorePlaintextRows(db, keys.envelope)} account(s)`);
    console.log((await migrateDown(db)).join('\n'));
  }
} finally {
  await close();
}
