/**
 * A durable job queue in PostgreSQL (or PGlite). Jobs are enqueued in the caller's transaction,
 * so a registration and its evidence job commit together. A worker claims one job at a time with
 * `FOR UPDATE SKIP LOCKED` under a lease; if the worker dies the lease runs out and another
 * claims the job again. Failures are retried with exponential backoff up to `max_attempts`.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '@camdigikey/db';
import { type Kysely, sql, type Transaction } from 'kysely';

export type Executor = Kysely<Database> | Transaction<Database>;
export const JOBS_CHANNEL = 'jobs:queued';

export interface ClaimedJob {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
}

export async function enqueueJob(
  db: Executor,
  kind: string,
  payload: Record<string, unknown>,
  now: Date,
  maxAttempts = 5,
) {
  const id = randomUUID();
  await db
    .insertInto('jobs')
    .values({
      id,
      kind,
      payload: JSON.stringify(payload),
      state: 'queued',
      max_attempts: maxAttempts,
      run_after: now,
      locked_until: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/**
 * Claim the next due job (or one whose lease expired), or undefined. With `kinds`, only jobs of
 * those kinds: a worker never claims a job it has no handler for (the notification worker and
 * the evidence worker of one process share the table, each with its own kinds).
 */
export async function claimJob(
  db: Kysely<Database>,
  now: Date,
  leaseSeconds: number,
  kinds?: readonly string[],
): Promise<ClaimedJob | undefined> {
  const lease = new Date(now.getTime() + leaseSeconds * 1000);
  const ofKind =
    kinds && kinds.length > 0 ? sql`and kind in (${sql.join(kinds.map((k) => sql`${k}`))})` : sql``;
  const result = await sql<{
    id: string;
    kind: string;
    payload: Record<string, unknown>;
    attempts: number;
    max_attempts: number;
  }>`
    update jobs set state = 'running', attempts = attempts + 1, locked_until = ${lease}, updated_at = ${now}
    where id = (
      select id from jobs
      where ((state = 'queued' and run_after <= ${now}) or (state = 'running' and locked_until < ${now}))
      ${ofKind}
      order by run_after
      limit 1
      for update skip locked
    )
    returning id, kind, payload, attempts, max_attempts`.execute(db);
  const row = result.rows[0];
  return row
    ? {
        id: row.id,
        kind: row.kind,
        payload: row.payload,
        attempts: row.attempts,
        maxAttempts: row.max_attempts,
      }
    : undefined;
}

export async function completeJob(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ state: 'done', locked_until: null, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function failJob(
  db: Kysely<Database>,
  job: ClaimedJob,
  error: string,
  now: Date,
): Promise<void> {
  const final = job.attempts >= job.maxAttempts;
  const backoffMs = Math.min(3_600_000, 2 ** job.attempts * 5_000);
  await db
    .updateTable('jobs')
    .set({
      state: final ? 'failed' : 'queued',
      run_after: new Date(now.getTime() + backoffMs),
      locked_until: null,
      last_error: error.slice(0, 2000),
      updated_at: now,
    })
    .where('id', '=', job.id)
    .execute();
}
