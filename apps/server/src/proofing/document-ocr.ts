/**
 * The MRZ read by the server from a document photo (identity-proofing issue §1, "Document OCR"),
 * with @camdigikey/mrz-reader (OCR-B template matching constrained by the MRZ layout and check
 * digits), and its comparison with the MRZ the app sent. The same reading serves the registration
 * evidence (`document_ocr`) and the Open KYC `/api/2.0/kyc/ocr-idcard` API.
 *
 * Decoding runs in libvips' threads (sharp) and the reading itself (synchronous template matching,
 * 0.1-0.3 s per photo) in a small pool of worker threads (piscina, mrz-worker.mjs), so a large photo
 * never holds the event loop.
 */
import { availableParallelism } from 'node:os';
import type { IdentityMrz } from '@camdigikey/core/identity/mrz';
import { parseIdentityMrz } from '@camdigikey/core/identity/mrz';
import type { Result } from '@camdigikey/core/result';
import { loadSharp } from '@camdigikey/face-engine/lazy-sharp';
import type { GrayImage, MrzRead, MrzReadError } from '@camdigikey/mrz-reader';
import { Piscina } from 'piscina';

export const MRZ_READER_VERSION =
  '@camdigikey/mrz-reader@0.2.0 (perspective rectification, OCR-B templates, check-digit repair, per-character confidence)';

export type DocumentRead =
  | { ok: true; lines: string[]; mrz: IdentityMrz | undefined; confidence: number; corrected: number }
  | {
      ok: false;
      /** `mrz_uncertain`: read with every check digit holding, but some characters could be others. */
      reason: 'not_an_image' | MrzReadError;
      /** For `mrz_uncertain`: how many characters were unsure (never which, nor the reading). */
      unsureCharacters?: number;
    };

/** Gray pixels of an encoded photo (any format sharp reads), capped at 24 megapixels. */
async function decodeToGray(photo: Uint8Array): Promise<GrayImage> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(photo, { limitInputPixels: 24_000_000 })
    .flatten({ background: '#ffffff' })
    .greyscale()
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

let pool: Piscina | undefined;

function mrzPool(): Piscina {
  pool ??= new Piscina({
    filename: new URL('./mrz-worker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: Math.max(1, Math.min(2, availableParallelism() - 1)),
    maxQueue: 64,
    idleTimeout: 30_000,
  });
  return pool;
}

/** True once the reader's pool exists in this process (its first reading started it). */
export const mrzReaderStarted = (): boolean => pool !== undefined;

/** Stops the reader's worker threads (server shutdown, the bench). */
export async function closeMrzPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}

/** The reader's answer for gray pixels, computed in a worker thread. */
export function readMrzOffThread(gray: GrayImage): Promise<Result<MrzRead, MrzReadError>> {
  // The pixels move to the worker instead of being copied, unless they share a pooled buffer.
  const own = gray.data.byteOffset === 0 && gray.data.byteLength === gray.data.buffer.byteLength;
  return mrzPool().run(gray, own ? { transferList: [gray.data.buffer as ArrayBuffer] } : {}) as Promise<
    Result<MrzRead, MrzReadError>
  >;
}

/** Reads the MRZ of a photo; never throws on bad input. */
export async function readDocumentMrz(photo: Uint8Array, today: Date): Promise<DocumentRead> {
  let gray: GrayImage;
  try {
    gray = await decodeToGray(photo);
  } catch {
    return { ok: false, reason: 'not_an_image' };
  }
  const read = await readMrzOffThread(gray);
  if (!read.ok) {
    const unsure = read.detail?.unsure;
    return Array.isArray(unsure)
      ? { ok: false, reason: read.code, unsureCharacters: unsure.length }
      : { ok: false, reason: read.code };
  }
  const parsed = parseIdentityMrz(read.value.lines.join('\n'), { today });
  return {
    ok: true,
    lines: read.value.lines,
    mrz: parsed.ok ? parsed.value : undefined,
    confidence: read.value.confidence,
    corrected: read.value.corrected,
  };
}

const COMPARED = [
  'documentNumber',
  'surname',
  'givenNames',
  'birthDate',
  'sex',
  'expiryDate',
  'nationality',
] as const;

/** The fields on which the MRZ read from the photo and the MRZ the app sent disagree. */
export function compareMrz(read: IdentityMrz, sent: IdentityMrz): string[] {
  return COMPARED.filter((field) => read[field] !== sent[field]);
}

export const COMPARED_FIELDS = COMPARED.length;
