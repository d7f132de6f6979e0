import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderFaceFrame } from '@camdigikey/testkit/face-frames';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeVideoFrames, ffmpegVersion, sniffContainer, VideoDecodeError } from './video-frames';
import { encodeVideo } from './video-testing';

const poses = [
  'center',
  'turn_left',
  'turn_left',
  'center',
  'turn_right',
  'center',
  'nod',
  'center',
] as const;
const images = poses.flatMap((p) => [renderFaceFrame(p), renderFaceFrame(p)]); // 16 images

const reason = (p: Promise<unknown>) =>
  p.then(
    () => 'decoded',
    (e: unknown) => (e instanceof VideoDecodeError ? e.reason : `unexpected ${String(e)}`),
  );
// A working root of this file's own: other test files decode videos in parallel under os.tmpdir().
const root = mkdtempSync(join(tmpdir(), 'cdk-video-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const leftovers = async () => (await readdir(root)).length;

describe('decodeVideoFrames', () => {
  it('decodes an H.264 MP4 to JPEG frames at 8 fps with their offsets', async () => {
    const video = await encodeVideo(images, { fps: 8, codec: 'h264' });
    const decoded = await decodeVideoFrames(video, { tmpRoot: root });
    expect(decoded.container).toBe('mp4');
    expect(decoded.durationSeconds).toBeCloseTo(2, 1);
    expect(decoded.frames).toHaveLength(16);
    expect(decoded.frames.slice(0, 3).map((f) => f.t)).toEqual([0, 125, 250]);
    const meta = await sharp(decoded.frames[0]!.jpeg).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 320, height: 320 });
    expect(await leftovers()).toBe(0); // the temporary directory is removed
  });

  it('decodes MPEG-4 part 2 and VP8 WebM too, resampling to the fixed rate', async () => {
    const mpeg4 = await decodeVideoFrames(await encodeVideo(images, { fps: 16, codec: 'mpeg4' }));
    expect(mpeg4.frames).toHaveLength(8); // 1 s at 16 fps → 8 frames at 8 fps
    const webm = await decodeVideoFrames(await encodeVideo(images, { fps: 8, codec: 'vp8' }));
    expect(webm.container).toBe('webm');
    expect(webm.frames.length).toBeGreaterThanOrEqual(15);
  });

  it('refuses videos that are too large or too long, and anything that is not a video', async () => {
    const video = await encodeVideo(images, { fps: 8 });
    expect(await reason(decodeVideoFrames(video, { maxBytes: video.length - 1 }))).toBe('too_large');
    expect(await reason(decodeVideoFrames(video, { maxSeconds: 1 }))).toBe('too_long');
    const jpeg = renderFaceFrame('center');
    expect(await reason(decodeVideoFrames(jpeg))).toBe('not_a_video');
    expect(await reason(decodeVideoFrames(Buffer.from('just some text, not a video at all')))).toBe(
      'not_a_video',
    );
    // An MP4 header followed by garbage: ffmpeg fails, we answer not_a_video (never a crash).
    const fake = Buffer.concat([video.subarray(0, 32), Buffer.alloc(4096, 0x5a)]);
    expect(await reason(decodeVideoFrames(fake))).toBe('not_a_video');
    const truncated = video.subarray(0, Math.floor(video.length / 3));
    expect(['not_a_video', 'no_frames', 'decoded']).toContain(await reason(decodeVideoFrames(truncated)));
  });

  it('decodes several videos at once (queued behind a bounded number of ffmpeg processes)', async () => {
    const video = await encodeVideo(images, { fps: 8 });
    const all = await Promise.all(Array.from({ length: 5 }, () => decodeVideoFrames(video)));
    expect(all.map((d) => d.frames.length)).toEqual([16, 16, 16, 16, 16]);
  });

  it('kills ffmpeg at the time limit', async () => {
    const video = await encodeVideo(images, { fps: 8 });
    expect(await reason(decodeVideoFrames(video, { timeoutMs: 1 }))).toBe('timeout');
  });

  it('sniffs the container and reports the ffmpeg version', async () => {
    expect(sniffContainer(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe('webm');
    expect(sniffContainer(Buffer.from('\0\0\0\x20ftypisom\0\0\0\0', 'latin1'))).toBe('mp4');
    expect(sniffContainer(Buffer.from('GIF89a....xx'))).toBeUndefined();
    expect(await ffmpegVersion()).toMatch(/^ffmpeg version/);
  });
});
