// Grayscale image type and pixel helpers shared by every stage of the MRZ reader. Pure TypeScript with no
// DOM or Node dependency, so the same code runs on the server and on camera frames in the browser.

/** An 8-bit grayscale image, one byte per pixel, row-major (0 = black, 255 = white). */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** Anything shaped like the DOM `ImageData`: 4 bytes (RGBA) per pixel. */
export interface RgbaImageLike {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** True when `image` has positive integer dimensions and at least width × height bytes. */
export function isUsableImage(image: GrayImage, minWidth = 1, minHeight = 1): boolean {
  const { width, height, data } = image;
  return (
    Number.isInteger(width) &&
    Number.isInteger(height) &&
    width >= minWidth &&
    height >= minHeight &&
    data !== undefined &&
    data.length >= width * height
  );
}

/**
 * Converts RGBA pixels (ImageData, canvas or sharp raw output with 4 channels) to gray with the
 * ITU-R BT.601 luma weights; transparent pixels are composited over white, as a printed page would be.
 */
export function rgbaToGray(image: RgbaImageLike): GrayImage {
  const { width, height, data } = image;
  const n = Math.max(0, Math.floor(width) * Math.floor(height));
  const out = new Uint8Array(n);
  const limit = Math.min(n, Math.floor(data.length / 4));
  for (let i = 0; i < limit; i++) {
    const o = i * 4;
    const luma = 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
    const alpha = data[o + 3]! / 255;
    out[i] = Math.round(luma * alpha + 255 * (1 - alpha));
  }
  out.fill(255, limit);
  return { width: Math.max(0, Math.floor(width)), height: Math.max(0, Math.floor(height)), data: out };
}

/** Shrinks by an integer factor, averaging each factor × factor block (keeps thin strokes visible). */
export function downscale(image: GrayImage, factor: number): GrayImage {
  if (factor <= 1) return image;
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const out = new Uint8Array(width * height);
  const area = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * image.width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += image.data[row + dx]!;
      }
      out[y * width + x] = Math.round(sum / area);
    }
  }
  return { width, height, data: out };
}

/** Bilinear sample at (x, y); outside the image reads as white paper. */
export function sampleBilinear(image: GrayImage, x: number, y: number): number {
  const { width, height, data } = image;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
    const i = y0 * width + x0;
    const top = data[i]! + (data[i + 1]! - data[i]!) * fx;
    const bottom = data[i + width]! + (data[i + width + 1]! - data[i + width]!) * fx;
    return top + (bottom - top) * fy;
  }
  const at = (xi: number, yi: number): number =>
    xi < 0 || yi < 0 || xi >= width || yi >= height ? 255 : data[yi * width + xi]!;
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}
