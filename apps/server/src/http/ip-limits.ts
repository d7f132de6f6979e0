/**
 * Per-IP rate limits of the unauthenticated endpoints that store something for each request
 * (issue 18, item 3): an authorization request (`/oidc/auth`, an interaction row) and a device
 * nonce (`POST /api/device/v1/nonce`, a one-time value in the hot state). Counted in one-minute
 * sliding windows of the hot state (shared by instances) before any other work, so a flood from
 * one address costs a counter increment per request and is answered 429 `rate_limited`
 * (message `error.rate_limited`, Khmer and English) with a Retry-After that says when the count
 * is below the limit again. The address is Fastify's `request.ip` (TRUST_PROXY honoured), as for
 * every other per-IP limit.
 *
 * The limits (OIDC_AUTH_PER_IP_PER_MINUTE, DEVICE_NONCES_PER_IP_PER_MINUTE) are generous enough
 * for many citizens behind one NAT and still bound what one address can keep alive: about the
 * limit per minute times the stored value's lifetime in minutes.
 */
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../deps';
import { AppError } from '../errors';

const WINDOW_SECONDS = 60;

export type IpLimit = 'oidc-auth' | 'device-nonce';

const perMinute = (deps: Deps, limit: IpLimit) =>
  limit === 'oidc-auth' ? deps.config.oidc.authPerIpPerMinute : deps.config.device.noncesPerIpPerMinute;

/** Counts one request from `ip` against `limit`; throws 429 rate_limited when it is over. */
export async function limitPerIp(deps: Deps, limit: IpLimit, ip: string): Promise<void> {
  const allowed = perMinute(deps, limit);
  const hit = await deps.hot.hit(`ip-${limit}:${ip}`, WINDOW_SECONDS, deps.clock.now(), allowed);
  if (hit.count > allowed)
    throw new AppError('rate_limited', {
      details: { retryAfterSeconds: Math.max(1, Math.ceil(hit.resetInMs / 1000)) },
    });
}

/**
 * The authorization endpoint as oidc-provider's router matches it: `/oidc/auth`, in any case and
 * with or without a trailing slash (never `/oidc/auth/<uid>`, the return from a login page).
 */
export function isAuthorizationRequest(url: string): boolean {
  const q = url.indexOf('?');
  const path = (q === -1 ? url : url.slice(0, q)).toLowerCase().replace(/\/+$/, '');
  return path === '/oidc/auth';
}

/** Fastify onRequest hook (before oidc-provider): the per-IP limit of authorization requests. */
export async function limitAuthorizationRequests(deps: Deps, request: FastifyRequest): Promise<void> {
  if (isAuthorizationRequest(request.url)) await limitPerIp(deps, 'oidc-auth', request.ip);
}
