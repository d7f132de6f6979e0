/**
 * Test databases cloned from one migrated template, prepared once per test run by
 * tests/support/global-setup.ts:
 *  - with DATABASE_URL: `CREATE DATABASE … TEMPLATE <template>` (milliseconds), dropped after;
 *  - without: a PGlite instance loaded from the template's dump (~0.5 s instead of booting and
 *    migrating, ~300 MB each, so one per test file).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Database, type DatabaseKind, openDatabase } from '@camdigikey/db';
import type { Kysely } from 'kysely';
import pg from 'pg';

export const TEMPLATE_DATABASE = 'cdk_test_template';

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

export async function adminQuery(baseUrl: string, sqlText: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl) {
    const name = `cdk_t_${randomBytes(6).toString('hex')}`;
    await adminQuery(baseUrl, `create database ${name} template ${TEMPLATE_DATABASE}`);
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
