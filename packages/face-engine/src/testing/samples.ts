/**
 * Test fixtures built at run time from the group photos shipped in `@vladmandic/face-api/demo`
 * (sample1.jpg … sample6.jpg, 22 faces). Their licence is unclear, so they are read from node_modules
 * and never copied into the repository.
 *
 * - cropSampleFaces: one square 480 px crop per detected face (the "selfie").
 * - idCardVersion: the same crop degraded like a printed/scanned ID-card portrait: downscaled to
 *   160 px, mostly desaturated, slightly blurred, JPEG quality 40, upscaled back to 480 px.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import type { FaceEngine } from '../face-engine';
import type { DetectedFace } from '../types';

const require = createRequire(import.meta.url);
const demoDir = path.join(path.dirname(path.dirname(require.resolve('@vladmandic/face-api'))), 'demo');

export const SAMPLE_PHOTOS = [1, 2, 3, 4, 5, 6] as const;

export function samplePhotoPath(n: number): string {
  return path.join(demoDir, `sample${n}.jpg`);
}

export const CROP_SIZE = 480;

export interface SampleFace {
  /** `s<photo>f<index>`, index = position in the engine's largest-first order. */
  id: string;
  photo: number;
  /** PNG, CROP_SIZE square, face centred with ~30% margin (less near the photo's edges). */
  crop: Buffer;
  /** The face as detected in the group photo. */
  source: DetectedFace;
}

/** Square crops of every face the engine finds in the given sample photos. */
export async function cropSampleFaces(
  engine: FaceEngine,
  photos: readonly number[] = SAMPLE_PHOTOS,
): Promise<SampleFace[]> {
  const out: SampleFace[] = [];
  for (const photo of photos) {
    const file = samplePhotoPath(photo);
    const det = await engine.detect(await sharp(file).toBuffer());
    // The engine analysed a downscaled copy; crop from the same size so the boxes line up.
    const { width: W, height: H } = det.image;
    const base = await sharp(file).rotate().resize(W, H, { fit: 'fill' }).toBuffer();
    for (const [index, face] of det.faces.entries()) {
      const { x, y, width, height } = face.box;
      const side = Math.round(Math.min(Math.max(width, height) * 1.6, W, H));
      const left = Math.round(Math.min(Math.max(0, x + width / 2 - side / 2), W - side));
      const top = Math.round(Math.min(Math.max(0, y + height / 2 - side / 2), H - side));
      const crop = await sharp(base)
        .extract({ left, top, width: side, height: side })
        .resize(CROP_SIZE, CROP_SIZE)
        .png()
        .toBuffer();
      out.push({ id: `s${photo}f${index}`, photo, crop, source: face });
    }
  }
  return out;
}

/** Printed/scanned ID-card look: 160 px, desaturated, blurred, JPEG q40, upscaled to CROP_SIZE. */
export async function idCardVersion(crop: Buffer): Promise<Buffer> {
  const small = await sharp(crop)
    .resize(160, 160)
    .modulate({ saturation: 0.25 })
    .blur(0.7)
    .jpeg({ quality: 40 })
    .toBuffer();
  return sharp(small).resize(CROP_SIZE, CROP_SIZE, { kernel: 'cubic' }).jpeg({ quality: 90 }).toBuffer();
}

/** A mildly different "selfie" of the same crop: brighter, a little warmer, re-encoded. */
export async function relitVersion(crop: Buffer): Promise<Buffer> {
  return sharp(crop)
    .modulate({ brightness: 1.12, saturation: 1.1 })
    .linear(1.05, -4)
    .jpeg({ quality: 80 })
    .toBuffer();
}
