// Adaptive binarisation (Bradley-Roth local mean threshold on an integral image): marks "ink" pixels that
// are clearly darker than their neighbourhood, so glare, shadows and tinted security print do not hide
// or invent text the way one global threshold would.
import type { GrayImage } from './image';

export interface BinaryImage {
  readonly width: number;
  readonly height: number;
  /** 1 = ink, 0 = background. */
  readonly data: Uint8Array;
}

export interface BinarizeOptions {
  /** Side of the square neighbourhood in pixels. */
  window: number;
  /** A pixel is ink when darker than (1 - ratio) × local mean… */
  ratio?: number;
  /** …and at least this many grey levels below it (ignores faint print and sensor noise). */
  minContrast?: number;
}

/** Marks pixels darker than their local mean by both a ratio and an absolute contrast. */
export function binarize(image: GrayImage, opts: BinarizeOptions): BinaryImage {
  const { width, height, data } = image;
  const ratio = opts.ratio ?? 0.15;
  const minContrast = opts.minContrast ?? 24;
  const half = Math.max(1, Math.floor(opts.window / 2));
  const stride = width + 1;
  const integral = new Float64Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let rowSum = 0;
    for (let x = 0; x < width; x++) {
      rowSum += data[y * width + x]!;
      integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1]! + rowSum;
    }
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - half);
    const y1 = Math.min(height, y + half + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - half);
      const x1 = Math.min(width, x + half + 1);
      const sum =
        integral[y1 * stride + x1]! -
        integral[y0 * stride + x1]! -
        integral[y1 * stride + x0]! +
        integral[y0 * stride + x0]!;
      const mean = sum / ((x1 - x0) * (y1 - y0));
      const v = data[y * width + x]!;
      if (v < mean * (1 - ratio) && mean - v >= minContrast) out[y * width + x] = 1;
    }
  }
  return { width, height, data: out };
}
