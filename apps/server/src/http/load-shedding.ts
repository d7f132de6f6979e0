/**
 * Load shedding (issue 18): a bound on the requests this process works on at once. Beyond it a
 * request is refused at once with 503 `service_unavailable` (details.reason `overloaded`) and
 * Retry-After, before any parsing, database or hashing work, instead of joining a queue that
 * only grows (the latency of everyone admitted stays bounded; the backlog drains as soon as the
 * load stops). Health probes are never shed; long-lived event streams leave the count once they
 * are open (`releaseLongLived`), so open streams do not use up the bound.
 *
 * Hashing has its own, smaller bound (the PIN and password pools' queues: pin/pin-hasher.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors';

const counted = new WeakSet<FastifyRequest>();
const releases = new WeakMap<FastifyRequest, () => void>();

export interface LoadShedding {
  stats(): { inFlight: number; maxInFlight: number; shed: number };
}

const EXEMPT = new Set(['/healthz', '/readyz']);

export function installLoadShedding(app: FastifyInstance, maxInFlight: number): LoadShedding {
  let inFlight = 0;
  let shed = 0;
  if (maxInFlight > 0) {
    app.addHook('onRequest', (request, reply, done) => {
      const path = request.url.split('?', 1)[0] as string;
      if (EXEMPT.has(path)) return done();
      if (inFlight >= maxInFlight) {
        shed++;
        return done(
          new AppError('service_unavailable', { details: { retryAfterSeconds: 1, reason: 'overloaded' } }),
        );
      }
      inFlight++;
      counted.add(request);
      const release = () => {
        if (!counted.delete(request)) return;
        inFlight--;
      };
      releases.set(request, release);
      // Sent, or the client went away: either way this request no longer counts.
      reply.raw.once('close', release);
      done();
    });
  }
  return { stats: () => ({ inFlight, maxInFlight, shed }) };
}

/** An event stream is open: it no longer counts against the bound (it may last for minutes). */
export function releaseLongLived(request: FastifyRequest): void {
  releases.get(request)?.();
}
