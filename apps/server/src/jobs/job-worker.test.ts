/**
 * N workers share the PostgreSQL job queue without double work (issue 15, "Roles"): three
 * workers, each with its own connection pool when the database is PostgreSQL (as three worker
 * processes would have), drain one queue; every job runs exactly once and the work is spread.
 * A worker that dies holding a job loses it to another worker when its lease runs out.
 */
import { randomUUID } from 'node:crypto';
import { type Database, openDatabase } from '@camdigikey/db';
import { createTestDatabase, type TestDatabase } from '@camdigikey/testkit/test-database';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryHotState } from '../infra/memory-hot-state';
import { Metrics } from '../observability/metrics';
import { ManualClock } from '../ports/clock';
import { claimJob, completeJob, enqueueJob, JOBS_CHANNEL } from './job-queue';
import { JobWorker } from './job-worker';

let t: TestDatabase;
const pools: { db: Kysely<Database>; close(): Promise<void> }[] = [];
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  for (const p of pools) await p.close();
  await t?.close();
});

/** A connection pool of its own on PostgreSQL (one per worker process); the one PGlite otherwise. */
async function poolForWorker(): Promise<Kysely<Database>> {
  if (!t.url) return t.db;
  const opened = await openDatabase({ url: t.url, poolSize: 2 });
  pools.push(opened);
  return opened.db;
}

describe('the job queue shared by several workers', () => {
  it('runs every job exactly once across three workers, spread between them', async () => {
    const clock = new ManualClock('2026-11-30T02:00:00Z');
    const hot = new MemoryHotState();
    const kind = `test.${randomUUID()}`;
    const runs: { jobId: string; worker: number }[] = [];
    const workers = await Promise.all(
      [0, 1, 2].map(async (index) => {
        const db = await poolForWorker();
        return new JobWorker(
          { db, hot, clock, logger: pino({ level: 'silent' }), metrics: new Metrics({ role: 'worker' }) },
          {
            [kind]: async (job) => {
              runs.push({ jobId: job.id, worker: index });
              // Hold the job across a few turns of the event loop, as real work does.
              await new Promise((resolve) => setTimeout(resolve, 5));
            },
          },
          { pollMs: 60_000, leaseSeconds: 300 },
        );
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < 45; i++) ids.push(await enqueueJob(t.db, kind, { i }, clock.now()));
    for (const w of workers) await w.start();
    await hot.publish(JOBS_CHANNEL, kind);

    // Wait for the state (every job done), not for a time.
    for (;;) {
      const left = await t.db
        .selectFrom('jobs')
        .select('id')
        .where('kind', '=', kind)
        .where('state', '!=', 'done')
        .execute();
      if (left.length === 0) break;
      await Promise.all(workers.map((w) => w.wake()));
    }
    await Promise.all(workers.map((w) => w.stop()));

    expect(runs.map((r) => r.jobId).sort()).toEqual([...ids].sort());
    expect(new Set(runs.map((r) => r.jobId)).size).toBe(ids.length);
    const rows = await t.db
      .selectFrom('jobs')
      .select(['state', 'attempts'])
      .where('kind', '=', kind)
      .execute();
    expect(rows.every((r) => r.state === 'done' && r.attempts === 1)).toBe(true);
    expect(new Set(runs.map((r) => r.worker)).size).toBeGreaterThan(1);
  });

  it('gives the job of a worker that died to another one when its lease runs out, and to no one before', async () => {
    const clock = new ManualClock('2026-11-30T02:00:00Z');
    const kind = `test.${randomUUID()}`;
    const id = await enqueueJob(t.db, kind, {}, clock.now());
    const dying = await claimJob(t.db, clock.now(), 300);
    expect(dying?.id).toBe(id);
    // The worker is killed here: no completion. Within the lease nobody else gets the job.
    clock.advance(299_000);
    expect((await claimJob(t.db, clock.now(), 300))?.id).not.toBe(id);
    clock.advance(2_000);
    const retaken = await claimJob(t.db, clock.now(), 300);
    expect(retaken).toMatchObject({ id, attempts: 2 });
    await completeJob(t.db, id, clock.now());
    expect((await claimJob(t.db, clock.now(), 300))?.id).not.toBe(id);
  });

  it('hands a worker only the kinds it has handlers for (the evidence and notification workers share the table)', async () => {
    const clock = new ManualClock('2026-11-30T02:00:00Z');
    const mine = `test.${randomUUID()}`;
    const other = `test.${randomUUID()}`;
    const otherId = await enqueueJob(t.db, other, {}, clock.now());
    const mineId = await enqueueJob(t.db, mine, {}, clock.now());
    const ran: string[] = [];
    const worker = new JobWorker(
      {
        db: t.db,
        hot: new MemoryHotState(),
        clock,
        logger: pino({ level: 'silent' }),
        metrics: new Metrics({ role: 'worker' }),
      },
      { [mine]: async (job) => void ran.push(job.id) },
      { pollMs: 60_000, leaseSeconds: 300 },
    );
    await worker.settle();
    expect(ran).toEqual([mineId]);
    const untouched = await t.db
      .selectFrom('jobs')
      .select(['state', 'attempts'])
      .where('id', '=', otherId)
      .executeTakeFirstOrThrow();
    expect(untouched).toEqual({ state: 'queued', attempts: 0 });
    expect((await claimJob(t.db, clock.now(), 300, [other]))?.id).toBe(otherId);
  });
});
