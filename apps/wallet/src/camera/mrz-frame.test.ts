// The document scanner's reading path as the MRZ worker runs it (crop to the frame region, gray,
// readMrz) on camera-like pictures of rendered documents: a synthetic citizen's card lying on a table
// in a 1280 × 720 (or portrait 720 × 1280) picture, clean, blurred, turned 2–3°, partly covered by a
// thumb, or outside the frame, or held at an angle; and the scanner's rule that several frames must
// agree character by character (MrzScanSession) before an MRZ is accepted.

import type { PhotoOptions } from '@camdigikey/mrz-reader/photo-sim';
import { phonePhoto } from '@camdigikey/mrz-reader/photo-sim';
import type { SyntheticCitizen } from '@camdigikey/testkit/citizens';
import { CITIZENS, makeCitizen } from '@camdigikey/testkit/citizens';
import { renderDocument, renderIdCard } from '@camdigikey/testkit/document-image';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { cardFrame, readRegion } from './geometry';
import type { MrzFrameResult, RgbaFrame } from './mrz-frame';
import { cropRgba, MrzScanSession, readCardFrame } from './mrz-frame';

interface Shot {
  width?: number;
  height?: number;
  /** Document width as a share of the frame's width (default: 92 % of the card frame). */
  scale?: number;
  angle?: number;
  blur?: number;
  /** Where the document's centre is, as shares of the picture (default: the middle). */
  at?: [number, number];
  /** SVG shapes drawn over the document (in document pixels before scaling, 1012 × 638 for a card). */
  cover?: string;
  jpegQuality?: number;
}

/** A camera picture of `doc` (PNG) on a table, as RGBA. */
async function cameraPicture(doc: Buffer, shot: Shot = {}): Promise<RgbaFrame> {
  const width = shot.width ?? 1280;
  const height = shot.height ?? 720;
  let image = doc;
  const meta = await sharp(doc).metadata();
  if (shot.cover) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${meta.width}" height="${meta.height}">${shot.cover}</svg>`;
    image = await sharp(image)
      .composite([{ input: Buffer.from(svg) }])
      .png()
      .toBuffer();
  }
  const docWidth = Math.round(shot.scale ? width * shot.scale : cardFrame(width, height).width * 0.92);
  image = await sharp(image).resize({ width: docWidth }).png().toBuffer();
  if (shot.blur) image = await sharp(image).blur(shot.blur).png().toBuffer();
  if (shot.angle) {
    image = await sharp(image)
      .rotate(shot.angle, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .png()
      .toBuffer();
  }
  const placed = await sharp(image).metadata();
  const [cx, cy] = shot.at ?? [0.5, 0.5];
  let picture = sharp({ create: { width, height, channels: 4, background: '#6f5640' } }).composite([
    {
      input: image,
      left: Math.round(cx * width - (placed.width ?? 0) / 2),
      top: Math.round(cy * height - (placed.height ?? 0) / 2),
    },
  ]);
  if (shot.jpegQuality) {
    picture = sharp(await picture.jpeg({ quality: shot.jpegQuality }).toBuffer());
  }
  const { data, info } = await picture.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data) };
}

const read = (frame: RgbaFrame): MrzFrameResult =>
  readCardFrame(frame, readRegion(frame.width, frame.height));
const linesOf = (r: MrzFrameResult) => (r.ok ? r.lines : undefined);
const idHolders = CITIZENS.filter((c) => c.documentType === 'id_card');
const passportHolder = CITIZENS.find((c) => c.documentType === 'passport')!;

/** Never a wrong read: either no read, or exactly the printed MRZ. */
function expectRightOrNothing(result: MrzFrameResult, citizen: SyntheticCitizen) {
  if (result.ok) expect(result.lines).toEqual(citizen.mrz);
}

