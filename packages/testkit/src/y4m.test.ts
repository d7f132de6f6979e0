// Round trips through the Y4M writer: header fields, frame count, plane sizes and the Y/U/V values of
// known colours in both ranges; encoded sources fitted with sharp; the camera-test builders.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { CITIZENS } from './citizens';
import type { RgbaFrame } from './y4m';
import {
  FRAME_STAMP,
  readFrameStamp,
  readY4m,
  rgbaToI420,
  writeDocumentVideo,
  writeFaceVideo,
  writeQrVideo,
  writeY4m,
  y4mHeader,
} from './y4m';

const dir = mkdtempSync(join(tmpdir(), 'cdk-y4m-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function solid(width: number, height: number, rgba: [number, number, number, number]): RgbaFrame {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set(rgba, i * 4);
  return { width, height, data };
}

const planes = (frame: Uint8Array, width: number, height: number) => ({
  y: frame.subarray(0, width * height),
  u: frame.subarray(width * height, width * height * 1.25),
  v: frame.subarray(width * height * 1.25, width * height * 1.5),
});

/** The Y plane as grey RGBA, scaled by `scale` (nearest neighbour), as a browser would show it. */
function shown(frame: Uint8Array, width: number, height: number, scale: number): RgbaFrame {
  const w = width * scale;
  const h = height * scale;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const luma = frame[Math.floor(y / scale) * width + Math.floor(x / scale)]!;
      const grey = Math.max(0, Math.min(255, Math.round(((luma - 16) * 255) / 219)));
      data.set([grey, grey, grey, 255], (y * w + x) * 4);
    }
  }
  return { width: w, height: h, data };
}

describe('writeY4m and readY4m', () => {
  it('stamps each frame with its index, read back at any display size; no stamp reads -1', async () => {
    const path = join(dir, 'stamped.y4m');
    const grey = solid(240, 32, [128, 128, 128, 255]);
    const written = await writeY4m(
      path,
      [
        { image: grey, hold: 3 },
        { image: solid(240, 32, [255, 255, 255, 255]), hold: 2 },
      ],
      { width: 240, height: 32, fps: 10, stampFrames: true },
    );
    expect(written.frameCount).toBe(5);
    const video = readY4m(path);
    const read = video.frames.map((f, i) => readFrameStamp(shown(f, 240, 32, i % 2 ? 2 : 1), 240, 32));
    expect(read).toEqual([0, 1, 2, 3, 4]);
    // Above the stamp the picture is as it was.
    expect(planes(video.frames[0]!, 240, 32).y[0]).toBe(planes(rgbaToI420(grey), 240, 32).y[0]);
    await writeY4m(path, [{ image: grey, hold: 1 }], { width: 240, height: 32, fps: 10 });
    expect(readFrameStamp(shown(readY4m(path).frames[0]!, 240, 32, 1), 240, 32)).toBe(-1);
    await expect(
      writeY4m(path, [{ image: solid(16, 8, [0, 0, 0, 255]), hold: 1 }], {
        width: 16,
        height: 8,
        fps: 10,
        stampFrames: true,
      }),
    ).rejects.toThrow(/too small/);
    expect(FRAME_STAMP.bits * FRAME_STAMP.block).toBeLessThanOrEqual(240);
  });
  it('round-trips header fields, frame count and the Y plane of known colours', async () => {
    const path = join(dir, 'colours.y4m');
    const written = await writeY4m(
      path,
      [
        { image: solid(16, 8, [255, 255, 255, 255]), hold: 3 },
        { image: solid(16, 8, [0, 0, 0, 255]), hold: 2 },
        { image: solid(16, 8, [128, 128, 128, 255]), hold: 1 },
      ],
      { width: 16, height: 8, fps: 15 },
    );
    expect(written.frameCount).toBe(6);
    expect(statSync(path).size).toBe(written.bytes);
    const header = y4mHeader({ width: 16, height: 8, fps: 15 });
    expect(header).toBe('YUV4MPEG2 W16 H8 F15:1 Ip A1:1 C420jpeg\n');
    expect(written.bytes).toBe(header.length + 6 * (6 + 16 * 8 * 1.5));

    const video = readY4m(path);
    expect(video).toMatchObject({ width: 16, height: 8, fps: [15, 1], colorspace: '420jpeg' });
    expect(video.frames).toHaveLength(6);
    const yValues = video.frames.map((f) => [...new Set(planes(f, 16, 8).y)]);
    expect(yValues).toEqual([[235], [235], [235], [16], [16], [126]]);
    for (const frame of video.frames) {
      const { u, v } = planes(frame, 16, 8);
      expect(u).toHaveLength(32);
      expect([...new Set(u)]).toEqual([128]);
      expect([...new Set(v)]).toEqual([128]);
    }
  });

  it('converts primary colours with the BT.601 matrix, limited and full range', () => {
    const red = planes(rgbaToI420(solid(4, 4, [255, 0, 0, 255])), 4, 4);
    expect([red.y[0], red.u[0], red.v[0]]).toEqual([81, 90, 240]);
    const blue = planes(rgbaToI420(solid(4, 4, [0, 0, 255, 255]), 'full'), 4, 4);
    expect([blue.y[0], blue.u[0], blue.v[0]]).toEqual([29, 255, 107]);
    const white = planes(rgbaToI420(solid(4, 4, [255, 255, 255, 255]), 'full'), 4, 4);
    expect(white.y[0]).toBe(255);
  });

  it('composites transparent pixels over white and averages chroma over 2x2 blocks', () => {
    expect(planes(rgbaToI420(solid(2, 2, [0, 0, 0, 0])), 2, 2).y[0]).toBe(235);
    const frame = solid(2, 2, [255, 255, 255, 255]);
    frame.data.set([255, 0, 0, 255], 0);
    const { y, v } = planes(rgbaToI420(frame), 2, 2);
    expect([...y]).toEqual([81, 235, 235, 235]);
    expect(v[0]).toBe(156);
  });

  it('fits PNG and JPEG sources into the frame with sharp', async () => {
    const png = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#000000' } })
      .png()
      .toBuffer();
    const jpeg = await sharp({ create: { width: 30, height: 30, channels: 3, background: '#ffffff' } })
      .jpeg()
      .toBuffer();
    const path = join(dir, 'encoded.y4m');
    await writeY4m(
      path,
      [
        { image: png, hold: 1 },
        { image: jpeg, hold: 1 },
      ],
      { width: 20, height: 20, fps: 5 },
    );
    const video = readY4m(path);
    expect(video.frames).toHaveLength(2);
    const first = planes(video.frames[0]!, 20, 20).y;
    // 40x20 black contained in 20x20: a 20x10 black band between white bands.
    expect(first[0]).toBe(235);
    expect(first[10 * 20 + 10]).toBe(16);
    expect(first[19 * 20 + 10]).toBe(235);
    expect(Math.abs(planes(video.frames[1]!, 20, 20).y[200]! - 235)).toBeLessThanOrEqual(1);
  });

  it('refuses odd sizes, bad holds, mismatched sources and foreign files', async () => {
    expect(() => y4mHeader({ width: 15, height: 8, fps: 10 })).toThrow(RangeError);
    expect(() => y4mHeader({ width: 16, height: 8, fps: 0 })).toThrow(RangeError);
    await expect(
      writeY4m(join(dir, 'x.y4m'), [{ image: solid(4, 4, [0, 0, 0, 255]), hold: 0 }], {
        width: 4,
        height: 4,
        fps: 1,
      }),
    ).rejects.toThrow(RangeError);
    await expect(
      writeY4m(join(dir, 'x.y4m'), [{ image: solid(4, 4, [0, 0, 0, 255]), hold: 1 }], {
        width: 8,
        height: 4,
        fps: 1,
      }),
    ).rejects.toThrow(/4x4/);
    expect(() => readY4m(Buffer.from('RIFF nothing\n'))).toThrow(/signature/);
    expect(() => readY4m(Buffer.from('YUV4MPEG2 W4 H4 F1:1 C420\nFRAME\nabc'))).toThrow(/truncated/);
  });
});

