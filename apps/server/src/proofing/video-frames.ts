/**
 * Frames of a liveness video (the Open KYC `/api/2.0/kyc/info-idcard-liveness` API), decoded with the
 * static ffmpeg binary of `@ffmpeg-installer/linux-x64` (ADR 0010).
 *
 * ffmpeg parses untrusted input, so it runs boxed in: only MP4/MOV (ISO BMFF) and WebM/Matroska are
 * accepted (sniffed from the first bytes, and the demuxer is then forced with `-f`, so no other
 * demuxer ever probes the bytes), at most 8 MB and 15 s, with `-protocol_whitelist file,pipe` (no
 * network), audio/subtitles/data dropped, two threads, a wall-clock timeout (SIGKILL), and the input
 * in a private temporary directory under os.tmpdir() that is removed afterwards. The output is JPEG
 * frames at a fixed rate (default 8 fps), at most 640 px wide, with their offsets from the start.
 * At most half the cores' worth of ffmpeg processes run at once; further videos wait their turn.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Path of the ffmpeg binary shipped in the npm package (x64 Linux). */
export const FFMPEG_PATH = join(
  dirname(createRequire(import.meta.url).resolve('@ffmpeg-installer/linux-x64/package.json')),
  'ffmpeg',
);

export interface VideoFrame {
  /** Milliseconds from the start of the video. */
  t: number;
  jpeg: Buffer;
}

export interface DecodedVideo {
  container: 'mp4' | 'webm';
  /** Seconds, as the container states it (null when it does not, e.g. a live-recorded WebM). */
  durationSeconds: number | null;
  fps: number;
  frames: VideoFrame[];
}

export type VideoDecodeReason = 'too_large' | 'too_long' | 'not_a_video' | 'no_frames' | 'timeout';

export class VideoDecodeError extends Error {
  constructor(
    readonly reason: VideoDecodeReason,
    message: string,
  ) {
    super(message);
    this.name = 'VideoDecodeError';
  }
}

export interface DecodeOptions {
  /** Frames per second sampled from the video. Default 8. */
  fps?: number;
  /** Longest accepted video in seconds. Default 15. */
  maxSeconds?: number;
  /** Largest accepted video in bytes. Default 8 MB. */
  maxBytes?: number;
  /** Widest output frame in pixels (narrower videos are not enlarged). Default 640. */
  maxWidth?: number;
  /** Wall-clock limit for ffmpeg, then SIGKILL. Default 20 s. */
  timeoutMs?: number;
  /** Where the private working directory is made. Default os.tmpdir(). */
  tmpRoot?: string;
}

export const VIDEO_LIMITS = { fps: 8, maxSeconds: 15, maxBytes: 8_000_000, maxWidth: 640, timeoutMs: 20_000 };

/** The container from the first bytes: ISO BMFF (`ftyp` box at offset 4) or EBML (WebM/Matroska). */
export function sniffContainer(bytes: Uint8Array): 'mp4' | 'webm' | undefined {
  if (bytes.length < 12) return undefined;
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'webm';
  if (Buffer.from(bytes.subarray(4, 8)).toString('latin1') === 'ftyp') return 'mp4';
  return undefined;
}

/** Concurrent ffmpeg processes, and the callers waiting for one. */
const MAX_RUNNING = Math.max(1, Math.floor(availableParallelism() / 2));
let running = 0;
const waiting: (() => void)[] = [];

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function run(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stderr: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(FFMPEG_PATH, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 65_536) stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, stderr, killed: signal === 'SIGKILL' }));
  });
}

function parseDuration(stderr: string): number | null {
  const m = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

/** Decodes a video to JPEG frames at a fixed rate. Throws {@link VideoDecodeError} on any bad input. */
export async function decodeVideoFrames(
  video: Uint8Array,
  options: DecodeOptions = {},
): Promise<DecodedVideo> {
  const o = { ...VIDEO_LIMITS, ...options };
  if (video.length > o.maxBytes)
    throw new VideoDecodeError('too_large', `The video is larger than ${o.maxBytes / 1_000_000} MB`);
  const container = sniffContainer(video);
  if (!container) throw new VideoDecodeError('not_a_video', 'The video is not an MP4 or WebM video');
  const dir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), 'cdk-video-'));
  try {
    const input = join(dir, container === 'mp4' ? 'input.mp4' : 'input.webm');
    await writeFile(input, video, { mode: 0o600 });
    const maxFrames = Math.ceil(o.maxSeconds * o.fps) + 1;
    const { code, stderr, killed } = await withSlot(() =>
      run(
        [
          '-hide_banner',
          '-nostdin',
          '-loglevel',
          'info',
          '-protocol_whitelist',
          'file,pipe',
          '-threads',
          '2',
          '-f',
          container === 'mp4' ? 'mov' : 'matroska',
          '-t',
          String(o.maxSeconds + 1),
          '-i',
          input,
          '-an',
          '-sn',
          '-dn',
          '-vf',
          `fps=${o.fps},scale='min(${o.maxWidth},iw)':-2`,
          '-frames:v',
          String(maxFrames + 1),
          '-q:v',
          '3',
          '-f',
          'image2',
          join(dir, 'frame-%04d.jpg'),
        ],
        o.timeoutMs,
      ),
    );
    if (killed) throw new VideoDecodeError('timeout', 'The video took too long to decode');
    const durationSeconds = parseDuration(stderr);
    if (durationSeconds !== null && durationSeconds > o.maxSeconds)
      throw new VideoDecodeError('too_long', `The video is longer than ${o.maxSeconds} seconds`);
    const names = (await readdir(dir)).filter((n) => n.startsWith('frame-')).sort();
    if (names.length > maxFrames)
      throw new VideoDecodeError('too_long', `The video is longer than ${o.maxSeconds} seconds`);
    if (code !== 0 || names.length === 0)
      throw new VideoDecodeError(
        code === 0 ? 'no_frames' : 'not_a_video',
        code === 0 ? 'The video has no frames' : 'The video could not be decoded',
      );
    const frames = await Promise.all(
      names.map(async (name, i) => ({
        t: Math.round((i * 1000) / o.fps),
        jpeg: await readFile(join(dir, name)),
      })),
    );
    return { container, durationSeconds, fps: o.fps, frames };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let version: Promise<string> | undefined;

/** `ffmpeg version …` (first line of `ffmpeg -version`), for provenance and the bench. */
export function ffmpegVersion(): Promise<string> {
  version ??= new Promise((resolve) => {
    const child = spawn(FFMPEG_PATH, ['-version'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      out += c;
    });
    child.on('error', () => resolve('ffmpeg (unavailable)'));
    child.on('close', () => resolve(out.split('\n')[0]?.trim() || 'ffmpeg (unknown)'));
  });
  return version;
}
