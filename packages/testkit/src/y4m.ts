/**
 * YUV4MPEG2 (Y4M) videos for Chromium's fake camera (`--use-fake-device-for-media-stream
 * --use-file-for-fake-video-capture=<file>.y4m`): 8-bit 4:2:0 planar frames (I420) behind a
 * `YUV4MPEG2 W… H… F…:1 Ip A1:1 C420jpeg` header, each frame after a bare `FRAME` line, which is all
 * Chromium's parser accepts (it loops the file at the header's frame rate). Sources are RGBA pixels
 * or encoded images (PNG, JPEG: decoded and fitted with sharp), each held for a number of frames.
 * Builders make the videos the app's camera screens are tested with: a QR code on a sheet of paper,
 * a synthetic citizen's ID card or passport page lying on a table, and the drawn face of
 * face-frames.ts going through a liveness challenge.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { SyntheticCitizen } from './citizen-model';
import { renderDocument } from './document-image';
import type { FacePose } from './face-frames';
import { renderFaceFrame } from './face-frames';

/** 8-bit RGBA pixels, row-major (the shape of ImageData, a canvas read-back or sharp raw output). */
export interface RgbaFrame {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** One source image of a video and how many consecutive frames show it. */
export interface Y4mSource {
  /** RGBA pixels of exactly the video's size, or an encoded image fitted into it (see `fit`). */
  image: Buffer | RgbaFrame;
  /** Frames this image is shown for (≥ 1). */
  hold: number;
}

export interface Y4mOptions {
  /** Even, positive. */
  width: number;
  /** Even, positive. */
  height: number;
  /** Frames per second (a whole number, written as `F<fps>:1`). */
  fps: number;
  /**
   * `limited` (default): BT.601 studio swing, Y 16–235 and chroma 16–240, which is how Chromium
   * interprets camera I420; `full`: JPEG/JFIF full swing, 0–255.
   */
  range?: 'limited' | 'full';
  /** How encoded images that do not have the video's aspect ratio are fitted. Default `contain`. */
  fit?: 'contain' | 'cover' | 'fill';
  /** Colour behind a `contain`-fitted image and under transparency. Default white. */
  background?: string;
  /**
   * Stamp each frame's index in its bottom-left corner (see {@link FRAME_STAMP}), so a test can
   * read which frame of the film the camera is showing ({@link readFrameStamp}).
   */
  stampFrames?: boolean;
}

/**
 * Where a stamped frame carries its index: `bits` square blocks of `block` pixels along the bottom
 * edge, from the left, most significant bit first; a block is black (0) or white (1).
 */
export const FRAME_STAMP = Object.freeze({ bits: 12, block: 16 });

/** Writes `index` into a copy of the I420 frame's Y plane (chroma is left as it is). */
function stampFrame(
  frame: Uint8Array,
  width: number,
  height: number,
  index: number,
  range: Y4mOptions['range'],
): Uint8Array {
  const out = new Uint8Array(frame);
  const [low, high] = range === 'full' ? [0, 255] : [16, 235];
  const { bits, block } = FRAME_STAMP;
  if (bits * block > width || block > height) throw new RangeError('y4m: the frame is too small for a stamp');
  for (let bit = 0; bit < bits; bit++) {
    const on = (index >> (bits - 1 - bit)) & 1;
    for (let y = height - block; y < height; y++) {
      out.fill(on ? high : low, y * width + bit * block, y * width + (bit + 1) * block);
    }
  }
  // The chroma under the stamp is neutral, so the blocks are grey whatever the picture was.
  const cw = width / 2;
  const ch = height / 2;
  for (let plane = 0; plane < 2; plane++) {
    const base = width * height + plane * cw * ch;
    for (let y = ch - block / 2; y < ch; y++)
      out.fill(128, base + y * cw, base + y * cw + (bits * block) / 2);
  }
  return out;
}

/** Where to look for the stamp's blocks (their centres) in a film of this size. */
export function frameStampPoints(filmWidth: number, filmHeight: number): [number, number][] {
  const { bits, block } = FRAME_STAMP;
  if (bits * block > filmWidth || block > filmHeight)
    throw new RangeError('y4m: the film is too small for a stamp');
  return Array.from({ length: bits }, (_, bit) => [(bit + 0.5) * block, filmHeight - block / 2]);
}

/** The index from the grey levels (0–255) at {@link frameStampPoints}, or -1 when no stamp is there. */
export function decodeFrameStamp(greys: readonly number[]): number {
  let index = 0;
  for (const grey of greys) {
    if (grey > 96 && grey < 160) return -1;
    index = (index << 1) | (grey >= 128 ? 1 : 0);
  }
  return greys.length === FRAME_STAMP.bits ? index : -1;
}

/**
 * Reads the index stamped by `stampFrames` from RGBA pixels of the picture as shown (any size:
 * the stamp's place is scaled from the film's size), or -1 when no stamp is there.
 */
export function readFrameStamp(frame: RgbaFrame, filmWidth: number, filmHeight: number): number {
  const greys = frameStampPoints(filmWidth, filmHeight).map(([fx, fy]) => {
    const x = Math.floor((fx / filmWidth) * frame.width);
    const y = Math.floor((fy / filmHeight) * frame.height);
    const at = (y * frame.width + x) * 4;
    return (frame.data[at]! + frame.data[at + 1]! + frame.data[at + 2]!) / 3;
  });
  return decodeFrameStamp(greys);
}

export interface Y4mWritten {
  path: string;
  frameCount: number;
  bytes: number;
}

/** A parsed Y4M file (see {@link readY4m}). */
export interface Y4mVideo {
  width: number;
  height: number;
  /** Frame rate as numerator and denominator. */
  fps: [number, number];
  /** The `C` tag, e.g. `420jpeg`; `420` when absent. */
  colorspace: string;
  /** Header tokens after the signature, as written. */
  tokens: string[];
  /** I420 frames: Y plane (width × height), then U and V (each width/2 × height/2). */
  frames: Uint8Array[];
}

const SIGNATURE = 'YUV4MPEG2';
const FRAME_LINE = Buffer.from('FRAME\n', 'ascii');
/** Chromium reads at most this many header bytes before looking for the first frame. */
const MAX_HEADER = 200;

function assertGeometry(opts: Pick<Y4mOptions, 'width' | 'height' | 'fps'>): void {
  const { width, height, fps } = opts;
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0 || value % 2 !== 0) {
      throw new RangeError(`y4m: ${name} must be a positive even integer (got ${value})`);
    }
  }
  if (!Number.isInteger(fps) || fps <= 0 || fps > 120) {
    throw new RangeError(`y4m: fps must be an integer from 1 to 120 (got ${fps})`);
  }
}

