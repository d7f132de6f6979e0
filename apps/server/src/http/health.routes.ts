/**
 * /healthz: the process is alive (no dependencies checked, for the orchestrator's liveness).
 * /readyz: the database and the hot-state store answer (for the load balancer).
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps';

export function healthRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const check = async (probe: () => Promise<void>) => {
      try {
        await Promise.race([
          probe(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000)),
        ]);
        return 'ok';
      } catch {
        return 'down';
      }
    };
    const [database, hotState] = await Promise.all([check(deps.pingDb), check(() => deps.hot.ping())]);
    const ready = database === 'ok' && hotState === 'ok';
    return reply.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      checks: {
        database: { status: database, kind: deps.dbKind },
        hotState: { status: hotState, kind: deps.hot.kind },
      },
    });
  });
}
