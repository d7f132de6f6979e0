/**
 * The Prometheus endpoint, on its own listener (METRICS_HOST:METRICS_PORT) so it is never
 * reachable through the public port or the load balancer; with METRICS_TOKEN it also wants
 * `Authorization: Bearer <token>` (compared in constant time).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Deps } from '../deps';
import { listenOrExplain } from './listen';

const digest = (value: string) => createHash('sha256').update(value).digest();

export async function startMetricsListener(
  deps: Deps,
): Promise<{ port: number; close(): Promise<void> } | undefined> {
  const { port, host, token } = deps.config.metrics;
  if (port === undefined) return undefined;
  const expected = token ? digest(`Bearer ${token}`) : undefined;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    deps.metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': deps.metrics.registry.contentType }).end(text);
      },
      (err: unknown) => {
        deps.logger.error({ err }, 'metrics collection failed');
        res.writeHead(500).end();
      },
    );
  });
  const bound = await listenOrExplain(server, { host, port }, 'METRICS_PORT');
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
