/**
 * Redis for tests that need a real one (two instances sharing events and nonces): the run's
 * REDIS_URL when it has one, otherwise a throwaway Redis of the test's own (testkit's
 * local-services), so the check runs on every machine with `redis-server` installed.
 */
import { spawnSync } from 'node:child_process';
import { startLocalRedis } from '@camdigikey/testkit/local-services';

export const hasRedisServer = (): boolean => spawnSync('redis-server', ['--version']).status === 0;

export async function redisForTest(): Promise<{ url: string; close(): Promise<void> } | undefined> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, close: async () => undefined };
  if (!hasRedisServer()) return undefined;
  const redis = await startLocalRedis();
  return { url: redis.url, close: () => redis.stop() };
}
