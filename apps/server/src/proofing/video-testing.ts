/**
 * Test support: encodes still images into a video (H.264 MP4, MPEG-4 part 2 MP4 or VP8 WebM) with
 * the same ffmpeg binary the server decodes with, so tests can build liveness videos from face frames.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FFMPEG_PATH } from './video-frames';

export type TestVideoCodec = 'h264' | 'mpeg4' | 'vp8';

const CODEC_ARGS: Record<TestVideoCodec, { ext: string; args: string[] }> = {
  h264: {
    ext: 'mp4',
    args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-crf', '18'],
  },
  mpeg4: { ext: 'mp4', args: ['-c:v', 'mpeg4', '-q:v', '2', '-pix_fmt', 'yuv420p'] },
  vp8: { ext: 'webm', args: ['-c:v', 'libvpx', '-b:v', '2M', '-pix_fmt', 'yuv420p'] },
};

/** One video frame per image, `fps` frames per second. Images may be any format sharp reads. */
export async function encodeVideo(
  images: readonly Buffer[],
  options: { fps?: number; codec?: TestVideoCodec } = {},
): Promise<Buffer> {
  const fps = options.fps ?? 8;
  const codec = CODEC_ARGS[options.codec ?? 'h264'];
  const dir = await mkdtemp(join(tmpdir(), 'cdk-test-video-'));
  try {
    const first = await sharp(images[0]).metadata();
    const width = ((first.width ?? 320) >> 1) << 1;
    const height = ((first.height ?? 320) >> 1) << 1;
    for (const [i, image] of images.entries()) {
      const jpeg = await sharp(image).resize(width, height, { fit: 'fill' }).jpeg({ quality: 95 }).toBuffer();
      await writeFile(join(dir, `in-${String(i).padStart(4, '0')}.jpg`), jpeg);
    }
    const out = join(dir, `out.${codec.ext}`);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        FFMPEG_PATH,
        [
          '-hide_banner',
          '-loglevel',
          'error',
          '-framerate',
          String(fps),
          '-i',
          join(dir, 'in-%04d.jpg'),
          ...codec.args,
          '-r',
          String(fps),
          out,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg failed: ${stderr}`))));
    });
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