describe('cropRgba', () => {
  it('copies the region row by row and clamps it to the frame', () => {
    const frame: RgbaFrame = { width: 4, height: 3, data: new Uint8ClampedArray(48).map((_, i) => i) };
    const crop = cropRgba(frame, { x: 1, y: 1, width: 2, height: 2 });
    expect([crop.width, crop.height]).toEqual([2, 2]);
    expect([...crop.data.subarray(0, 4)]).toEqual([20, 21, 22, 23]);
    expect([...crop.data.subarray(8, 12)]).toEqual([36, 37, 38, 39]);
    const clamped = cropRgba(frame, { x: -5, y: 2, width: 100, height: 100 });
    expect([clamped.width, clamped.height]).toEqual([4, 1]);
    expect(clamped.data[0]).toBe(32);
  });
});

describe('readCardFrame: crop + gray + readMrz on camera pictures', () => {
  it.each(idHolders.slice(0, 4).map((c) => [c.id, c] as const))(
    'reads the ID card of %s',
    async (_, citizen) => {
      const result = read(await cameraPicture(renderIdCard(citizen)));
      expect(linesOf(result)).toEqual(citizen.mrz);
      expect(result.ok && result.format).toBe('TD1');
    },
  );

  it('reads a passport data page (TD3) held in the frame, and generated citizens', async () => {
    const passport = read(await cameraPicture(renderDocument(passportHolder)));
    expect(passport.ok && passport.format).toBe('TD3');
    expect(linesOf(passport)).toEqual(passportHolder.mrz);
    for (const seed of [301, 302]) {
      const citizen = makeCitizen(seed, { documentType: 'id_card' });
      expect(linesOf(read(await cameraPicture(renderIdCard(citizen))))).toEqual(citizen.mrz);
    }
  });

  it('reads a portrait picture (720 × 1280) and a JPEG-compressed one', async () => {
    const citizen = idHolders[1]!;
    const portrait = await cameraPicture(renderIdCard(citizen), { width: 720, height: 1280 });
    expect(linesOf(read(portrait))).toEqual(citizen.mrz);
    const jpeg = await cameraPicture(renderIdCard(citizen), { jpegQuality: 70 });
    expect(linesOf(read(jpeg))).toEqual(citizen.mrz);
  });

  it('reads a slightly blurred card; a badly blurred one gives no read, never a wrong one', async () => {
    const citizen = idHolders[2]!;
    expect(linesOf(read(await cameraPicture(renderIdCard(citizen), { blur: 1.2 })))).toEqual(citizen.mrz);
    for (const sigma of [3, 4, 6]) {
      const result = read(await cameraPicture(renderIdCard(citizen), { blur: sigma }));
      expect(result.ok).toBe(false);
    }
  });

  it.each([2, -2.5, 3])('reads a card turned %s°', async (angle) => {
    const citizen = idHolders[3]!;
    expect(linesOf(read(await cameraPicture(renderIdCard(citizen), { angle })))).toEqual(citizen.mrz);
  });

  it('gives no read for a card whose MRZ is partly under a thumb', async () => {
    const citizen = idHolders[0]!;
    // The thumb covers about a third of the second and third MRZ lines.
    const thumb = '<ellipse cx="620" cy="600" rx="190" ry="95" fill="#c68e6a"/>';
    const result = read(await cameraPicture(renderIdCard(citizen), { cover: thumb }));
    expect(result.ok).toBe(false);
  });

  it('never reads wrong under smaller covers moved along the MRZ', async () => {
    const citizen = idHolders[4]!;
    let reads = 0;
    for (const cx of [120, 360, 600, 840]) {
      for (const [cy, r] of [
        [520, 40],
        [570, 28],
        [615, 55],
      ] as const) {
        const cover = `<circle cx="${cx}" cy="${cy}" r="${r}" fill="#d9b08c"/>`;
        const result = read(await cameraPicture(renderIdCard(citizen), { cover }));
        expectRightOrNothing(result, citizen);
        if (result.ok) reads++;
      }
    }
    // Small covers hide a character or two, which the check digits may or may not repair.
    expect(reads).toBeLessThan(12);
  }, 180_000);

  it('does not read a card lying mostly outside the frame (the picture is cropped first)', async () => {
    const citizen = idHolders[0]!;
    const aside = await cameraPicture(renderIdCard(citizen), { scale: 0.36, at: [0.19, 0.5] });
    expect(read(aside).ok).toBe(false);
    // The whole picture holds a readable card: the crop is what keeps it out.
    expect(linesOf(readCardFrame(aside, { x: 0, y: 0, width: aside.width, height: aside.height }))).toEqual(
      citizen.mrz,
    );
  });

  it('answers bad_frame for unusable frames and mrz_not_found for an empty table', async () => {
    expect(readCardFrame({ width: 0, height: 0, data: new Uint8ClampedArray() }, readRegion(0, 0))).toEqual({
      ok: false,
      code: 'bad_frame',
    });
    expect(
      readCardFrame({ width: 10, height: 10, data: new Uint8ClampedArray(5) }, readRegion(10, 10)),
    ).toEqual({ ok: false, code: 'bad_frame' });
    const table = await sharp({ create: { width: 1280, height: 720, channels: 4, background: '#6f5640' } })
      .raw()
      .toBuffer();
    expect(read({ width: 1280, height: 720, data: new Uint8ClampedArray(table) })).toEqual({
      ok: false,
      code: 'mrz_not_found',
    });
  });
});

