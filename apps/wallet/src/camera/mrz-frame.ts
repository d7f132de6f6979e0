/**
 * The document scanner's reading step, run in the MRZ worker (mrz.worker.ts) on every sampled camera
 * frame: crop the frame to the card region, convert to gray and read the MRZ with the same reader the
 * server uses (@camdigikey/mrz-reader, which undoes the perspective of a card held at an angle and only
 * answers a reading whose every check digit holds and whose every character is sure). A reading with
 * unsure characters comes back too (`mrz_uncertain`, with its per-position readings), so that the
 * scanner can combine several frames (MrzConsensus) before accepting. Pure TypeScript: unit-tested in
 * Node on rendered cards.
 */
import type {
  FrameReading,
  MrzFormat,
  ReadingTable,
  RgbaImageLike,
  UncertainMrz,
} from '@camdigikey/mrz-reader';
import { MrzConsensus, readMrz, rgbaToGray } from '@camdigikey/mrz-reader';
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
  | {
      ok: true;
      lines: string[];
      format: MrzFormat;
      confidence: number;
      corrected: number;
      readings: ReadingTable;
    }
  | { ok: false; code: 'mrz_uncertain'; format: MrzFormat; readings: ReadingTable; unsure: number }
  | { ok: false; code: 'mrz_not_found' | 'mrz_unreadable' | 'bad_frame' };

/** Where the frames read so far stand (MrzConsensus over the scanning session). */
export interface ConsensusReport {
  /** Frames of the current document taking part. */
  frames: number;
  /** Characters still unsure or outvoted. */
  unsure: number;
  /** The MRZ, once the consensus of several frames is certain. */
  accepted?: { lines: string[]; format: MrzFormat };
}

/** One frame's outcome as the main thread sees it (the per-position readings stay in the worker). */
export type MrzFrameOutcome =
  | { ok: true; lines: string[]; format: MrzFormat; confidence: number; corrected: number }
  | { ok: false; code: 'mrz_uncertain' | 'mrz_not_found' | 'mrz_unreadable' | 'bad_frame' };

/** Worker → main thread: the outcome of request `id`, the consensus after it, and how long it took (ms). */
export type MrzFrameReply = MrzFrameOutcome & { id: number; ms: number; consensus: ConsensusReport };

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
  if (result.ok) {
    const { lines, format, confidence, corrected, readings } = result.value;
    return { ok: true, lines, format, confidence, corrected, readings };
  }
  if (result.code === 'mrz_uncertain') {
    const { format, readings, unsure } = result.detail as unknown as UncertainMrz;
    return { ok: false, code: 'mrz_uncertain', format, readings, unsure: unsure.length };
  }
  return { ok: false, code: result.code };
}

/** What a frame adds to the consensus: its readings, whether certain or not (undefined: no MRZ read). */
export function frameReading(result: MrzFrameResult | undefined): FrameReading | undefined {
  if (result === undefined) return undefined;
  if (result.ok || result.code === 'mrz_uncertain')
    return { format: result.format, readings: result.readings };
  return undefined;
}

/**
 * One scanning session: reads each frame and adds it to the consensus of the frames before it
 * (MrzConsensus: at least 3 frames, every character certain and voted for by most of them).
 */
export class MrzScanSession {
  private readonly consensus = new MrzConsensus();

  read(frame: RgbaFrame, region: Rect): MrzFrameOutcome & { consensus: ConsensusReport } {
    const result = readCardFrame(frame, region);
    const accepted = this.consensus.push(frameReading(result));
    const { frames, unsure } = this.consensus.state;
    const consensus: ConsensusReport = {
      frames,
      unsure: unsure.length,
      ...(accepted ? { accepted: { lines: accepted.lines, format: accepted.format } } : {}),
    };
    if (result.ok) {
      const { lines, format, confidence, corrected } = result;
      return { ok: true, lines, format, confidence, corrected, consensus };
    }
    return { ok: false, code: result.code, consensus };
  }
}
