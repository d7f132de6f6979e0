/**
 * The MRZ worker: reads the MRZ of camera frames off the main thread, so the preview stays smooth
 * while a frame is analysed (tens to a few hundred milliseconds on a phone). One request at a time;
 * every request gets exactly one reply with the same id.
 */
import type { MrzFrameReply, MrzFrameRequest } from './mrz-frame';
import { MrzScanSession } from './mrz-frame';

/** The parts of DedicatedWorkerGlobalScope used here (the app is type-checked with the DOM library). */
interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent<MrzFrameRequest>) => void): void;
  postMessage(message: MrzFrameReply): void;
}

const scope = self as unknown as WorkerScope;
/** One worker per scanning session: the consensus spans the frames it reads. */
const session = new MrzScanSession();

scope.addEventListener('message', (event) => {
  const { id, frame, region } = event.data;
  const started = performance.now();
  let reply: MrzFrameReply;
  try {
    reply = { ...session.read(frame, region), id, ms: performance.now() - started };
  } catch {
    const consensus = { frames: 0, unsure: 0 };
    reply = { ok: false, code: 'bad_frame', id, ms: performance.now() - started, consensus };
  }
  scope.postMessage(reply);
});
