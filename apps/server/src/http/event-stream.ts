/**
 * A server-sent event stream for a device: starts with the current value, forwards every message
 * published on a hot-state channel as `event: <name>`, sends a comment every 15 s to keep proxies
 * from closing it, and ends when the client leaves or the server shuts down (`streams`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps';

const HEARTBEAT_MS = 15_000;

export async function openEventStream(
  deps: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  streams: Set<() => void>,
  options: { event: string; channel: string; initial: string },
): Promise<void> {
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
  const send = (data: string) => res.write(`id: ${++eventId}\nevent: ${options.event}\ndata: ${data}\n\n`);
  send(options.initial);
  const unsubscribe = await deps.hot.subscribe(options.channel, send);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const end = () => {
    clearInterval(heartbeat);
    streams.delete(end);
    void unsubscribe();
    if (!res.writableEnded) res.end();
  };
  streams.add(end);
  request.raw.on('close', end);
}
