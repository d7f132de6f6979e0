/**
 * The main thread's side of the MRZ worker: `read(frame, region)` transfers the frame's pixels to
 * mrz.worker.ts and resolves with its reply (the frame's outcome and the consensus of the frames read
 * so far: one reader is one scanning session). Where a module worker cannot start (an old WebView, a
 * strict policy), the same reading runs on the main thread instead, loaded on demand.
 */
import type { Rect } from './geometry';
import type { MrzFrameReply, MrzFrameRequest, MrzScanSession, RgbaFrame } from './mrz-frame';

export interface MrzFrameReader {
  /** Reads one frame. The frame's pixel buffer is handed over (transferred) and unusable afterwards. */
  read(frame: RgbaFrame, region: Rect): Promise<MrzFrameReply>;
  /** Ends the worker; pending reads reject. */
  close(): void;
}

function inlineReader(): MrzFrameReader {
  let next = 0;
  let session: MrzScanSession | undefined;
  return {
    async read(frame, region) {
      const { MrzScanSession } = await import('./mrz-frame');
      session ??= new MrzScanSession();
      const started = performance.now();
      return { ...session.read(frame, region), id: next++, ms: performance.now() - started };
    },
    close() {},
  };
}

export function createMrzFrameReader(): MrzFrameReader {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./mrz.worker.ts', import.meta.url), { type: 'module', name: 'mrz-reader' });
  } catch {
    return inlineReader();
  }
  let fallback: MrzFrameReader | undefined;
  let closed = false;
  let next = 0;
  const pending = new Map<number, { resolve(reply: MrzFrameReply): void; reject(error: Error): void }>();
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.addEventListener('message', (event: MessageEvent<MrzFrameReply>) => {
    const entry = pending.get(event.data.id);
    if (!entry) return;
    pending.delete(event.data.id);
    entry.resolve(event.data);
  });
  worker.addEventListener('error', (event) => {
    // The worker script failed to load or crashed: read on the main thread from now on.
    event.preventDefault();
    worker.terminate();
    fallback ??= inlineReader();
    failAll(new Error('mrz worker failed'));
  });
  return {
    read(frame, region) {
      if (closed) return Promise.reject(new Error('mrz reader closed'));
      if (fallback) return fallback.read(frame, region);
      const id = next++;
      const request: MrzFrameRequest = { id, frame, region };
      return new Promise<MrzFrameReply>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage(request, [frame.data.buffer as ArrayBuffer]);
      });
    },
    close() {
      closed = true;
      worker.terminate();
      failAll(new Error('mrz reader closed'));
    },
  };
}
