/**
 * Device API: the account's status, once (JSON) or as a server-sent event stream that pushes
 * every change without polling. The stream starts with the current status, sends a comment
 * every 15 s to keep proxies from closing it, and ends when the server shuts down after a last
 * `reconnect` event (the app reconnects with a fresh proof, to another instance).
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps';
import { requireRegisteredDevice } from '../device/device-auth';
import { openEventStream, type Streams } from '../http/event-stream';
import { readAccountStatus, statusChannel } from './account-status';

export function statusRoutes(app: FastifyInstance, deps: Deps, streams: Streams): void {
  app.get('/api/device/v1/account/status', async (request, reply) => {
    const { accountId } = await requireRegisteredDevice(request, reply, deps);
    return readAccountStatus(deps, accountId);
  });

  app.get('/api/device/v1/account/status/stream', async (request, reply) => {
    const { accountId } = await requireRegisteredDevice(request, reply, deps);
    const current = await readAccountStatus(deps, accountId);
    await openEventStream(deps, request, reply, streams, {
      event: 'status',
      channel: statusChannel(accountId),
      initial: JSON.stringify(current),
    });
  });
}
