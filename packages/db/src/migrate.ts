/**
 * Runs the migrations with Kysely's Migrator over the static list in ./migrations (no file-system
 * scanning, so it behaves the same under tsx, vitest and a bundle).
 */
import { type Kysely, type MigrationResultSet, Migrator, sql } from 'kysely';
import { migrations } from './migrations';

function migrator(db: Kysely<unknown>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

function unwrap(set: MigrationResultSet): string[] {
  if (set.error) {
    const failed = set.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String(set.error)}`, { cause: set.error });
  }
  return (set.results ?? []).map((r) => `${r.direction} ${r.migrationName}`);
}

/**
 * The migrations of this release not yet applied to the database, oldest first (all of them on an
 * empty database). Tools that read the schema check this first, so that an unmigrated database
 * gets one clear sentence instead of a raw "relation does not exist".
 */
export async function pendingMigrations<T>(db: Kysely<T>): Promise<string[]> {
  if (await upToDate(db as Kysely<unknown>)) return [];
  const infos = await migrator(db as Kysely<unknown>).getMigrations();
  return infos.filter((m) => !m.executedAt).map((m) => m.name);
}

/** One line for an operator when `pending` is not empty, else undefined. */
export function unmigratedMessage(pending: readonly string[]): string | undefined {
  if (pending.length === 0) return undefined;
  return `the database is not migrated to this release: ${pending.length} migration(s) pending, from ${pending[0]}; run \`npm run migrate\` (release: \`node apps/server/dist/cli.mjs migrate\`) first`;
}

/**
 * Is every known migration applied, and nothing else? One query, where the Migrator first
 * introspects the whole schema (every table and column) and takes its lock: what every instance
 * of a deployment asks at start-up of an up-to-date database. Anything else (no migration table
 * yet, a migration missing or unknown) is the Migrator's to do or to refuse.
 */
async function upToDate(db: Kysely<unknown>): Promise<boolean> {
  const known = Object.keys(migrations).sort();
  // Asked first rather than caught: a failed statement would abort a caller's transaction.
  const table = await sql<{
    present: boolean;
  }>`select to_regclass('kysely_migration') is not null as present`.execute(db);
  if (!table.rows[0]?.present) return false;
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.length === known.length && rows.every((row, i) => row.name === known[i]);
}

export async function migrateToLatest<T>(db: Kysely<T>): Promise<string[]> {
  if (await upToDate(db as Kysely<unknown>)) return [];
  return unwrap(await migrator(db as Kysely<unknown>).migrateToLatest());
}

/** Up or down until `name` is the last migration applied. */
export async function migrateTo<T>(db: Kysely<T>, name: string): Promise<string[]> {
  return unwrap(await migrator(db as Kysely<unknown>).migrateTo(name));
}

export async function migrateDown<T>(db: Kysely<T>): Promise<string[]> {
  return unwrap(await migrator(db as Kysely<unknown>).migrateDown());
}

export async function migrateAllDown<T>(db: Kysely<T>): Promise<string[]> {
  const done: string[] = [];
  for (;;) {
    const step = unwrap(await migrator(db as Kysely<unknown>).migrateDown());
    if (step.length === 0) return done;
    done.push(...step);
  }
}
