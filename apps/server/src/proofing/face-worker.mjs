// The face engine in a worker thread of the face pool (see face.ts): a face match or a liveness
// judgement takes 0.1-0.3 s of CPU at a time, which must not run on the server's event loop. This
// is the worker of the sources: the engine is TypeScript, so it registers tsx's loader first. The
// release build compiles face-task.ts into dist/face-worker.mjs instead (scripts/build-server.mjs).
import { register } from 'tsx/esm/api';

register();
const { default: faceTask } = await import('./face-task.ts');

export default faceTask;