/** The stream header line (with its trailing newline). */
export function y4mHeader(opts: Pick<Y4mOptions, 'width' | 'height' | 'fps'>): string {
  assertGeometry(opts);
  return `${SIGNATURE} W${opts.width} H${opts.height} F${opts.fps}:1 Ip A1:1 C420jpeg\n`;
}

const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/**
 * Converts RGBA pixels to one I420 frame (BT.601 matrix; chroma averaged over each 2 × 2 block).
 * Alpha is composited over white.
 */
export function rgbaToI420(frame: RgbaFrame, range: 'limited' | 'full' = 'limited'): Uint8Array {
  const { width, height, data } = frame;
  assertGeometry({ width, height, fps: 1 });
  if (data.length < width * height * 4) {
    throw new RangeError(
      `y4m: ${width}x${height} RGBA needs ${width * height * 4} bytes, got ${data.length}`,
    );
  }
  const lumaSize = width * height;
  const chromaWidth = width / 2;
  const out = new Uint8Array(lumaSize * 1.5);
  const uOffset = lumaSize;
  const vOffset = lumaSize + lumaSize / 4;
  const limited = range === 'limited';
  const rgbAt = (i: number): [number, number, number] => {
    const a = data[i + 3]! / 255;
    const over = 255 * (1 - a);
    return [data[i]! * a + over, data[i + 1]! * a + over, data[i + 2]! * a + over];
  };
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      let rs = 0;
      let gs = 0;
      let bs = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const p = (y + dy) * width + x + dx;
          const [r, g, b] = rgbAt(p * 4);
          out[p] = limited
            ? clampByte(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255)
            : clampByte(0.299 * r + 0.587 * g + 0.114 * b);
          rs += r;
          gs += g;
          bs += b;
        }
      }
      const r = rs / 4;
      const g = gs / 4;
      const b = bs / 4;
      const c = (y / 2) * chromaWidth + x / 2;
      if (limited) {
        out[uOffset + c] = clampByte(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
        out[vOffset + c] = clampByte(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
      } else {
        out[uOffset + c] = clampByte(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
        out[vOffset + c] = clampByte(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
      }
    }
  }
  return out;
}

/** Decodes an encoded image (any format sharp reads) and fits it into width × height RGBA. */
export async function imageToRgba(
  image: Buffer,
  width: number,
  height: number,
  opts: { fit?: 'contain' | 'cover' | 'fill'; background?: string } = {},
): Promise<RgbaFrame> {
  const { default: sharp } = await import('sharp');
  const background = opts.background ?? '#ffffff';
  const { data, info } = await sharp(image)
    .resize({ width, height, fit: opts.fit ?? 'contain', background })
    .flatten({ background })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 4) {
    throw new Error(
      `y4m: decoded ${info.width}x${info.height}x${info.channels}, wanted ${width}x${height}x4`,
    );
  }
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Writes a Y4M video to `path`: every source converted once, then written `hold` times. Streams to
 * the file, so long videos do not sit in memory.
 */
export async function writeY4m(
  path: string,
  sources: readonly Y4mSource[],
  opts: Y4mOptions,
): Promise<Y4mWritten> {
  const header = y4mHeader(opts);
  if (sources.length === 0) throw new RangeError('y4m: at least one source image is needed');
  for (const [i, source] of sources.entries()) {
    if (!Number.isInteger(source.hold) || source.hold < 1) {
      throw new RangeError(
        `y4m: source ${i} must be held for a whole number of frames ≥ 1 (got ${source.hold})`,
      );
    }
  }
  const planes: Uint8Array[] = [];
  for (const source of sources) {
    const rgba = Buffer.isBuffer(source.image)
      ? await imageToRgba(source.image, opts.width, opts.height, {
          ...(opts.fit === undefined ? {} : { fit: opts.fit }),
          ...(opts.background === undefined ? {} : { background: opts.background }),
        })
      : source.image;
    if (rgba.width !== opts.width || rgba.height !== opts.height) {
      throw new RangeError(
        `y4m: an RGBA source is ${rgba.width}x${rgba.height}, the video ${opts.width}x${opts.height}`,
      );
    }
    planes.push(rgbaToI420(rgba, opts.range));
  }
  const fd = openSync(path, 'w');
  let bytes = 0;
  let frameCount = 0;
  try {
    bytes += writeSync(fd, header, null, 'ascii');
    for (const [i, source] of sources.entries()) {
      const frame = planes[i]!;
      for (let n = 0; n < source.hold; n++) {
        bytes += writeSync(fd, FRAME_LINE);
        bytes += writeSync(
          fd,
          opts.stampFrames ? stampFrame(frame, opts.width, opts.height, frameCount, opts.range) : frame,
        );
        frameCount++;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { path, frameCount, bytes };
}

/**
 * Parses a Y4M file (or its bytes) written by {@link writeY4m} or any 4:2:0 8-bit writer: the header
 * tokens and every frame's I420 planes. Frame parameters after `FRAME` are skipped.
 * @throws Error on a missing signature, unsupported colour space or truncated frame.
 */
export function readY4m(file: string | Buffer): Y4mVideo {
  const bytes = typeof file === 'string' ? readFileSync(file) : file;
  const headerEnd = bytes.indexOf(0x0a);
  if (headerEnd < 0 || headerEnd > MAX_HEADER) throw new Error('y4m: no header line in the first 200 bytes');
  const [signature, ...tokens] = bytes.subarray(0, headerEnd).toString('ascii').split(' ');
  if (signature !== SIGNATURE) throw new Error(`y4m: bad signature ${JSON.stringify(signature)}`);
  let width = 0;
  let height = 0;
  let fps: [number, number] = [25, 1];
  let colorspace = '420';
  for (const token of tokens) {
    const value = token.slice(1);
    if (token[0] === 'W') width = Number(value);
    else if (token[0] === 'H') height = Number(value);
    else if (token[0] === 'F') {
      const [num, den] = value.split(':').map(Number);
      fps = [num ?? 0, den ?? 1];
    } else if (token[0] === 'C') colorspace = value;
  }
  if (!colorspace.startsWith('420') || colorspace === '420p10') {
    throw new Error(`y4m: only 8-bit 4:2:0 is supported (C${colorspace})`);
  }
  if (!(width > 0 && height > 0)) throw new Error('y4m: header without a size');
  const frameSize = width * height * 1.5;
  const frames: Uint8Array[] = [];
  let at = headerEnd + 1;
  while (at < bytes.length) {
    const lineEnd = bytes.indexOf(0x0a, at);
    if (lineEnd < 0 || !bytes.subarray(at, lineEnd).toString('ascii').startsWith('FRAME')) {
      throw new Error(`y4m: expected FRAME at byte ${at}`);
    }
    const start = lineEnd + 1;
    if (start + frameSize > bytes.length) throw new Error(`y4m: frame ${frames.length} is truncated`);
    frames.push(new Uint8Array(bytes.buffer, bytes.byteOffset + start, frameSize));
    at = start + frameSize;
  }
  return { width, height, fps, colorspace, tokens, frames };
}

// ---------------------------------------------------------------------------------------------
// Builders for the camera screens' tests.

export interface VideoOptions {
  /** Default 640 (QR, face) or 1280 (document). */
  width?: number;
  /** Default 480 (QR, face) or 720 (document). */
  height?: number;
  /** Default 10. */
  fps?: number;
}

/** A flat colour frame with faint deterministic noise (a table or wall seen by a camera sensor). */
function surface(width: number, height: number, rgb: [number, number, number], seed: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < width * height; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const shade = ((state >>> 0) % 13) - 6;
    const y = Math.floor(i / width);
    const vignette = Math.round(10 * (y / height - 0.5));
    data[i * 4] = clampByte(rgb[0] + shade - vignette);
    data[i * 4 + 1] = clampByte(rgb[1] + shade - vignette);
    data[i * 4 + 2] = clampByte(rgb[2] + shade - vignette);
    data[i * 4 + 3] = 255;
  }
  return data;
}

/** Places `image` (encoded) at `box` on a surface and answers the frame's RGBA pixels. */
async function compose(
  width: number,
  height: number,
  backdrop: Buffer,
  layers: { image: Buffer; left: number; top: number }[],
): Promise<RgbaFrame> {
  const { default: sharp } = await import('sharp');
  const { data } = await sharp(backdrop, { raw: { width, height, channels: 4 } })
    .composite(layers.map((l) => ({ input: l.image, left: Math.round(l.left), top: Math.round(l.top) })))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * A QR code of `text` printed on a white sheet held in front of a grey wall: the code (error
 * correction M, 4-module quiet zone) is `codeFraction` (default 0.7) of the frame's height, centred.
 * At 640 × 480 that is 336 px, several pixels per module for the login QR's length of text.
 * `emptyFrames` of the bare wall come first (the scanner must keep looking until the code shows).
 */
export async function writeQrVideo(
  path: string,
  text: string,
  opts: VideoOptions & { seconds?: number; codeFraction?: number; emptyFrames?: number } = {},
): Promise<Y4mWritten> {
  const { default: QRCode } = await import('qrcode');
  const width = opts.width ?? 640;
  const height = opts.height ?? 480;
  const fps = opts.fps ?? 10;
  const side = Math.round(height * (opts.codeFraction ?? 0.7));
  const code = await QRCode.toBuffer(text, {
    type: 'png',
    errorCorrectionLevel: 'M',
    margin: 4,
    width: side,
  });
  const { default: sharp } = await import('sharp');
  const meta = await sharp(code).metadata();
  const size = meta.width ?? side;
  const wall = surface(width, height, [128, 134, 142], 7);
  const frame = await compose(width, height, wall, [
    { image: code, left: (width - size) / 2, top: (height - size) / 2 },
  ]);
  const sources: Y4mSource[] = [];
  const empty = opts.emptyFrames ?? 0;
  if (empty > 0) sources.push({ image: { width, height, data: wall }, hold: empty });
  sources.push({ image: frame, hold: Math.max(1, Math.round((opts.seconds ?? 2) * fps)) });
  return writeY4m(path, sources, { width, height, fps });
}

export interface DocumentVideoOptions extends VideoOptions {
  /** Document width as a fraction of the frame's width. Default 0.62 (inside the scanner's frame). */
  documentFraction?: number;
  /** Degrees clockwise the document lies rotated on the table. Default 0. */
  angle?: number;
  /** The encoded document image to show instead of the citizen's rendered document. */
  documentImage?: Buffer;
  /** Frames of the empty table before the document appears. Default 0. */
  emptyFrames?: number;
  /** Frames showing the document. Default 2 seconds' worth. */
  documentFrames?: number;
}

/**
 * The citizen's ID card (TD1) or passport data page (TD3), rendered by document-image.ts, lying on a
 * brown table in the middle of the picture (default 1280 × 720, as a rear camera delivers), optionally
 * after some frames of the empty table. The video loops, so a reader sees the document again and again.
 */
export async function writeDocumentVideo(
  path: string,
  citizen: SyntheticCitizen,
  opts: DocumentVideoOptions = {},
): Promise<Y4mWritten> {
  const { default: sharp } = await import('sharp');
  const width = opts.width ?? 1280;
  const height = opts.height ?? 720;
  const fps = opts.fps ?? 10;
  const table = surface(width, height, [112, 86, 64], 11);
  const docWidth = Math.round(width * (opts.documentFraction ?? 0.62));
  let doc = await sharp(opts.documentImage ?? renderDocument(citizen))
    .resize({ width: docWidth })
    .png()
    .toBuffer();
  if (opts.angle) {
    doc = await sharp(doc)
      .rotate(opts.angle, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .png()
      .toBuffer();
  }
  const meta = await sharp(doc).metadata();
  const docFrame = await compose(width, height, table, [
    { image: doc, left: (width - (meta.width ?? docWidth)) / 2, top: (height - (meta.height ?? 0)) / 2 },
  ]);
  const sources: Y4mSource[] = [];
  const empty = opts.emptyFrames ?? 0;
  if (empty > 0) sources.push({ image: { width, height, data: table }, hold: empty });
  sources.push({ image: docFrame, hold: opts.documentFrames ?? 2 * fps });
  return writeY4m(path, sources, { width, height, fps });
}

/**
 * The drawn face of face-frames.ts in front of a plain wall (default 640 × 480): looking straight
 * for `centerSeconds`, then each action of the challenge for `actionSeconds` followed by a moment
 * looking straight again. Poses other than the face-frames ones are shown as a centred face.
 */
export async function writeFaceVideo(
  path: string,
  actions: readonly string[],
  opts: VideoOptions & { centerSeconds?: number; actionSeconds?: number } = {},
): Promise<Y4mWritten> {
  const width = opts.width ?? 640;
  const height = opts.height ?? 480;
  const fps = opts.fps ?? 10;
  const faceSize = Math.min(width, height);
  const poses: FacePose[] = ['center', 'turn_left', 'turn_right', 'nod', 'blink'];
  const frames = new Map<FacePose, RgbaFrame>();
  const wall = surface(width, height, [217, 221, 227], 3);
  for (const pose of poses) {
    frames.set(
      pose,
      await compose(width, height, wall, [
        {
          image: renderFaceFrame(pose, faceSize),
          left: (width - faceSize) / 2,
          top: (height - faceSize) / 2,
        },
      ]),
    );
  }
  const hold = (seconds: number): number => Math.max(1, Math.round(seconds * fps));
  const center = frames.get('center')!;
  const sources: Y4mSource[] = [{ image: center, hold: hold(opts.centerSeconds ?? 1.5) }];
  for (const action of actions) {
    const pose = poses.includes(action as FacePose) ? (action as FacePose) : 'center';
    sources.push({ image: frames.get(pose)!, hold: hold((opts.actionSeconds ?? 2) * 0.6) });
    sources.push({ image: center, hold: hold((opts.actionSeconds ?? 2) * 0.4) });
  }
  return writeY4m(path, sources, { width, height, fps });
}
