/**
 * The embedded database on its own thread (pglite-thread.ts, pglite-worker.mjs) behind the
 * one-connection pool Kysely drives (pglite-pool.ts): values and errors cross the thread boundary
 * intact, transactions stay isolated from concurrent borrowers, a dump loads back, and a dead or
 * closed thread rejects instead of leaving callers waiting. Runs on PGlite whatever the run's
 * database (DATABASE_URL only changes what the other tests use).
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenDatabase, openDatabase } from './connect';
import { PgliteThread, PgliteThreadError } from './pglite-thread';

// biome-ignore lint/suspicious/noExplicitAny: ad-hoc tables of these tests, not the application schema.
type Any = any;

/** The run's migrated template when it has one (loads in a fraction of a fresh start's time). */
async function template(): Promise<Blob | undefined> {
  const file = process.env.CDK_PGLITE_TEMPLATE;
  return file ? new Blob([await readFile(file)]) : undefined;
}

let open: OpenDatabase;
let db: Kysely<Any>;
beforeAll(async () => {
  open = await openDatabase({ loadDataDir: await template() });
  db = open.db as unknown as Kysely<Any>;
  await sql`create table things (id int primary key, name text not null unique, blob bytea, at timestamptz, day date, big int8)`.execute(
    db,
  );
});
afterAll(async () => open?.close());

describe('the PGlite thread', () => {
  it('runs parameterised queries and returns values as node-postgres would', async () => {
    const at = new Date('2024-03-05T06:07:08.009Z');
    const blob = new Uint8Array([0, 1, 2, 254, 255]);
    await db
      .insertInto('things')
      .values({ id: 1, name: 'one', blob: Buffer.from(blob), at, day: '2024-02-29', big: 9007199254740991 })
      .execute();
    const row = await db.selectFrom('things').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    expect(row.blob).toBeInstanceOf(Uint8Array);
    expect([...row.blob]).toEqual([...blob]);
    expect(row.at).toBeInstanceOf(Date);
    expect(row.at.toISOString()).toBe(at.toISOString());
    expect(row.day).toBe('2024-02-29');
    expect(row.big).toBe(9007199254740991);
    const counted = await sql<{ n: unknown }>`select count(*) as n from things where name = ${'one'}`.execute(
      db,
    );
    expect(counted.rows[0]?.n).toBe(1);
  });

  it('reports affected rows for Kysely', async () => {
    await db.insertInto('things').values({ id: 2, name: 'two' }).execute();
    const updated = await db
      .updateTable('things')
      .set({ name: 'deux' })
      .where('id', '=', 2)
      .executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(1n);
    const deleted = await db.deleteFrom('things').where('id', '=', 2).executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(1n);
  });

  it('keeps the PostgreSQL fields of an error (SQLSTATE code, constraint, table, detail)', async () => {
    await db.insertInto('things').values({ id: 3, name: 'three' }).execute();
    const error = await db
      .insertInto('things')
      .values({ id: 4, name: 'three' })
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e as Record<string, unknown>,
      );
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code: '23505',
      constraint: 'things_name_key',
      table: 'things',
      schema: 'public',
      severity: 'ERROR',
    });
    expect(String(error?.detail)).toContain('(name)=(three)');
    expect(String(error?.message)).toContain('duplicate key');
    const syntax = await sql`selec 1`.execute(db).catch((e: { code?: string }) => e);
    expect((syntax as { code?: string }).code).toBe('42601');
    // The connection is usable after an error.
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
  });

  it('isolates a transaction from borrowers that arrive while it runs', async () => {
    const order: string[] = [];
    let outside: Promise<unknown> | undefined;
    await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('things').values({ id: 10, name: 'uncommitted' }).execute();
        // Another request arrives mid-transaction: it must wait for the connection, not run
        // inside this transaction (where it would see the uncommitted row).
        outside = db
          .selectFrom('things')
          .select(sql<number>`count(*)`.as('n'))
          .where('id', '=', 10)
          .executeTakeFirstOrThrow()
          .then((row) => {
            order.push('outside');
            return row.n;
          });
        for (let i = 0; i < 5; i++) await sql`select ${i}::int`.execute(trx);
        order.push('transaction');
        throw new Error('roll back');
      })
      .catch((error: Error) => expect(error.message).toBe('roll back'));
    expect(await outside).toBe(0);
    expect(order).toEqual(['transaction', 'outside']);
  });

  it('serves concurrent borrowers one at a time, in order, and every one of them', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction().execute(async (trx) => {
          await trx
            .insertInto('things')
            .values({ id: 100 + i, name: `n${i}` })
            .execute();
          return (
            await trx
              .selectFrom('things')
              .select(sql<number>`count(*)`.as('n'))
              .where('id', '>=', 100)
              .executeTakeFirstOrThrow()
          ).n;
        }),
      ),
    );
    // Each transaction saw exactly the rows committed before it and its own.
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('dumps the data folder and a new database loads it back', async () => {
    await db
      .insertInto('things')
      .values({ id: 50, name: 'dumped', blob: new Uint8Array([9]) })
      .execute();
    const dump = await open.dump!();
    expect(dump.size).toBeGreaterThan(1_000_000);
    const copy = await openDatabase({ loadDataDir: dump });
    try {
      const row = await (copy.db as unknown as Kysely<Any>)
        .selectFrom('things')
        .select(['name', 'blob'])
        .where('id', '=', 50)
        .executeTakeFirstOrThrow();
      expect(row.name).toBe('dumped');
      expect([...row.blob]).toEqual([9]);
    } finally {
      await copy.close();
    }
  });

  it('refuses to open from a dump that is not one', async () => {
    await expect(PgliteThread.start({ loadDataDir: new Blob(['not a tarball']) })).rejects.toThrow();
  });

  it('rejects pending and later requests when the thread dies', async () => {
    const thread = await PgliteThread.start({ loadDataDir: await template() });
    // A statement that never ends on its own: it is still running when the thread is killed.
    const endless = thread.query(
      'with recursive t(n) as (select 1 union all select n + 1 from t) select count(*) from t',
    );
    const ping = thread.ping();
    await thread.worker.terminate();
    await expect(endless).rejects.toBeInstanceOf(PgliteThreadError);
    await expect(ping).rejects.toThrow(/PGlite thread exited/);
    await expect(thread.query('select 1')).rejects.toBeInstanceOf(PgliteThreadError);
    // Closing a dead thread settles too.
    await thread.close();
  });

  it('closes: the thread ends and later requests are refused', async () => {
    const thread = await PgliteThread.start({ loadDataDir: await template() });
    expect((await thread.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await Promise.all([thread.close(), thread.close()]);
    expect(thread.worker.threadId).toBe(-1);
    await expect(thread.query('select 1')).rejects.toThrow(/closed/);
  });

  it('lets a process end while the database is idle, but not while it waits for an answer', () => {
    // A command-line tool that forgets close() still ends (as with PGlite on the main thread),
    // and one awaiting a statement at top level is not cut short.
    const script = `
      import { sql } from 'kysely';
      import { openDatabase } from ${JSON.stringify(join(import.meta.dirname, 'connect.ts'))};
      const open = await openDatabase({});
      const { rows } = await sql\`select 40 + 2 as n\`.execute(open.db);
      console.log(JSON.stringify(rows));
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..'),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(child.stderr).not.toContain('Error');
    expect(child.stdout.trim()).toBe('[{"n":42}]');
    expect(child.status).toBe(0);
  }, 130_000);
});
