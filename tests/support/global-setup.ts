/**
 * Runs once before all test files: migrates a template database (PostgreSQL when DATABASE_URL
 * is set, PGlite otherwise) that createTestDatabase() clones for each file, and checks that
 * migrations are reversible (up, down to nothing, up again) on a fresh schema.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateAllDown, migrateToLatest, openDatabase } from '@camdigikey/db';
import {
  adminQuery,
  databaseUrlFor,
  dropStaleTestDatabases,
  testDatabaseName,
} from '@camdigikey/testkit/test-database';

export default async function setup() {
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl) {
    const stale = await dropStaleTestDatabases(baseUrl);
    if (stale.length > 0) console.log(`dropped ${stale.length} test database(s) left by crashed runs`);
    const template = await testDatabaseName(baseUrl, 'tpl');
    await adminQuery(baseUrl, `create database ${template}`);
    process.env.CDK_PG_TEMPLATE = template;
    const opened = await openDatabase({ url: databaseUrlFor(baseUrl, template), poolSize: 1 });
    await migrateToLatest(opened.db);
    await migrateAllDown(opened.db);
    await migrateToLatest(opened.db);
    await opened.close();
    return async () => {
      await adminQuery(baseUrl, `drop database if exists ${template} with (force)`);
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'cdk-pglite-'));
  const lite = await openDatabase({});
  await migrateToLatest(lite.db);
  await migrateAllDown(lite.db);
  await migrateToLatest(lite.db);
  const dump = await lite.dump!();
  await lite.close();
  const file = join(dir, 'template.tar');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  process.env.CDK_PGLITE_TEMPLATE = file;
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
