import type { Database } from '@camdigikey/db';
import type { Kysely } from 'kysely';
import { DatabaseHotState } from './database-hot-state';
import type { HotState } from './hot-state';
import { MemoryHotState } from './memory-hot-state';
import { RedisHotState, type RedisLimits, type RedisLog, type RedisTarget } from './redis-hot-state';

/**
 * Redis (one server or a Sentinel-monitored master) when configured; otherwise the database, so
 * that counters, one-time values and claims survive a restart (issue 19, item 13); process
 * memory only when neither is given (tools and unit tests).
 */
export const openHotState = (
  target: RedisTarget,
  prefix: string,
  log?: RedisLog,
  limits?: RedisLimits,
  db?: Kysely<Database>,
): HotState => {
  if (target.url || target.sentinels?.length) return new RedisHotState(target, prefix, log, limits);
  return db ? new DatabaseHotState(db) : new MemoryHotState();
};
