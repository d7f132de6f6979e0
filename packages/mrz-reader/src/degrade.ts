// Test support (Node only, uses sharp): degrades rendered document images the way phone photos do —
// blur, rotation, glare, low resolution, JPEG compression, sensor noise, a card lying on a textured
// table — so the tests and the read-rate script measure the reader on more than perfect renders.
import sharp from 'sharp';
import type { GrayImage } from './image';
import { decodeToGray } from './node';

/** One encoded image (PNG or JPEG) in, one encoded image out. */
type Step = (img: Buffer) => Promise<Buffer>;
export type Degrade = (png: Buffer) => Promise<GrayImage>;

const widthOf = async (img: Buffer): Promise<number> => (await sharp(img).metadata()).width ?? 0;
const heightOf = async (img: Buffer): Promise<number> => (await sharp(img).metadata()).height ?? 0;

const blur =
  (sigma: number): Step =>
  (img) =>
    sharp(img).blur(sigma).png().toBuffer();

const rotate =
  (degrees: number): Step =>
  (img) =>
    sharp(img).rotate(degrees, { background: '#ffffff' }).png().toBuffer();

/** Shrinks to `fraction` of the width (35 % of an ID card is 354 px: about 10 px per MRZ character). */
const scale =
  (fraction: number): Step =>
  async (img) =>
    sharp(img)
      .resize({ width: Math.round((await widthOf(img)) * fraction) })
      .png()
      .toBuffer();

const jpeg =
  (quality: number): Step =>
  (img) =>
    sharp(img).jpeg({ quality }).toBuffer();

/** A bright radial blob (peak opacity `strength`) over the left part of the MRZ. */
const glare =
  (strength: number): Step =>
  async (img) => {
    const width = await widthOf(img);
    const height = await heightOf(img);
    const r = Math.round(width * 0.22);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
      <defs><radialGradient id="g"><stop offset="0" stop-color="#fff" stop-opacity="${strength}"/>
      <stop offset="0.55" stop-color="#fff" stop-opacity="${(strength * 0.6).toFixed(2)}"/>
      <stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>
      <ellipse cx="${Math.round(width * 0.33)}" cy="${Math.round(height * 0.86)}" rx="${r}"
        ry="${Math.round(r * 0.7)}" fill="url(#g)"/></svg>`;
    return sharp(img)
      .composite([{ input: Buffer.from(svg) }])
      .png()
      .toBuffer();
  };

/** Adds deterministic Gaussian-like sensor noise of standard deviation `sigma` grey levels. */
const noise =
  (sigma: number): Step =>
  async (img) => {
    const { data, info } = await sharp(img).greyscale().raw().toBuffer({ resolveWithObject: true });
    let state = 0x9e3779b9;
    const uniform = (): number => {
      state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return state / 2 ** 32;
    };
    for (let i = 0; i < data.length; i++) {
      const gauss = (uniform() + uniform() + uniform() + uniform() - 2) * Math.sqrt(3);
      data[i] = Math.max(0, Math.min(255, Math.round(data[i]! + sigma * gauss)));
    }
    const raw = { width: info.width, height: info.height, channels: info.channels };
    return sharp(data, { raw }).png().toBuffer();
  };

/** The document, rotated and shrunk to 80 %, lying off-centre on a larger textured table under uneven light. */
const onTable =
  (degrees: number): Step =>
  async (img) => {
    const width = await widthOf(img);
    const height = await heightOf(img);
    const card = await sharp(img)
      .resize({ width: Math.round(width * 0.8) })
      .rotate(degrees, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .png()
      .toBuffer();
    const W = Math.round(width * 1.3);
    const H = Math.round(height * 1.5);
    const table = await sharp({
      create: {
        width: W,
        height: H,
        channels: 3,
        background: '#6e6e6e',
        noise: { type: 'gaussian', mean: 110, sigma: 60 },
      },
    })
      .blur(1.2)
      .png()
      .toBuffer();
    const light = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
      <defs><linearGradient id="l" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#000" stop-opacity="0"/>
      <stop offset="1" stop-color="#000" stop-opacity="0.45"/></linearGradient></defs>
      <rect width="${W}" height="${H}" fill="url(#l)"/></svg>`;
    return sharp(table)
      .composite([
        { input: card, left: Math.round(W * 0.12), top: Math.round(H * 0.2) },
        { input: Buffer.from(light) },
      ])
      .png()
      .toBuffer();
  };

function chain(...steps: Step[]): Degrade {
  return async (png) => {
    let img = png;
    for (const step of steps) img = await step(img);
    return decodeToGray(img);
  };
}

/** The mild degradations the reader is held to (≥ 90 % exact reads), by name. */
export const DEGRADATIONS: Readonly<Record<string, Degrade>> = {
  'blur σ1': chain(blur(1)),
  'blur σ2': chain(blur(2)),
  'rotate +2°': chain(rotate(2)),
  'rotate −3°': chain(rotate(-3)),
  'rotate +4°': chain(rotate(4)),
  glare: chain(glare(0.8)),
  'scale 50%': chain(scale(0.5)),
  'scale 35%': chain(scale(0.35)),
  'jpeg q40': chain(jpeg(40)),
  'photo on table': chain(onTable(-2), noise(6), jpeg(70)),
};

/** Harsher degradations and combinations: reported by the read-rate script, not held to a rate. */
export const HARSH_DEGRADATIONS: Readonly<Record<string, Degrade>> = {
  'blur σ3': chain(blur(3)),
  'scale 25%': chain(scale(0.25)),
  'glare 0.95': chain(glare(0.95)),
  'noise σ25': chain(noise(25)),
  'rotate +4° jpeg q25': chain(rotate(4), jpeg(25)),
  '35% blur σ1 jpeg q40': chain(scale(0.35), blur(1), jpeg(40)),
  '25% noise σ10 jpeg q50': chain(scale(0.25), noise(10), jpeg(50)),
  'table +5° 50% noise σ12': chain(onTable(5), scale(0.5), noise(12), jpeg(60)),
};

/** Beyond what a phone capture should deliver: shows where reading stops, and that it then refuses. */
export const EXTREME_DEGRADATIONS: Readonly<Record<string, Degrade>> = {
  'blur σ4': chain(blur(4)),
  'scale 18%': chain(scale(0.18)),
  'glare 0.98': chain(glare(0.98)),
  'noise σ45': chain(noise(45)),
  '20% noise σ15 jpeg q30': chain(scale(0.2), noise(15), jpeg(30)),
  '25% blur σ1.5 jpeg q30': chain(scale(0.25), blur(1.5), jpeg(30)),
};
