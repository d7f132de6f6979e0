/**
 * One MRZ reading, as a worker thread of the MRZ pool runs it (see document-ocr.ts). From the
 * sources, mrz-worker.mjs loads this file through tsx; the release build compiles it (with the
 * reader) into dist/mrz-worker.mjs, which the same pool code finds next to the compiled server.
 */
import { type GrayImage, readMrz } from '@camdigikey/mrz-reader';

/** `{width, height, data}` gray pixels → the reader's Result (a plain, cloneable object). */
export default function readMrzTask(image: GrayImage) {
  return readMrz({ width: image.width, height: image.height, data: image.data });
}
