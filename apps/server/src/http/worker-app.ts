/**
 * The HTTP side of a worker-role process: only /healthz and /readyz (for the orchestrator's
 * probes). No public API is served here, so a worker never needs to be behind the balancer.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Deps } from '../deps';
import { healthRoutes } from './health.routes';

export async function buildWorkerApp(deps: Deps): Promise<{ fastify: FastifyInstance }> {
  const fastify = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, return503OnClosing: true });
  healthRoutes(fastify, deps);
  return { fastify };
}
