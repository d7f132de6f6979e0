/**
 * JPEG pictures from a canvas, as the base64 text (no `data:` prefix) the device API takes: the
 * document photo (quality 0.85, at most about 1 MB, shrunk or recompressed until it fits) and the
 * liveness frames.
 */
import type { Rect } from './geometry';

/** Base64 of a blob's bytes (no data: prefix). */
export async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export function canvasToJpeg(canvas: HTMLCanvasElement, quality: number): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('the picture could not be encoded'))),
      'image/jpeg',
      quality,
    );
  });
}

export interface PhotoOptions {
  /** First JPEG quality tried. Default 0.85. */
  quality?: number;
  /** Longest side of the photo. Default 1600. */
  maxSide?: number;
  /** Largest JPEG accepted. Default 1,000,000 bytes. */
  maxBytes?: number;
}

/**
 * Copies `region` of `source` (a canvas holding the camera frame) into a JPEG no larger than
 * `maxBytes`: first at `quality`, then at lower qualities, then smaller.
 */
export async function regionToJpegBase64(
  source: HTMLCanvasElement,
  region: Rect,
  opts: PhotoOptions = {},
): Promise<string> {
  const maxBytes = opts.maxBytes ?? 1_000_000;
  let scale = Math.min(1, (opts.maxSide ?? 1600) / Math.max(region.width, region.height));
  const target = document.createElement('canvas');
  for (let attempt = 0; attempt < 6; attempt++) {
    target.width = Math.max(1, Math.round(region.width * scale));
    target.height = Math.max(1, Math.round(region.height * scale));
    const ctx = target.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(source, region.x, region.y, region.width, region.height, 0, 0, target.width, target.height);
    for (const quality of [opts.quality ?? 0.85, 0.75, 0.65]) {
      const blob = await canvasToJpeg(target, quality);
      if (blob.size <= maxBytes) return blobToBase64(blob);
    }
    scale *= 0.75;
  }
  throw new Error('the photo stays too large');
}
