/**
 * A one-connection "pool" that lets Kysely's PostgresDialect drive an embedded PGlite database.
 *
 * PGlite is a single PostgreSQL backend, so a transaction opened by one request would swallow the
 * statements of every other request that runs meanwhile. The pool therefore hands its only
 * connection to one borrower at a time (a FIFO mutex): Kysely borrows it for one statement, or for
 * a whole transaction, and releases it afterwards, which gives the same isolation as a real pool.
 * The mutex lives on the calling side; the database itself runs on a thread of its own
 * (pglite-thread.ts).
 */
import type { PgliteQueryResult } from './pglite-thread';

/** What the pool drives: the database thread (pglite-thread.ts) or anything that queries alike. */
export interface PgliteQueries {
  query(text: string, params: readonly unknown[]): Promise<PgliteQueryResult>;
}

interface QueryResultLike {
  command: string;
  rowCount: number;
  rows: unknown[];
}

export interface PgliteConnection {
  query(text: string, params?: readonly unknown[]): Promise<QueryResultLike>;
  release(): void;
}

export function pglitePool(db: PgliteQueries) {
  const waiting: Array<() => void> = [];
  let busy = false;

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else busy = false;
  };

  const connection: PgliteConnection = {
    async query(text, params) {
      const result = await db.query(text, params ?? []);
      const command = text.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
      return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
    },
    release,
  };

  return {
    connect(): Promise<PgliteConnection> {
      if (!busy) {
        busy = true;
        return Promise.resolve(connection);
      }
      return new Promise((resolve) => waiting.push(() => resolve(connection)));
    },
    async end(): Promise<void> {},
  };
}
