/**
 * Test databases cloned from one migrated template, prepared once per test run by
 * tests/support/global-setup.ts:
 *  - with DATABASE_URL: `CREATE DATABASE … TEMPLATE <template>` (milliseconds), dropped after;
 *  - without: a PGlite instance loaded from the template's dump (~0.5 s instead of booting and
 *    migrating, ~300 MB each, so one per test file).
 *
 * Every run has its own template (`cdk_tpl_<server epoch>_<random>`, named in
 * CDK_PG_TEMPLATE for the test workers) and its clones are `cdk_t_<server epoch>_<random>`, so
 * two runs against one PostgreSQL never touch each other's databases. The epoch is the
 * PostgreSQL server's own time (not this process's, which a shifted-clock run fakes), so a run
 * can drop what crashed runs left behind more than a day ago without touching a live run.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Database, type DatabaseKind, openDatabase } from '@camdigikey/db';
import type { Kysely } from 'kysely';
import pg from 'pg';

/** Names of databases the tests create: the run's template and the per-file clones. */
const TEST_DATABASE_NAME = /^cdk_(tpl|t)_(\d+)_[0-9a-f]+$/;
const STALE_AFTER_SECONDS = 24 * 3600;

export interface TestDatabase {
  db: Kysely<Database>;
  kind: DatabaseKind;
  url: string | undefined;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function databaseUrlFor(baseUrl: string, name: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  baseUrl: string,
  sqlText: string,
): Promise<R[]> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return (await client.query<R>(sqlText)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh database name of the given kind, stamped with the PostgreSQL server's time. */
export async function testDatabaseName(baseUrl: string, kind: 'tpl' | 't'): Promise<string> {
  const [row] = await adminQuery<{ epoch: string }>(
    baseUrl,
    'select floor(extract(epoch from now()))::bigint as epoch',
  );
  return `cdk_${kind}_${row?.epoch ?? 0}_${randomBytes(5).toString('hex')}`;
}

/** Drops test databases (templates and clones) that crashed runs left more than a day ago. */
export async function dropStaleTestDatabases(baseUrl: string): Promise<string[]> {
  const rows = await adminQuery<{ datname: string; epoch: string }>(
    baseUrl,
    "select datname, floor(extract(epoch from now()))::bigint as epoch from pg_database where datname like 'cdk\\_%'",
  );
  const stale = rows
    .filter((row) => {
      const match = TEST_DATABASE_NAME.exec(row.datname);
      return match && Number(row.epoch) - Number(match[2]) > STALE_AFTER_SECONDS;
    })
    .map((row) => row.datname);
  for (const name of stale) await adminQuery(baseUrl, `drop database if exists ${name} with (force)`);
  return stale;
}

/** The template database of this run (set by the global setup). */
export function runTemplateDatabase(): string {
  const name = process.env.CDK_PG_TEMPLATE;
  if (!name) throw new Error('CDK_PG_TEMPLATE is not set: run the tests through vitest (global setup)');
  return name;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl) {
    const name = await testDatabaseName(baseUrl, 't');
    await adminQuery(baseUrl, `create database ${name} template ${runTemplateDatabase()}`);
    const url = databaseUrlFor(baseUrl, name);
    const opened = await openDatabase({ url, poolSize: 5 });
    return {
      db: opened.db,
      kind: opened.kind,
      url,
      ping: opened.ping,
      async close() {
        await opened.close();
        await adminQuery(baseUrl, `drop database if exists ${name} with (force)`);
      },
    };
  }
  const dump = process.env.CDK_PGLITE_TEMPLATE;
  if (!dump) throw new Error('CDK_PGLITE_TEMPLATE is not set: run the tests through vitest (global setup)');
  const opened = await openDatabase({ loadDataDir: new Blob([await readFile(dump)]) });
  return { db: opened.db, kind: opened.kind, url: undefined, ping: opened.ping, close: opened.close };
}