describe('consensus over several frames (MrzScanSession)', { timeout: 120_000 }, () => {
  /** A camera frame of `png` seen by a phone held at an angle (perspective), as RGBA. */
  async function angledFrame(png: Buffer, opts: PhotoOptions): Promise<RgbaFrame> {
    const gray = await phonePhoto(png, { width: 1280, height: 720, fill: 0.62, ...opts });
    const data = new Uint8ClampedArray(gray.width * gray.height * 4);
    for (let i = 0; i < gray.data.length; i++) {
      data.fill(gray.data[i]!, i * 4, i * 4 + 3);
      data[i * 4 + 3] = 255;
    }
    return { width: gray.width, height: gray.height, data };
  }
  const readIn = (session: MrzScanSession, frame: RgbaFrame) =>
    session.read(frame, readRegion(frame.width, frame.height));

  it('accepts only once three frames agree; a frame without a read in between does not decide', async () => {
    const citizen = idHolders[5]!;
    const good = await cameraPicture(renderIdCard(citizen));
    const blurred = await cameraPicture(renderIdCard(citizen), { blur: 1 });
    const covered = await cameraPicture(renderIdCard(citizen), {
      cover: '<rect x="0" y="470" width="700" height="168" fill="#c68e6a"/>',
    });
    const session = new MrzScanSession();
    const replies = [good, covered, good, blurred].map((frame) => readIn(session, frame));
    expect(replies.map((r) => r.consensus.accepted?.lines)).toEqual([
      undefined,
      undefined,
      undefined,
      citizen.mrz,
    ]);
    expect(replies[1]!.ok).toBe(false);
    expect(replies.map((r) => r.consensus.frames)).toEqual([1, 1, 2, 3]);
  });

  it('reads a card held at an angle (yaw and tilt up to 12°) over shaky frames', async () => {
    const citizen = idHolders[2]!;
    const png = renderIdCard(citizen);
    const session = new MrzScanSession();
    let accepted: string[] | undefined;
    for (let k = 0; k < 5 && accepted === undefined; k++) {
      const frame = await angledFrame(png, {
        yaw: 12 - k,
        tilt: -10 + k,
        roll: k - 2,
        blur: 1,
        jpeg: 70,
        seed: k + 1,
      });
      const reply = readIn(session, frame);
      if (reply.ok) expect(reply.lines).toEqual(citizen.mrz);
      accepted = reply.consensus.accepted?.lines;
    }
    expect(accepted).toEqual(citizen.mrz);
  });

  it('does not accept frames of two different documents taking turns', async () => {
    const [a, b] = [idHolders[6]!, idHolders[7]!];
    const frames = [await cameraPicture(renderIdCard(a)), await cameraPicture(renderIdCard(b))];
    const session = new MrzScanSession();
    for (const frame of [frames[0]!, frames[1]!, frames[0]!, frames[1]!, frames[0]!, frames[1]!]) {
      expect(readIn(session, frame).consensus.accepted).toBeUndefined();
    }
  });
});