describe('camera-test videos', () => {
  it('writes a 640x480 QR video with a white sheet in the middle of a grey wall', async () => {
    const path = join(dir, 'qr.y4m');
    const written = await writeQrVideo(path, 'camdigikey://login?token=abc', { seconds: 1 });
    const video = readY4m(path);
    expect(written.frameCount).toBe(10);
    expect([video.width, video.height]).toEqual([640, 480]);
    const y = planes(video.frames[0]!, 640, 480).y;
    expect(y[240 * 640 + 20]!).toBeLessThan(150);
    const dark = y.subarray(240 * 640 + 160, 240 * 640 + 480).filter((v) => v < 60).length;
    expect(dark).toBeGreaterThan(40);
  });

  it('writes a 1280x720 document video with an empty lead-in, and a face video for a challenge', async () => {
    const docPath = join(dir, 'card.y4m');
    const doc = await writeDocumentVideo(docPath, CITIZENS[0]!, { emptyFrames: 2, documentFrames: 3 });
    expect(doc.frameCount).toBe(5);
    const video = readY4m(readFileSync(docPath));
    expect([video.width, video.height, video.frames.length]).toEqual([1280, 720, 5]);
    const centre = (f: Uint8Array) => planes(f, 1280, 720).y[360 * 1280 + 640]!;
    expect(centre(video.frames[0]!)).toBeLessThan(120);
    expect(centre(video.frames[4]!)).toBeGreaterThan(150);

    const face = await writeFaceVideo(join(dir, 'face.y4m'), ['turn_left', 'nod'], { fps: 5 });
    // 1.5 s centre + 2 × (1.2 s action + 0.8 s centre) at 5 fps.
    expect(face.frameCount).toBe(8 + 2 * (6 + 4));
  });
});
