import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Closing ends connections that carry no request. Node's `server.close()` closes idle keep-alive
 * connections, but not one that was opened and never sent a request (browsers and HTTP clients
 * open such connections ahead of need, and a client that aborts a queued request leaves them):
 * those held a shutdown (and a test server's close) until the headers timeout, ~70 s, past any
 * grace period. Once the server is closing, a connection is ended as soon as it has no request
 * in flight; requests in flight still finish and their answers are sent.
 */
export function closeQuietConnections(fastify: FastifyInstance): void {
  const server = fastify.server as Server;
  /** Requests in flight per open connection. */
  const open = new Map<Socket, number>();
  let closing = false;
  const endIfQuiet = (socket: Socket) => {
    if (closing && (open.get(socket) ?? 0) === 0) socket.destroySoon();
  };
  server.on('connection', (socket: Socket) => {
    open.set(socket, 0);
    socket.once('close', () => open.delete(socket));
    if (closing) endIfQuiet(socket);
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    open.set(socket, (open.get(socket) ?? 0) + 1);
    response.once('close', () => {
      if (!open.has(socket)) return;
      open.set(socket, Math.max(0, (open.get(socket) ?? 1) - 1));
      endIfQuiet(socket);
    });
  });
  fastify.addHook('preClose', (done) => {
    closing = true;
    for (const socket of open.keys()) endIfQuiet(socket);
    done();
  });
}
