/**
 * Uploaded images: size limit first (before decoding anything), then the type from the content
 * (sharp reads the real header; a file's name or declared type is never trusted), then sane
 * dimensions. Only JPEG, PNG and WebP are accepted.
 */
import { loadSharp } from '@camdigikey/face-engine/lazy-sharp';
import type { Metadata } from 'sharp';
import { AppError, fieldIssue } from '../errors';

export interface DecodedImage {
  bytes: Buffer;
  mediaType: 'image/jpeg' | 'image/png' | 'image/webp';
  width: number;
  height: number;
}

const FORMATS = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;

export async function decodeImage(
  base64: string,
  field: string,
  limits: { maxBytes: number; minWidth: number; minHeight: number },
): Promise<DecodedImage> {
  // 4 base64 characters carry 3 bytes: refuse before allocating anything large.
  if (Math.floor((base64.length * 3) / 4) > limits.maxBytes + 3) {
    throw new AppError('upload_too_large', {
      fields: [fieldIssue(field, 'upload_too_large')],
      details: { maxBytes: limits.maxBytes },
    });
  }
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > limits.maxBytes) {
    throw new AppError('upload_too_large', {
      fields: [fieldIssue(field, 'upload_too_large')],
      details: { maxBytes: limits.maxBytes },
    });
  }
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { failOn: 'error', limitInputPixels: 40_000_000 }).metadata();
  } catch {
    throw new AppError('upload_not_image', { fields: [fieldIssue(field, 'upload_not_image')] });
  }
  const mediaType = meta.format ? FORMATS[meta.format as keyof typeof FORMATS] : undefined;
  if (!mediaType || !meta.width || !meta.height) {
    throw new AppError('upload_not_image', { fields: [fieldIssue(field, 'upload_not_image')] });
  }
  if (meta.width < limits.minWidth || meta.height < limits.minHeight) {
    throw new AppError('upload_not_image', {
      fields: [fieldIssue(field, 'upload_not_image')],
      details: { minWidth: limits.minWidth, minHeight: limits.minHeight },
    });
  }
  return { bytes, mediaType, width: meta.width, height: meta.height };
}
