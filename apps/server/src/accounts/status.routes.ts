/**
 * Device API: the account's status, once (JSON) or as a server-sent event stream that pushes
 * every change without polling. The stream starts with the current status, sends a comment
 * every 15 s to keep proxies from closing it, and ends when the server shuts down (the app
 * reconnects with a fresh proof).
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps';
import { requireRegisteredDevice } from '../device/device-auth';
import { readAccountStatus, statusChannel } from './account-status';

const HEARTBEAT_MS = 15_000;

export function statusRoutes(app: FastifyInstance, deps: Deps, streams: Set<() => void>): void {
  app.get('/api/device/v1/account/status', async (request, reply) => {
    const { accountId } = await requireRegisteredDevice(request, reply, deps);
    return readAccountStatus(deps, accountId);
  });

  app.get('/api/device/v1/account/status/stream', async (request, reply) => {
    const { accountId } = await requireRegisteredDevice(request, reply, deps);
    const current = await readAccountStatus(deps, accountId);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let eventId = 0;
    const send = (data: string) => res.write(`id: ${++eventId}\nevent: status\ndata: ${data}\n\n`);
    send(JSON.stringify(current));

    const unsubscribe = await deps.hot.subscribe(statusChannel(accountId), send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const end = () => {
      clearInterval(heartbeat);
      streams.delete(end);
      void unsubscribe();
      if (!res.writableEnded) res.end();
    };
    streams.add(end);
    request.raw.on('close', end);
  });
}
