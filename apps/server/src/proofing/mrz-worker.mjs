// readMrz in a worker thread of the MRZ pool (see document-ocr.ts): template matching over a whole
// photo takes 0.1-0.3 s of CPU, which must not run on the server's event loop. This is the worker
// of the sources: the reader is TypeScript, so it registers tsx's loader first. The release build
// compiles mrz-task.ts into dist/mrz-worker.mjs instead (scripts/build-server.mjs), without tsx.
import { register } from 'tsx/esm/api';

register();
const { default: readMrzTask } = await import('./mrz-task.ts');

export default readMrzTask;
