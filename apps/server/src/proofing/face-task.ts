/**
 * The face engine in a worker thread of the face pool (face.ts): detection, face match, selfie
 * quality and liveness run here, never on the server's event loop. One engine per thread, built
 * with the thresholds the pool was given (workerData) and loaded on its first task. From the
 * sources, face-worker.mjs loads this file through tsx; the release build compiles it (with the
 * engine) into dist/face-worker.mjs, which the same pool code finds next to the compiled server.
 *
 * Images arrive as Uint8Array (moved, not copied, by the pool) and are viewed as Buffers again,
 * since the engine checks `Buffer.isBuffer`. An unreadable image answers `image_decode` rather
 * than throwing, so that the pool can give the caller the engine's own ImageDecodeError.
 */
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import {
  type FaceAnalysis,
  FaceEngine,
  ImageDecodeError,
  judgeRecording,
  type LivenessChallenge,
  type Thresholds,
} from '@camdigikey/face-engine';

export type FaceTask =
  | { op: 'init' }
  | { op: 'detect'; image: Uint8Array }
  | { op: 'assessSelfie'; image: Uint8Array }
  | { op: 'matchFaces'; selfie: Uint8Array | FaceAnalysis; reference: Uint8Array }
  | {
      op: 'judgeLiveness';
      frames: { t: number; image: Uint8Array }[];
      challenge: LivenessChallenge;
      receivedAt?: Date | undefined;
    }
  | {
      op: 'judgeRecording';
      frames: { t: number; image: Uint8Array }[];
      challenge: LivenessChallenge;
      receivedAt?: Date | undefined;
      selfie?: Uint8Array | undefined;
      selfieAnalysis?: FaceAnalysis | undefined;
    };

export type FaceAnswer =
  | { ok: true; value: unknown; provenance: ReturnType<FaceEngine['provenance']> }
  | { ok: false; error: 'image_decode'; message: string };

export interface FaceWorkerData {
  thresholds: Partial<Thresholds>;
  /** CPU priority of this thread (nice, Linux: per thread), below the event loop's. */
  nice?: number;
}

const data = workerData as FaceWorkerData | undefined;
// The thread that serves requests goes first when the cores are busy: a face analysis waits a
// little longer rather than every request waiting for it.
if (data?.nice) {
  try {
    setPriority(0, data.nice);
  } catch {
    // not permitted on this platform: the analyses still run off the event loop
  }
}

const buffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const frames = (list: { t: number; image: Uint8Array }[]) =>
  list.map((f) => ({ t: f.t, image: buffer(f.image) }));

let engine: FaceEngine | undefined;

function run(e: FaceEngine, task: FaceTask): Promise<unknown> {
  switch (task.op) {
    case 'init':
      return Promise.resolve(null);
    case 'detect':
      return e.detect(buffer(task.image));
    case 'assessSelfie':
      return e.assessSelfie(buffer(task.image));
    case 'matchFaces':
      return e.matchFaces(
        task.selfie instanceof Uint8Array ? buffer(task.selfie) : task.selfie,
        buffer(task.reference),
      );
    case 'judgeLiveness':
      return e.judgeLiveness(frames(task.frames), task.challenge, {
        ...(task.receivedAt ? { receivedAt: task.receivedAt } : {}),
      });
    case 'judgeRecording':
      return judgeRecording(e, frames(task.frames), task.challenge, {
        ...(task.receivedAt ? { receivedAt: task.receivedAt } : {}),
        ...(task.selfie ? { selfie: buffer(task.selfie) } : {}),
        ...(task.selfieAnalysis ? { selfieAnalysis: task.selfieAnalysis } : {}),
      });
  }
}

export default async function faceTask(task: FaceTask): Promise<FaceAnswer> {
  engine ??= new FaceEngine({ thresholds: data?.thresholds ?? {} });
  await engine.init();
  try {
    const value = await run(engine, task);
    return { ok: true, value, provenance: engine.provenance() };
  } catch (error) {
    if (error instanceof ImageDecodeError)
      return { ok: false, error: 'image_decode', message: error.message };
    throw error;
  }
}
