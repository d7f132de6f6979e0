/**
 * A device event stream (account status, approvals) read with fetch, signed like every device
 * call. The server ends streams on shutdown and proxies drop idle ones, so the stream reconnects
 * with a fresh proof after a growing pause (1 s … 30 s), until closed.
 */
import type { DeviceClient } from './device-client';
import { type ApiError, apiErrorFrom } from './errors';
import { createSseParser } from './sse';

export interface StreamHandlers {
  onEvent(name: string, data: unknown): void;
  /** Connected (true) or waiting to reconnect (false). */
  onConnection?(connected: boolean): void;
  /** A refusal the app must act on (e.g. this device is no longer registered); the stream stops. */
  onFatal?(error: ApiError): void;
}

const PAUSES_MS = [1000, 2000, 5000, 10_000, 30_000];

export function openDeviceStream(client: DeviceClient, path: string, handlers: StreamHandlers): () => void {
  const controller = new AbortController();
  let failures = 0;

  const once = async () => {
    const response = await client.request('GET', path, undefined, controller.signal);
    if (!response.ok || !response.body) {
      const json = await response.json().catch(() => undefined);
      const error = apiErrorFrom(response.status, json);
      if (response.status === 401 || response.status === 403) {
        if (error.code === 'device_key_unknown' || error.code === 'device_key_mismatch') {
          handlers.onFatal?.(error);
          controller.abort();
        }
      }
      throw error;
    }
    failures = 0;
    handlers.onConnection?.(true);
    const parser = createSseParser(({ event, data }) => {
      try {
        handlers.onEvent(event, JSON.parse(data));
      } catch {
        handlers.onEvent(event, data);
      }
    });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      parser.push(decoder.decode(chunk.value, { stream: true }));
    }
  };

  const loop = async () => {
    while (!controller.signal.aborted) {
      try {
        await once();
      } catch {
        // reconnect below
      }
      if (controller.signal.aborted) break;
      handlers.onConnection?.(false);
      const pause = PAUSES_MS[Math.min(failures, PAUSES_MS.length - 1)]!;
      failures++;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        controller.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
  };
  void loop();
  return () => controller.abort();
}
