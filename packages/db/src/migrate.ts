/**
 * Runs the migrations with Kysely's Migrator over the static list in ./migrations (no file-system
 * scanning, so it behaves the same under tsx, vitest and a bundle).
 */
import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
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
  const infos = await migrator(db as Kysely<unknown>).getMigrations();
  return infos.filter((m) => !m.executedAt).map((m) => m.name);
}

/** One line for an operator when `pending` is not empty, else undefined. */
export function unmigratedMessage(pending: readonly string[]): string | undefined {
  if (pending.length === 0) return undefined;
  return `the database is not migrated to this release: ${pending.length} migration(s) pending, from ${pending[0]}; run \`npm run migrate\` (release: \`node apps/server/dist/cli.mjs migrate\`) first`;
}

export async function migrateToLatest<T>(db: Kysely<T>): Promise<string[]> {
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
