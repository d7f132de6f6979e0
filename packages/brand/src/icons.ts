/**
 * CamDigiKey's icon set: one style for every screen (the app, the hosted login pages, the
 * console), so a citizen meets the same drawings wherever CamDigiKey asks them to act. Each icon
 * is drawn on a 24 × 24 grid as line art: paths only, stroked with the text colour, 1.8 units
 * wide, round ends and joins, no fill (the style of the national-service icon sets the app is
 * compared with, and legible at 20–28 px). Data only: each app turns it into its own markup.
 */

const circle = (cx: number, cy: number, r: number) =>
  `M${cx - r} ${cy}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0`;

/** The corners of a camera frame (scan and face), inset `i` from the 24 grid. */
const corners =
  'M3 8V5a2 2 0 0 1 2-2h3M16 3h3a2 2 0 0 1 2 2v3M21 16v3a2 2 0 0 1-2 2h-3M8 21H5a2 2 0 0 1-2-2v-3';

export const ICONS = {
  home: ['M3 10.5 12 3l9 7.5', 'M5.5 9v11h13V9', 'M10 20v-5.5h4V20'],
  requests: ['M4 13h4.5l1.5 2.5h4l1.5-2.5H20', 'M6.5 5h11L20 13v6H4v-6z'],
  me: [circle(12, 8, 4), 'M4.5 20.5c.8-3.6 3.8-6 7.5-6s6.7 2.4 7.5 6'],
  scan: [
    corners,
    'M7.5 7.5h3v3h-3zM13.5 7.5h3v3h-3zM7.5 13.5h3v3h-3zM13.5 13.5h1.5M16.5 13.5v3M13.5 16.5h1.5',
  ],
  face: [corners, 'M9 9.5v1.5M15 9.5v1.5', 'M12.5 9.5v3.5h-1.5', 'M9 16c1.8 1.2 4.2 1.2 6 0'],
  fingerprint: [
    'M4.8 9.5a7.8 7.8 0 0 1 14.4 0',
    'M19.6 12.5c.2 2.4-.1 4.6-.9 6.6',
    'M4.5 12.8c0 1.4.3 2.6.7 3.7',
    'M7.8 16.8c.4-1.3.5-2.7.5-4.1a3.7 3.7 0 0 1 7.4 0c0 3.2-.6 6-1.9 8.3',
    'M12 12.5c0 3.6-.8 6.5-2.6 8.5',
    'M8 6.5a6 6 0 0 1 8 0',
  ],
  shield: ['M12 3 4.5 6v5.5c0 4.6 3.2 8.4 7.5 9.5 4.3-1.1 7.5-4.9 7.5-9.5V6z', 'M8.5 12l2.5 2.5 4.5-5'],
  check: [circle(12, 12, 9), 'M8 12.5l2.8 2.8L16.2 9.5'],
  cross: [circle(12, 12, 9), 'M9 9l6 6M15 9l-6 6'],
  clock: [circle(12, 12, 9), 'M12 7v5l3.2 2'],
  alert: [
    'M10.3 4.2 2.7 17.5A2 2 0 0 0 4.4 20.5h15.2a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0z',
    'M12 9.5v4',
    'M12 17v.01',
  ],
  lock: ['M6 11h12v9.5H6z', 'M8.5 11V7.8a3.5 3.5 0 0 1 7 0V11', 'M12 15v2'],
  phone: ['M7.5 2.5h9a1 1 0 0 1 1 1v17a1 1 0 0 1-1 1h-9a1 1 0 0 1-1-1v-17a1 1 0 0 1 1-1z', 'M10.5 18.5h3'],
  mail: ['M3.5 5.5h17v13h-17z', 'M3.5 6.5 12 13l8.5-6.5'],
  back: ['M19.5 12H5', 'M11 5.5 4.5 12l6.5 6.5'],
  card: [
    'M3 5.5h18a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1v-11a1 1 0 0 1 1-1z',
    circle(8, 11, 2),
    'M5 15.5c.6-1.3 1.7-2 3-2s2.4.7 3 2',
    'M14 9.5h5M14 13h3.5',
  ],
  camera: [
    'M4 7.5h3l1.8-2.5h6.4L17 7.5h3a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-10a1 1 0 0 1 1-1z',
    circle(12, 13, 3.5),
  ],
  upload: ['M7 18.5a4.5 4.5 0 0 1-.6-9A6 6 0 0 1 18 10.5a4 4 0 0 1-.5 8', 'M12 12v8', 'M9 14.5l3-3 3 3'],
  offline: [
    'M3 3l18 18',
    'M8.5 16.5a5 5 0 0 1 7 0',
    'M5 12.8a10 10 0 0 1 4.5-2.6M14.6 10.3A10 10 0 0 1 19 12.8',
    'M2 9.3a15 15 0 0 1 4.2-2.7M10.5 5.1A15 15 0 0 1 22 9.3',
    'M12 20v.01',
  ],
  document: ['M6 3h8.5L19 7.5V21H6z', 'M14 3v5h5', 'M9 12.5h7M9 16h7'],
  language: [
    circle(12, 12, 9),
    'M3 12h18',
    'M12 3c2.4 2.5 3.6 5.5 3.6 9s-1.2 6.5-3.6 9c-2.4-2.5-3.6-5.5-3.6-9S9.6 5.5 12 3z',
  ],
  settings: ['M4 7h9M17 7h3M4 17h3M11 17h9', circle(15, 7, 2), circle(9, 17, 2)],
  key: [circle(8, 12, 4), 'M12 12h9M18 12v3M15 12v2.5'],
} as const satisfies Record<string, readonly string[]>;

export type IconName = keyof typeof ICONS;

export const ICON_VIEWBOX = 24;
export const ICON_STROKE = 1.8;

/** A line icon as an inline SVG element for server-rendered pages; decorative unless `title` names it. */
export function lineIconSvg(name: IconName, size = 24, title?: string): string {
  const paths = ICONS[name].map((d) => `<path d="${d}"/>`).join('');
  const label = title ? ` role="img" aria-label="${title.replace(/"/g, '&quot;')}"` : ' aria-hidden="true"';
  return `<svg class="icon" width="${size}" height="${size}" viewBox="0 0 ${ICON_VIEWBOX} ${ICON_VIEWBOX}" fill="none" stroke="currentColor" stroke-width="${ICON_STROKE}" stroke-linecap="round" stroke-linejoin="round"${label}>${paths}</svg>`;
}
