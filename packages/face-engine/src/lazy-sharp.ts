/**
 * sharp (libvips) loaded on first use. Loading it costs about 0.3 s of CPU, which a process that
 * never decodes an image (a web instance until its first upload) should not pay at start-up;
 * once loaded, every later call gets the same module at the cost of an already settled promise.
 */
import type Sharp from 'sharp';

let loading: Promise<typeof Sharp> | undefined;

export function loadSharp(): Promise<typeof Sharp> {
  loading ??= import('sharp').then((module) => module.default);
  return loading;
}
