/**
 * Runs once before all test files: migrates a template database (PostgreSQL when DATABASE_URL
 * is set, PGlite otherwise) that createTestDatabase() clones for each file, and checks that
 * migrations are reversible (up, down to nothing, up again) on a fresh schema.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateAllDown, migrateToLatest, openDatabase } from '@camdigikey/db';
import { adminQuery, databaseUrlFor, TEMPLATE_DATABASE } from '@camdigikey/testkit/test-database';

export default async function setup() {
  const baseUrl = process.env.DATABASE_URL;
  if (baseUrl) {
    await adminQuery(baseUrl, `drop database if exists ${TEMPLATE_DATABASE} with (force)`);
    await adminQuery(baseUrl, `create database ${TEMPLATE_DATABASE}`);
    const template = await openDatabase({ url: databaseUrlFor(baseUrl, TEMPLATE_DATABASE), poolSize: 1 });
    await migrateToLatest(template.db);
    await migrateAllDown(template.db);
    await migrateToLatest(template.db);
    await template.close();
    return async () => {
      await adminQuery(baseUrl, `drop database if exists ${TEMPLATE_DATABASE} with (force)`);
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
