/**
 * `npm run migrate -- up|down|redo` against DATABASE_URL, or the PGlite folder DATA_DIR/pglite.
 */
import { join } from 'node:path';
import { openDatabase } from './connect';
import { migrateDown, migrateToLatest } from './migrate';

const command = process.argv[2] ?? 'up';
const url = process.env.DATABASE_URL || undefined;
const dataDir = url ? undefined : join(process.env.DATA_DIR ?? '.data', 'pglite');
const { db, close } = await openDatabase({ url, dataDir });
try {
  if (command === 'up') console.log((await migrateToLatest(db)).join('\n') || 'up to date');
  else if (command === 'down') console.log((await migrateDown(db)).join('\n') || 'nothing to undo');
  else if (command === 'redo') {
    console.log([...(await migrateDown(db)), ...(await migrateToLatest(db))].join('\n'));
  } else {
    console.error(`unknown command ${command}: use up, down or redo`);
    process.exitCode = 2;
  }
} finally {
  await close();
}
