import type { HotState } from './hot-state';
import { MemoryHotState } from './memory-hot-state';
import { RedisHotState } from './redis-hot-state';

/** Redis when a URL is configured, process memory otherwise. */
export const openHotState = (url: string | undefined, prefix: string): HotState =>
  url ? new RedisHotState(url, prefix) : new MemoryHotState();
