/**
 * Hot state in the system of record (PostgreSQL or PGlite), used when no Redis is configured
 * (the embedded default, issue 19 item 13): the counters that guard security and the one-time
 * values and claims survive a restart, so a restart neither refills an attacker's budgets nor
 * lets a used nonce or proof id be replayed.
 *
 * Each operation decides in ONE statement (`insert … on conflict … do update … returning`, or
 * `delete … returning`), so parallel requests, on one instance or several sharing the database,
 * count and claim exactly. Times come from the `now` argument (the platform clock), as in the
 * other adapters; rows carry their expiry. Expired rows are deleted by the scheduled clean-up
 * (background/maintenance.ts, worker role) and, so that a flood of writes (e.g. nonces asked for
 * without end) cannot outgrow it, by this adapter too: every SWEEP_EVERY writes it deletes up to
 * SWEEP_BATCH expired rows of each table, in the background (like the memory adapter's sweep).
 *
 * Events stay in this process (the embedded mode is one process): publish/subscribe are the
 * in-memory adapter's. They only wake waiters up; authoritative state is in the database.
 */
import { createHash } from 'node:crypto';
import type { Database } from '@camdigikey/db';
import { type Kysely, sql } from 'kysely';
import { type CounterHit, type HotState, slidingHit, windowOf } from './hot-state';
import { MemoryHotState } from './memory-hot-state';

/**
 * Keys name what they count, and parts of some come from the caller (a proof's nonce and id, a
 * username): a long one is stored as its SHA-256, so that no key can exceed what a B-tree index
 * entry may hold (~2.7 kB) and turn a request into a database error.
 */
const MAX_PLAIN_KEY = 200;
const stored = (key: string): string =>
  key.length <= MAX_PLAIN_KEY ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;

const SWEEP_EVERY = 200;
const SWEEP_BATCH = 1000;

export class DatabaseHotState implements HotState {
  readonly kind = 'database' as const;
  private readonly events = new MemoryHotState();
  private writes = 0;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly db: Kysely<Database>) {}

  async hit(name: string, windowSeconds: number, now: Date, limit?: number): Promise<CounterHit> {
    const key = stored(name);
    const { index, resetInMs } = windowOf(now, windowSeconds);
    // Kept through the next window too, where it is the previous one.
    const expiresAt = new Date(now.getTime() + resetInMs + windowSeconds * 1000);
    const row = await this.db
      .with('bumped', (db) =>
        db
          .insertInto('hot_counters')
          .values({
            key,
            window_seconds: windowSeconds,
            window_index: index,
            count: 1,
            expires_at: expiresAt,
          })
          .onConflict((oc) =>
            oc
              .columns(['key', 'window_seconds', 'window_index'])
              .doUpdateSet({ count: sql<number>`hot_counters.count + 1` }),
          )
          .returning('count'),
      )
      .selectFrom('bumped')
      .select((eb) => [
        'bumped.count as current',
        eb
          .selectFrom('hot_counters')
          .select('hot_counters.count')
          .where('hot_counters.key', '=', key)
          .where('hot_counters.window_seconds', '=', windowSeconds)
          .where('hot_counters.window_index', '=', index - 1)
          .as('previous'),
      ])
      .executeTakeFirstOrThrow();
    this.written(now);
    return slidingHit(Number(row.previous ?? 0), Number(row.current), now, windowSeconds, limit);
  }

  async putOnce(key: string, ttlSeconds: number, now: Date): Promise<void> {
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
    await this.db
      .insertInto('hot_once')
      .values({ key: stored(`once:${key}`), expires_at: expiresAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: expiresAt }))
      .execute();
    this.written(now);
  }

  async claim(key: string, ttlSeconds: number, now: Date): Promise<boolean> {
    // The insert wins for the first claimant; a later one takes the row over only when the
    // claim it finds has expired (the condition is checked on the row as committed).
    const claimed = await this.db
      .insertInto('hot_once')
      .values({ key: stored(`claim:${key}`), expires_at: new Date(now.getTime() + ttlSeconds * 1000) })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ expires_at: (eb) => eb.ref('excluded.expires_at') })
          .where('hot_once.expires_at', '<=', now),
      )
      .returning('key')
      .executeTakeFirst();
    this.written(now);
    return claimed !== undefined;
  }

  async takeOnce(key: string, now: Date): Promise<boolean> {
    const taken = await this.db
      .deleteFrom('hot_once')
      .where('key', '=', stored(`once:${key}`))
      .returning('expires_at')
      .executeTakeFirst();
    return taken !== undefined && taken.expires_at.getTime() > now.getTime();
  }

  publish(channel: string, message: string): Promise<void> {
    return this.events.publish(channel, message);
  }

  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    return this.events.subscribe(channel, handler);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    // The database belongs to the caller (deps closes it): a sweep under way ends first.
    await this.sweeping;
    await this.events.close();
  }

  /** Counts a write; every SWEEP_EVERY-th starts a sweep unless one is under way. */
  private written(now: Date): void {
    if (++this.writes % SWEEP_EVERY !== 0 || this.sweeping) return;
    this.sweeping = this.sweep(now)
      // Best effort: the scheduled clean-up deletes what a failed sweep left.
      .catch(() => undefined)
      .finally(() => {
        this.sweeping = undefined;
      });
  }

  private async sweep(now: Date): Promise<void> {
    await sql`
      delete from hot_counters where ctid in (
        select ctid from hot_counters where expires_at <= ${now} limit ${SWEEP_BATCH})`.execute(this.db);
    await sql`
      delete from hot_once where ctid in (
        select ctid from hot_once where expires_at <= ${now} limit ${SWEEP_BATCH})`.execute(this.db);
  }
}
