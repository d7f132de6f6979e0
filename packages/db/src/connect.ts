/**
 * Opens the system of record: PostgreSQL when a URL is given, otherwise an embedded PGlite
 * database in a data folder, run on a worker thread of its own (pglite-thread.ts; architecture.md,
 * decision 2). Both speak the same SQL and run the same migrations; type parsing is aligned so
 * that application code sees the same values (DATE as 'YYYY-MM-DD' strings, INT8 as numbers,
 * TIMESTAMPTZ as Date, BYTEA as Uint8Array).
 */
import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { pglitePool } from './pglite-pool';
import { PgliteThread } from './pglite-thread';
import type { Database } from './schema';

export type DatabaseKind = 'postgres' | 'pglite';

export interface OpenDatabase {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  /** Run a trivial query; throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** PostgreSQL only: the connection pool right now (for metrics). */
  poolStats?(): { total: number; idle: number; waiting: number; max: number };
  close(): Promise<void>;
  /** PGlite only: a tarball of the data folder (to clone a prepared database quickly). */
  dump?(): Promise<Blob>;
}

export interface OpenOptions {
  /** postgres://… ; when absent an embedded PGlite database is used. */
  url?: string | undefined;
  /** PGlite data folder; `memory://` or undefined keeps it in memory. */
  dataDir?: string | undefined;
  /** A PGlite dump (from `dumpDataDir`) to start from, e.g. a migrated template in tests. */
  loadDataDir?: Blob | File | undefined;
  /** Maximum pool size for PostgreSQL. */
  poolSize?: number;
  /**
   * An idle pooled connection failed (server restart, failover, a dropped database). The pool
   * replaces it on next use; without a listener Node would crash the process.
   */
  onIdleError?: (error: Error) => void;
  /**
   * PostgreSQL only: how long to wait for a connection, either a new one (TCP and start-up) or a
   * free one from the full pool (node-postgres uses one bound for both). Unset = no bound.
   */
  connectTimeoutMs?: number | undefined;
  /**
   * PostgreSQL only: the longest a statement may run. The server cancels it then
   * (`statement_timeout`); the client stops waiting a little later, so a frozen or unreachable
   * server cannot hold a caller either. Unset = no bound (migrations, command-line tools).
   */
  queryTimeoutMs?: number | undefined;
  /** PostgreSQL only: TCP keepalive on every connection, first probe after this idle time. */
  keepAliveDelayMs?: number | undefined;
}

/** How much later than the server's statement_timeout the client gives up on an answer. */
const CLIENT_GRACE_MS = 500;

const INT8 = 20;
const DATE = 1082;
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);

export async function openDatabase(options: OpenOptions): Promise<OpenDatabase> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
      ...(options.queryTimeoutMs
        ? {
            statement_timeout: options.queryTimeoutMs,
            query_timeout: options.queryTimeoutMs + CLIENT_GRACE_MS,
          }
        : {}),
      ...(options.keepAliveDelayMs
        ? { keepAlive: true, keepAliveInitialDelayMillis: options.keepAliveDelayMs }
        : {}),
    });
    pool.on('error', (error) => options.onIdleError?.(error));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: 'postgres',
      async ping() {
        await pool.query('select 1');
      },
      poolStats: () => ({
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
        max: options.poolSize ?? 10,
      }),
      async close() {
        await db.destroy();
      },
    };
  }
  // PGlite creates only the last folder of its data path.
  if (options.dataDir && !options.dataDir.includes('://')) mkdirSync(options.dataDir, { recursive: true });
  // The embedded engine (WebAssembly) runs on a worker thread of its own, started only when it is
  // used (never beside PostgreSQL): its statements run synchronously and would stall the event loop.
  const lite = await PgliteThread.start({ dataDir: options.dataDir, loadDataDir: options.loadDataDir });
  // biome-ignore lint/suspicious/noExplicitAny: the shim implements the subset of pg.Pool Kysely uses.
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pglitePool(lite) as any }) });
  return {
    db,
    kind: 'pglite',
    ping: () => lite.ping(),
    async close() {
      await db.destroy();
      await lite.close();
    },
    dump: () => lite.dump(),
  };
}
