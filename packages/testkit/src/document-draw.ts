// Canvas drawing primitives shared by the synthetic ID card and passport renderers.
import { Image, type SKRSContext2D } from '@napi-rs/canvas';
import { mrzFontFamily } from './fonts';

/** Generic sans-serif stack for printed (non-MRZ) text. */
export const SANS = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif';

/** Fills the document with a pale base colour and a deterministic guilloche-like line pattern. */
export function drawBackground(ctx: SKRSContext2D, width: number, height: number, hue: number): void {
  ctx.fillStyle = `hsl(${hue}, 45%, 95%)`;
  ctx.fillRect(0, 0, width, height);
  ctx.lineWidth = 1;
  for (let k = 0; k < 18; k++) {
    ctx.strokeStyle = `hsla(${hue + (k % 3) * 25}, 55%, 70%, 0.35)`;
    ctx.beginPath();
    const baseY = (height * (k + 0.5)) / 18;
    for (let x = 0; x <= width; x += 4) {
      const y =
        baseY + 14 * Math.sin((2 * Math.PI * x) / 180 + k * 0.7) + 6 * Math.sin((2 * Math.PI * x) / 47 + k);
      if (x === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
  // Concentric rosette, as a security-print stand-in.
  const cx = width * 0.72;
  const cy = height * 0.45;
  ctx.strokeStyle = `hsla(${hue + 40}, 50%, 60%, 0.25)`;
  for (let r = 20; r < Math.min(width, height) * 0.35; r += 9) {
    ctx.beginPath();
    ctx.ellipse(cx, cy, r * 1.2, r, 0, 0, 2 * Math.PI);
    ctx.stroke();
  }
}

/**
 * Draws the holder's portrait: the given photo (JPEG/PNG bytes, scaled to cover the box), or a grey
 * placeholder with a head-and-shoulders silhouette.
 */
export function drawPortrait(
  ctx: SKRSContext2D,
  x: number,
  y: number,
  w: number,
  h: number,
  photo?: Buffer,
): void {
  if (photo) {
    const img = new Image();
    img.src = photo;
    const scale = Math.max(w / img.width, h / img.height);
    const sw = w / scale;
    const sh = h / scale;
    ctx.drawImage(img, (img.width - sw) / 2, (img.height - sh) / 2, sw, sh, x, y, w, h);
    ctx.strokeStyle = '#7d7d7d';
    ctx.lineWidth = 2;
    ctx.strokeRect(x, y, w, h);
    return;
  }
  ctx.fillStyle = '#c9c9c9';
  ctx.fillRect(x, y, w, h);
  ctx.fillStyle = '#9a9a9a';
  ctx.beginPath();
  ctx.ellipse(x + w / 2, y + h * 0.38, w * 0.2, h * 0.17, 0, 0, 2 * Math.PI);
  ctx.fill();
  ctx.beginPath();
  ctx.ellipse(x + w / 2, y + h, w * 0.42, h * 0.36, 0, Math.PI, 2 * Math.PI);
  ctx.fill();
  ctx.strokeStyle = '#7d7d7d';
  ctx.lineWidth = 2;
  ctx.strokeRect(x, y, w, h);
}

/** Draws text with the given font, colour and alignment. */
export function text(
  ctx: SKRSContext2D,
  value: string,
  x: number,
  y: number,
  font: string,
  color = '#1d2430',
  align: 'left' | 'center' = 'left',
): void {
  ctx.font = font;
  ctx.fillStyle = color;
  ctx.textAlign = align;
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(value, x, y);
}

/** Draws a small grey label with its value underneath. */
export function field(
  ctx: SKRSContext2D,
  label: string,
  value: string,
  x: number,
  y: number,
  size: number,
): void {
  text(ctx, label, x, y, `${Math.round(size * 0.6)}px ${SANS}`, '#5b6470');
  text(ctx, value, x, y + size * 1.05, `bold ${size}px ${SANS}`);
}

/** Formats an ISO date as printed on the document: `DD.MM.YYYY`. */
export function printedDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

/**
 * Draws MRZ lines on a fixed character pitch: every character is centred in its own `pitch`-wide cell,
 * whatever the font's own advance, so column `i` of a line always starts at `x + i * pitch`. The font size
 * is chosen so a glyph advance of the monospaced font equals the pitch.
 */
export function drawMrz(
  ctx: SKRSContext2D,
  lines: readonly string[],
  x: number,
  firstBaseline: number,
  pitch: number,
  lineHeight: number,
): void {
  const family = mrzFontFamily();
  ctx.font = `100px ${family}`;
  const advance = ctx.measureText('<').width || 60;
  const size = Math.min((100 * pitch) / advance, lineHeight * 0.95);
  ctx.font = `${size.toFixed(2)}px ${family}`;
  ctx.fillStyle = '#000000';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  lines.forEach((line, row) => {
    const baseline = firstBaseline + row * lineHeight;
    [...line].forEach((ch, col) => {
      const w = ctx.measureText(ch).width;
      ctx.fillText(ch, x + col * pitch + (pitch - w) / 2, baseline);
    });
  });
}

/** Checks that `lines` has `count` lines of `length` characters from the MRZ alphabet. */
export function assertMrzShape(lines: readonly string[], count: number, length: number, what: string): void {
  if (lines.length !== count || lines.some((l) => l.length !== length || !/^[A-Z0-9<]+$/.test(l))) {
    throw new RangeError(`${what} needs ${count} MRZ lines of ${length} characters`);
  }
}
