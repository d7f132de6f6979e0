/**
 * Rate limits of the endpoints that check or set an officer's password (console sign-in, officer
 * creation): per client IP and per user name (or administrator), in one-minute windows of the hot
 * state (shared by instances). Checked before any database or hashing work, so a flood from one
 * address costs a counter increment per request and answers 429 `rate_limited` with Retry-After.
 * The per-IP limit is counted first: requests it refuses do not count against a user name.
 */
import type { Deps } from '../deps';
import { AppError } from '../errors';

const WINDOW_SECONDS = 60;

export async function limitPasswordAttempts(
  deps: Deps,
  input: { ip: string; username?: string | undefined },
): Promise<void> {
  const { perIpPerMinute, perUsernamePerMinute } = deps.config.passwords;
  const now = deps.clock.now();
  const refuse = (resetInMs: number) =>
    new AppError('rate_limited', {
      details: { retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) },
    });
  const byIp = await deps.hot.hit(`password-ip:${input.ip}`, WINDOW_SECONDS, now, perIpPerMinute);
  if (byIp.count > perIpPerMinute) throw refuse(byIp.resetInMs);
  if (input.username === undefined) return;
  const byName = await deps.hot.hit(
    `password-user:${input.username.toLowerCase()}`,
    WINDOW_SECONDS,
    now,
    perUsernamePerMinute,
  );
  if (byName.count > perUsernamePerMinute) throw refuse(byName.resetInMs);
}
