// Test support (Node only, uses sharp): a phone camera taking a photo of a rendered document. The card
// is a plane turned in 3-D (tilt about its horizontal axis, yaw about its vertical axis, roll in its own
// plane) in front of a pinhole camera with a phone's field of view, held so close that it fills most of
// the picture: the strong perspective of real hand-held shots, where the far edge of the card is much
// smaller than the near one. The picture then gets the rest of a phone's chain: uneven light, a textured
// table, lens blur, sensor noise, JPEG compression and a resize. Deterministic for the same inputs.
import sharp from 'sharp';
import type { GrayImage } from './image';
import { sampleBilinear } from './image';
import { decodeToGray } from './node';

export interface CameraPose {
  /** Rotation about the card's horizontal axis, degrees (positive: the top edge leans away). */
  tilt?: number;
  /** Rotation about the card's vertical axis, degrees (positive: the right edge turns away). */
  yaw?: number;
  /** Rotation in the card's plane, degrees. */
  roll?: number;
  /** Width of the untilted card as a share of the picture's width (default 0.78). */
  fill?: number;
  /** Horizontal field of view of the camera, degrees (default 66: a phone's main camera). */
  fov?: number;
  /** Where the card's centre projects, as shares of the picture (default the middle). */
  at?: [number, number];
}

export interface PhotoOptions extends CameraPose {
  /** Picture size before `outWidth` (default 1280 × 960). */
  width?: number;
  height?: number;
  /** Gaussian blur sigma in picture pixels, applied after the projection. */
  blur?: number;
  /** Sensor noise standard deviation in grey levels. */
  noise?: number;
  /** JPEG quality (omit for none). */
  jpeg?: number;
  /** Final width of the picture (area-averaged resize), e.g. 640 for a low-resolution frame. */
  outWidth?: number;
  /** Light falling off across the picture: 0 none, 0.4 a strong shadow on one side. */
  shade?: number;
  /** Seed of the table texture and the noise. */
  seed?: number;
}

type Vec3 = [number, number, number];

/** Rotation matrix (row-major 3 × 3) for roll (z) · yaw (y) · tilt (x), angles in radians. */
function rotation(tilt: number, yaw: number, roll: number): number[] {
  const [cx, sx] = [Math.cos(tilt), Math.sin(tilt)];
  const [cy, sy] = [Math.cos(yaw), Math.sin(yaw)];
  const [cz, sz] = [Math.cos(roll), Math.sin(roll)];
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  const mul = (a: number[], b: number[]) =>
    Array.from({ length: 9 }, (_, i) => {
      const r = Math.floor(i / 3);
      const c = i % 3;
      return a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
    });
  return mul(rz, mul(ry, rx));
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A smooth, mid-grey wood-like table texture (value noise), deterministic per seed. */
function tableAt(seed: number): (x: number, y: number) => number {
  const rng = prng(seed);
  const size = 64;
  const lattice = Float32Array.from({ length: size * size }, () => rng());
  const at = (i: number, j: number) =>
    lattice[(((j % size) + size) % size) * size + (((i % size) + size) % size)]!;
  const smooth = (x: number, y: number, cell: number) => {
    const fx = x / cell;
    const fy = y / cell;
    const i = Math.floor(fx);
    const j = Math.floor(fy);
    const u = fx - i;
    const v = fy - j;
    const top = at(i, j) * (1 - u) + at(i + 1, j) * u;
    const bottom = at(i, j + 1) * (1 - u) + at(i + 1, j + 1) * u;
    return top * (1 - v) + bottom * v;
  };
  return (x, y) => 95 + 40 * smooth(x, y * 4, 48) + 25 * smooth(x + 17, y + 29, 9);
}

/**
 * Projects `card` (gray) into a `width` × `height` picture seen by a pinhole camera (see the file
 * comment); pixels off the card show the table. Returns gray pixels.
 */
export function projectCard(card: GrayImage, opts: PhotoOptions = {}): GrayImage {
  const width = opts.width ?? 1280;
  const height = opts.height ?? 960;
  const deg = Math.PI / 180;
  const f = width / 2 / Math.tan(((opts.fov ?? 66) * deg) / 2);
  // Distance at which the untilted card fills `fill` of the picture's width (card pixels as units).
  const distance = (f * card.width) / ((opts.fill ?? 0.78) * width);
  const r = rotation((opts.tilt ?? 0) * deg, (opts.yaw ?? 0) * deg, (opts.roll ?? 0) * deg);
  const [ax, ay] = opts.at ?? [0.5, 0.5];
  const cx = ax * width;
  const cy = ay * height;
  // Card plane: through T = (0, 0, distance) with axes r·e1, r·e2 and normal n = r·e3.
  const n: Vec3 = [r[2]!, r[5]!, r[8]!];
  const e1: Vec3 = [r[0]!, r[3]!, r[6]!];
  const e2: Vec3 = [r[1]!, r[4]!, r[7]!];
  const nt = n[2] * distance;
  const table = tableAt(opts.seed ?? 1);
  const shade = opts.shade ?? 0;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d: Vec3 = [(x + 0.5 - cx) / f, (y + 0.5 - cy) / f, 1];
      const nd = n[0] * d[0] + n[1] * d[1] + n[2] * d[2];
      const t = nt / nd;
      const p: Vec3 = [t * d[0], t * d[1], t * d[2] - distance];
      const u = p[0] * e1[0] + p[1] * e1[1] + p[2] * e1[2] + card.width / 2;
      const v = p[0] * e2[0] + p[1] * e2[1] + p[2] * e2[2] + card.height / 2;
      const inside = t > 0 && u >= 0 && v >= 0 && u < card.width - 1 && v < card.height - 1;
      const value = inside ? sampleBilinear(card, u, v) : table(x, y);
      const light = 1 - shade * (0.5 + 0.5 * ((x / width) * 0.7 + (y / height) * 0.3));
      out[y * width + x] = Math.max(0, Math.min(255, Math.round(value * light)));
    }
  }
  return { width, height, data: out };
}

function addNoise(image: GrayImage, sigma: number, seed: number): GrayImage {
  const rng = prng(seed * 7919 + 13);
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    const gauss = (rng() + rng() + rng() + rng() - 2) * Math.sqrt(3);
    data[i] = Math.max(0, Math.min(255, Math.round(image.data[i]! + sigma * gauss)));
  }
  return { width: image.width, height: image.height, data };
}

/** A phone photo of the encoded document `png` (see {@link PhotoOptions}), decoded to gray pixels. */
export async function phonePhoto(png: Buffer, opts: PhotoOptions = {}): Promise<GrayImage> {
  const card = await decodeToGray(png);
  let image = projectCard(card, opts);
  const raw = (img: GrayImage) =>
    sharp(img.data, { raw: { width: img.width, height: img.height, channels: 1 } });
  if (opts.blur && opts.blur >= 0.3) {
    const { data } = await raw(image)
      .blur(opts.blur)
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    image = { width: image.width, height: image.height, data: new Uint8Array(data) };
  }
  if (opts.outWidth && opts.outWidth < image.width) {
    const { data, info } = await raw(image)
      .resize({ width: opts.outWidth, kernel: 'linear' })
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    image = { width: info.width, height: info.height, data: new Uint8Array(data) };
  }
  if (opts.noise) image = addNoise(image, opts.noise, opts.seed ?? 1);
  if (opts.jpeg !== undefined) return decodeToGray(await raw(image).jpeg({ quality: opts.jpeg }).toBuffer());
  return image;
}
