/**
 * The document scanner's reading step, run in the MRZ worker (mrz.worker.ts) on every sampled camera
 * frame: crop the frame to the card region, convert to gray and read the MRZ with the same reader the
 * server uses (@camdigikey/mrz-reader, which only answers a reading whose every check digit holds and
 * that no other plausible reading rivals). Pure TypeScript: unit-tested in Node on rendered cards.
 */
import type { MrzFormat, MrzReadError, RgbaImageLike } from '@camdigikey/mrz-reader';
import { readMrz, rgbaToGray } from '@camdigikey/mrz-reader';
import type { Rect } from './geometry';

/** A camera frame as RGBA pixels (ImageData's shape). */
export interface RgbaFrame {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** Main thread → worker: one frame to read (its pixel buffer is transferred). */
export interface MrzFrameRequest {
  id: number;
  frame: RgbaFrame;
  region: Rect;
}

export type MrzFrameResult =
  | { ok: true; lines: string[]; format: MrzFormat; confidence: number; corrected: number }
  | { ok: false; code: MrzReadError | 'bad_frame' };

/** Worker → main thread: the reading of request `id` and how long it took (ms). */
export type MrzFrameReply = MrzFrameResult & { id: number; ms: number };

/** Copies `region` (clamped to the frame) out of an RGBA frame. */
export function cropRgba(frame: RgbaFrame, region: Rect): RgbaFrame {
  const x0 = Math.max(0, Math.floor(region.x));
  const y0 = Math.max(0, Math.floor(region.y));
  const x1 = Math.min(frame.width, Math.floor(region.x + region.width));
  const y1 = Math.min(frame.height, Math.floor(region.y + region.height));
  const width = Math.max(0, x1 - x0);
  const height = Math.max(0, y1 - y0);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * frame.width + x0) * 4;
    data.set(frame.data.subarray(from, from + width * 4), y * width * 4);
  }
  return { width, height, data };
}

/** Crop, gray, read: the whole per-frame path of the worker. Never throws. */
export function readCardFrame(frame: RgbaFrame, region: Rect): MrzFrameResult {
  if (
    !Number.isInteger(frame.width) ||
    !Number.isInteger(frame.height) ||
    frame.width <= 0 ||
    frame.height <= 0 ||
    frame.data.length < frame.width * frame.height * 4
  ) {
    return { ok: false, code: 'bad_frame' };
  }
  const crop: RgbaImageLike = cropRgba(frame, region);
  const result = readMrz(rgbaToGray(crop));
  if (!result.ok) return { ok: false, code: result.code };
  const { lines, format, confidence, corrected } = result.value;
  return { ok: true, lines, format, confidence, corrected };
}
