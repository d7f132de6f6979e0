/**
 * The CamDigiKey mark, drawn from numbers: a white key on the national blue with a red dot in its
 * bow (the colours of the flag), no text. One list of shapes feeds the logo in the app (React),
 * the SVG icon and the PNG icons rasterised at build time (apps/wallet/src/pwa/icons.ts), the hosted
 * login pages and the officer console, so they always agree. The key stays inside the central circle of radius 0.4 × size, the safe zone of maskable icons.
 */
export const BLUE = '#0b3d91';
export const RED = '#c8102e';
export const WHITE = '#ffffff';

export type Shape =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; rx: number; fill: string }
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: string };

export const VIEWBOX = 512;

/** Background, then the key, in painting order. */
export function iconShapes(options: { fullBleed: boolean }): Shape[] {
  return [
    { kind: 'rect', x: 0, y: 0, w: 512, h: 512, rx: options.fullBleed ? 0 : 112, fill: BLUE },
    { kind: 'circle', cx: 180, cy: 256, r: 80, fill: WHITE },
    { kind: 'circle', cx: 180, cy: 256, r: 40, fill: BLUE },
    { kind: 'circle', cx: 180, cy: 256, r: 26, fill: RED },
    { kind: 'rect', x: 252, y: 236, w: 150, h: 40, rx: 10, fill: WHITE },
    { kind: 'rect', x: 340, y: 266, w: 32, h: 64, rx: 6, fill: WHITE },
    { kind: 'rect', x: 292, y: 266, w: 28, h: 48, rx: 6, fill: WHITE },
  ];
}

export function shapeToSvg(shape: Shape): string {
  return shape.kind === 'rect'
    ? `<rect x="${shape.x}" y="${shape.y}" width="${shape.w}" height="${shape.h}" rx="${shape.rx}" fill="${shape.fill}"/>`
    : `<circle cx="${shape.cx}" cy="${shape.cy}" r="${shape.r}" fill="${shape.fill}"/>`;
}

export function iconSvg(options: { fullBleed: boolean }): string {
  const body = iconShapes(options).map(shapeToSvg).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${VIEWBOX} ${VIEWBOX}">${body}</svg>\n`;
}

/** Whether a point (in viewBox units) is inside a shape. */
export function contains(shape: Shape, x: number, y: number): boolean {
  if (shape.kind === 'circle') return (x - shape.cx) ** 2 + (y - shape.cy) ** 2 <= shape.r ** 2;
  if (x < shape.x || y < shape.y || x > shape.x + shape.w || y > shape.y + shape.h) return false;
  const r = shape.rx;
  const cx = Math.min(Math.max(x, shape.x + r), shape.x + shape.w - r);
  const cy = Math.min(Math.max(y, shape.y + r), shape.y + shape.h - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** The mark as an inline SVG element (hosted pages): decorative, or named by `title`. */
export function markSvg(size: number, title?: string): string {
  const body = iconShapes({ fullBleed: false }).map(shapeToSvg).join('');
  const label = title ? ` role="img" aria-label="${title.replace(/"/g, '&quot;')}"` : ' aria-hidden="true"';
  return `<svg class="mark" width="${size}" height="${size}" viewBox="0 0 ${VIEWBOX} ${VIEWBOX}"${label}>${body}</svg>`;
}
