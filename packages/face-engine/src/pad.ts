/**
 * A passive presentation-attack signal measured on the recording's own pixels (no model).
 *
 * A camera never delivers the same picture twice: sensor noise, auto-exposure and a hand-held
 * phone change almost every pixel between two frames, also around the face. A still photo
 * animated by software (the mesh warp of testing/synthetic-motion.ts is one) and injected as
 * frames changes only the face: the background, the hair and the clothes are bit-identical
 * from frame to frame. `staticBackground` is, over consecutive frame pairs, the median share of
 * pixels outside both faces (boxes grown by half) whose grey value did not change at all; the
 * signal fires at or above PAD_THRESHOLDS.staticBackgroundMax.
 *
 * What it does not catch (see docs/liveness-attacks.md for the measured rates): an attack that
 * adds noise or camera shake to its frames, a real camera filming a screen or a printed photo
 * (moiré and screen-frequency checks were not built: no screen-replay recordings to measure them
 * on), a deep-fake. A real phone held perfectly still in front of a flat wall, compressed hard,
 * could also leave pixels unchanged; so the signal only ever sends a case to an officer, it never
 * refuses on its own.
 */
import { loadSharp } from './lazy-sharp';
import type { FaceBox } from './types';

export const PAD_THRESHOLDS = Object.freeze({
  /** Share of unchanged background pixels (median over frame pairs) from which the signal fires. */
  staticBackgroundMax: 0.6,
  /**
   * Background pixels (of the every-second-pixel grid) a frame pair needs to be measured. An
   * absolute count, not a share of the picture: a close-up selfie at 520 px whose grown face box
   * spans the whole width leaves 1,000-5,500 such pixels in its top and bottom strips, and a share
   * of 1,000 already has a standard error of at most 0.016 (against a 0.6 threshold and 0.09-0.16
   * measured on noisy frames). The earlier rule (a fortieth of the picture, 6,760 at 520 px)
   * skipped most close-up pairs, so whether the signal could fire depended on the challenge drawn.
   */
  minBackgroundSamples: 1000,
});

export interface PadSignals {
  /** Median share of background pixels unchanged between consecutive frames, 0..1 (null: not measurable). */
  staticBackground: number | null;
  /** Median absolute grey-level change of those pixels. */
  backgroundChange: number | null;
  /** Frame pairs measured. */
  pairs: number;
  fired: boolean;
  signals: 'static_background'[];
  thresholds: typeof PAD_THRESHOLDS;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** A picture's grey plane, one byte per pixel (sharp's `greyscale()` of the EXIF-rotated picture). */
export interface GreyPlane {
  data: Buffer;
  width: number;
  height: number;
}

/** The grey plane of an encoded picture (JPEG/PNG/WebP), decoded for it. */
export async function greyPlane(image: Buffer): Promise<GreyPlane> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(image).rotate().greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * The same grey plane from pixels the face engine already decoded (image.ts, only when `exact`:
 * 8-bit sRGB, no alpha, no profile, not downscaled), without decoding the picture again: libvips
 * turns the same sRGB pixels into the same grey values (recording-reuse.test.ts compares them).
 */
export async function greyFromRgb(rgb: {
  data: Uint8Array;
  width: number;
  height: number;
}): Promise<GreyPlane> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Whether (x, y) of a `width`-wide picture lies in `box` (analysed-image coordinates) grown by half. */
function inGrownBox(x: number, y: number, box: FaceBox, scale: number): boolean {
  const cx = (box.x + box.width / 2) * scale;
  const cy = (box.y + box.height / 2) * scale;
  const hw = box.width * 0.75 * scale;
  const hh = box.height * 0.75 * scale;
  return Math.abs(x - cx) <= hw && Math.abs(y - cy) <= hh;
}

/**
 * `pictures`: each frame's encoded picture, or its grey plane when the caller has it (the face
 * engine makes it from its own decode: `detectDeferred(image, { grey: true })`).
 */
export async function passiveSignals(
  pictures: (Buffer | GreyPlane)[],
  faces: { box: FaceBox; image: { width: number; height: number } }[],
): Promise<PadSignals> {
  const greys: GreyPlane[] = [];
  for (const picture of pictures) greys.push(Buffer.isBuffer(picture) ? await greyPlane(picture) : picture);
  const unchanged: number[] = [];
  const change: number[] = [];
  for (let i = 1; i < greys.length; i++) {
    const a = greys[i - 1]!;
    const b = greys[i]!;
    if (a.width !== b.width || a.height !== b.height) continue;
    const fa = faces[i - 1]!;
    const fb = faces[i]!;
    const sa = a.width / fa.image.width;
    const sb = b.width / fb.image.width;
    let n = 0;
    let same = 0;
    let sum = 0;
    // Every second pixel in both directions is plenty and keeps this cheap.
    for (let y = 0; y < a.height; y += 2) {
      for (let x = 0; x < a.width; x += 2) {
        if (inGrownBox(x, y, fa.box, sa) || inGrownBox(x, y, fb.box, sb)) continue;
        const k = y * a.width + x;
        const d = Math.abs(a.data[k]! - b.data[k]!);
        n++;
        sum += d;
        if (d === 0) same++;
      }
    }
    if (n < PAD_THRESHOLDS.minBackgroundSamples) continue; // the face fills the picture: nothing to measure
    unchanged.push(same / n);
    change.push(sum / n);
  }
  const staticBackground = unchanged.length ? Math.round(median(unchanged) * 1000) / 1000 : null;
  const fired = staticBackground !== null && staticBackground >= PAD_THRESHOLDS.staticBackgroundMax;
  return {
    staticBackground,
    backgroundChange: change.length ? Math.round(median(change) * 100) / 100 : null,
    pairs: unchanged.length,
    fired,
    signals: fired ? ['static_background'] : [],
    thresholds: PAD_THRESHOLDS,
  };
}
