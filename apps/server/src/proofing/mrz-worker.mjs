// readMrz in a worker thread of the MRZ pool (see document-ocr.ts): template matching over a whole
// photo takes 0.1-0.3 s of CPU, which must not run on the server's event loop. The reader is
// TypeScript, so the worker registers tsx's loader first (the server itself runs under tsx).
import { register } from 'tsx/esm/api';

register();
const { readMrz } = await import('@camdigikey/mrz-reader');

/** `{width, height, data}` gray pixels → the reader's Result (a plain, cloneable object). */
export default function readMrzTask(image) {
  return readMrz({ width: image.width, height: image.height, data: image.data });
}
