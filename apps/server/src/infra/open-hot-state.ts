import type { HotState } from './hot-state';
import { MemoryHotState } from './memory-hot-state';
import { RedisHotState, type RedisLimits, type RedisLog, type RedisTarget } from './redis-hot-state';

/** Redis (one server or a Sentinel-monitored master) when configured, process memory otherwise. */
export const openHotState = (
  target: RedisTarget,
  prefix: string,
  log?: RedisLog,
  limits?: RedisLimits,
): HotState =>
  target.url || target.sentinels?.length
    ? new RedisHotState(target, prefix, log, limits)
    : new MemoryHotState();
