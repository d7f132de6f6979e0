// The QR scanner's decode path in Node: zxing-wasm's reader prepared with the packaged wasm bytes (no
// network), fed RGBA frames as the scanner's canvas gives them: generated QR codes on a camera-like
// picture, the testkit's fake-camera video, turned and small codes, and pictures without any code.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CITIZENS } from '@camdigikey/testkit/citizens';
import { renderIdCard } from '@camdigikey/testkit/document-image';
import { readY4m, writeQrVideo } from '@camdigikey/testkit/y4m';
import QRCode from 'qrcode';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareZXingModule } from 'zxing-wasm/reader';
import type { QrImage } from './qr-decode';
import { decodeQr } from './qr-decode';

const LOGIN_QR = 'camdigikey://login?session=6f1d2c3b-8a9e-4f70-b1c2-d3e4f5a6b7c8&code=QJ7Z2XK4PA&v=1';

const scratch = mkdtempSync(join(tmpdir(), 'cdk-qr-'));

beforeAll(async () => {
  const wasmPath = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
  const bytes = readFileSync(wasmPath);
  const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  // With the bytes given, Emscripten compiles them and fetches nothing.
  await prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An encoded image → RGBA (what getImageData gives the scanner). */
async function rgba(image: Buffer): Promise<QrImage> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
  };
}

/** A 640 × 480 picture of a grey wall with `code` (PNG) on it, optionally turned. */
async function onWall(code: Buffer, opts: { angle?: number; side?: number } = {}): Promise<QrImage> {
  let sheet = await sharp(code)
    .resize({ width: opts.side ?? 320 })
    .png()
    .toBuffer();
  if (opts.angle) {
    sheet = await sharp(sheet).rotate(opts.angle, { background: '#8a9099' }).png().toBuffer();
  }
  const meta = await sharp(sheet).metadata();
  const frame = await sharp({ create: { width: 640, height: 480, channels: 4, background: '#8a9099' } })
    .composite([
      {
        input: sheet,
        left: Math.round((640 - (meta.width ?? 0)) / 2),
        top: Math.round((480 - (meta.height ?? 0)) / 2),
      },
    ])
    .png()
    .toBuffer();
  return rgba(frame);
}

describe('decodeQr (zxing-wasm, self-provided wasm)', () => {
  it('reads a login QR on a camera-like picture', async () => {
    const code = await QRCode.toBuffer(LOGIN_QR, { type: 'png', margin: 4, errorCorrectionLevel: 'M' });
    expect(await decodeQr(await onWall(code))).toBe(LOGIN_QR);
  });

  it('reads the first frame of the fake-camera QR video (I420 luma back to RGBA)', async () => {
    const path = join(scratch, 'qr.y4m');
    await writeQrVideo(path, LOGIN_QR, { seconds: 0.2 });
    const video = readY4m(path);
    const luma = video.frames[0]!.subarray(0, video.width * video.height);
    const data = new Uint8ClampedArray(video.width * video.height * 4);
    for (let i = 0; i < luma.length; i++) {
      const v = Math.round(((luma[i]! - 16) * 255) / 219);
      data.set([v, v, v, 255], i * 4);
    }
    expect(await decodeQr({ width: video.width, height: video.height, data })).toBe(LOGIN_QR);
  });

  it('reads a code turned 20° and a small one (150 px), and Khmer text', async () => {
    const code = await QRCode.toBuffer(LOGIN_QR, { type: 'png', margin: 4 });
    expect(await decodeQr(await onWall(code, { angle: 20 }))).toBe(LOGIN_QR);
    const short = await QRCode.toBuffer('camdigikey://login?t=abc', { type: 'png', margin: 4 });
    expect(await decodeQr(await onWall(short, { side: 150 }))).toBe('camdigikey://login?t=abc');
    const khmer = await QRCode.toBuffer('កាមឌីជីឃី', { type: 'png', margin: 4 });
    expect(await decodeQr(await onWall(khmer))).toBe('កាមឌីជីឃី');
  });

  it('finds nothing where there is no QR code', async () => {
    const wall = await rgba(
      await sharp({ create: { width: 640, height: 480, channels: 3, background: '#8a9099' } })
        .png()
        .toBuffer(),
    );
    expect(await decodeQr(wall)).toBeUndefined();
    let seed = 7;
    const noise = new Uint8ClampedArray(320 * 240 * 4).map((_, i) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return i % 4 === 3 ? 255 : seed & 0xff;
    });
    expect(await decodeQr({ width: 320, height: 240, data: noise })).toBeUndefined();
    expect(await decodeQr(await rgba(renderIdCard(CITIZENS[0]!)))).toBeUndefined();
  });

  it('finds nothing in a code with a third of it covered', async () => {
    const code = await QRCode.toBuffer(LOGIN_QR, { type: 'png', margin: 4, errorCorrectionLevel: 'L' });
    const meta = await sharp(code).metadata();
    const w = meta.width ?? 0;
    const cover = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${w}"><rect x="0" y="0" width="${w}" height="${Math.round(w / 3)}" fill="#fff"/></svg>`,
    );
    const covered = await sharp(code)
      .composite([{ input: cover }])
      .png()
      .toBuffer();
    expect(await decodeQr(await onWall(covered))).toBeUndefined();
  });
});
