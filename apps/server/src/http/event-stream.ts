/**
 * A server-sent event stream for a device: starts with the current value, forwards every message
 * published on a hot-state channel as `event: <name>`, sends a comment every 15 s to keep proxies
 * from closing it, and ends when the client leaves or the server shuts down (`streams`).
 *
 * On shutdown every open stream gets a last `event: reconnect` (with `retry:`, so an EventSource
 * comes back after a second, to another instance behind the balancer) and is ended at once.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps';
import { releaseLongLived } from './load-shedding';

const HEARTBEAT_MS = 15_000;
/** How long a client waits before it reconnects after the server ended its stream. */
export const RECONNECT_AFTER_MS = 1000;

/** Ends one open stream; `shutdown` first tells the client to reconnect elsewhere. */
export type EndStream = (why?: 'shutdown') => void;
/** The open streams of an instance (ended all at once on shutdown). */
export type Streams = Set<EndStream>;

/** The last event of a stream ended by a shutdown. */
export const RECONNECT_EVENT = `retry: ${RECONNECT_AFTER_MS}\nevent: reconnect\ndata: {"reason":"shutdown"}\n\n`;

/** The response headers of every event stream. */
export const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

export async function openEventStream(
  deps: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  streams: Streams,
  options: { event: string; channel: string; initial: string },
): Promise<void> {
  const res = reply.raw;
  let eventId = 0;
  const send = (data: string) => res.write(`id: ${++eventId}\nevent: ${options.event}\ndata: ${data}\n\n`);
  // Subscribed before the stream opens: when Redis is away this throws while the request can
  // still be answered (503 with Retry-After) instead of leaving an opened stream hanging.
  const unsubscribe = await deps.hot.subscribe(options.channel, send);
  reply.hijack();
  releaseLongLived(request);
  res.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    ...EVENT_STREAM_HEADERS,
  });
  send(options.initial);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const end: EndStream = (why) => {
    clearInterval(heartbeat);
    streams.delete(end);
    void unsubscribe();
    if (!res.writableEnded) res.end(why === 'shutdown' ? RECONNECT_EVENT : undefined);
  };
  streams.add(end);
  request.raw.on('close', end);
}
