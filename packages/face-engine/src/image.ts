/**
 * Decodes an uploaded JPEG/PNG/WebP buffer into a tfjs RGB tensor for the face pipeline.
 *
 * sharp applies the EXIF orientation (phones store portrait photos rotated), drops alpha and
 * downscales very large images: the detector works on a 256 px view and the face models on crops of
 * at most 224 px, so a 12 MP photo only costs decode time and memory.
 */
import { loadSharp } from './lazy-sharp';
import type { Tf } from './runtime';

export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
}

export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  /**
   * The pixels are the picture's plain decode: an 8-bit, 3-channel sRGB picture without alpha or
   * colour profile, not downscaled. Then whatever else is made of the picture (the passive
   * signal's grey plane) can be made from these pixels, with the same result as decoding it again.
   */
  exact?: boolean;
}

/** Refuses absurd inputs before sharp allocates for them (sharp's own pixel limit also applies). */
const MAX_INPUT_BYTES = 20 * 1024 * 1024;

/** `exactness`: also tell whether the decode is the picture's plain one (`exact`; reads its header once more). */
export async function decodeImage(
  image: Buffer,
  maxSide: number,
  options: { exactness?: boolean } = {},
): Promise<DecodedImage> {
  if (!Buffer.isBuffer(image) || image.length === 0) throw new ImageDecodeError('empty image');
  if (image.length > MAX_INPUT_BYTES) throw new ImageDecodeError('image too large');
  const sharp = await loadSharp();
  try {
    const meta = options.exactness ? await sharp(image, { failOn: 'error' }).metadata() : undefined;
    const { data, info } = await sharp(image, { failOn: 'error' })
      .rotate()
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new ImageDecodeError(`unexpected channel count ${info.channels}`);
    // EXIF orientations 5-8 turn the picture a quarter: its stored width is the decoded height.
    const quarter = (meta?.orientation ?? 1) >= 5;
    const exact =
      meta !== undefined &&
      meta.channels === 3 &&
      meta.depth === 'uchar' &&
      meta.space === 'srgb' &&
      !meta.hasAlpha &&
      !meta.hasProfile &&
      info.width === (quarter ? meta.height : meta.width) &&
      info.height === (quarter ? meta.width : meta.height);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      exact,
    };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(`cannot decode image: ${(e as Error).message}`);
  }
}

/** `tf.tensor3d(rawRGB, [h, w, 3])`; the caller must dispose it. */
export function toTensor(tf: Tf, img: DecodedImage) {
  return tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
}
