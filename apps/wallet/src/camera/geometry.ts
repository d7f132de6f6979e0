/**
 * Where the document scanner's card-shaped frame sits in a camera picture, in the video's own pixels
 * (the overlay is drawn in the same coordinates, so what the citizen lines up is what is read).
 */

/** A rectangle in video pixels (integers). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** ID-1 card proportions (85.6 × 54 mm); a passport data page (ID-3) fits the same frame by its height. */
export const CARD_ASPECT = 85.6 / 54;
/** Largest share of the picture's width and height the frame may take. */
const MAX_WIDTH_SHARE = 0.9;
const MAX_HEIGHT_SHARE = 0.8;
/** The reader gets the frame grown by this share of its size on every side, for a card held a little large. */
export const READ_MARGIN = 0.06;

/** The card-shaped frame, centred: as wide as the picture allows (landscape or portrait video). */
export function cardFrame(videoWidth: number, videoHeight: number): Rect {
  const width = Math.min(videoWidth * MAX_WIDTH_SHARE, videoHeight * MAX_HEIGHT_SHARE * CARD_ASPECT);
  const height = width / CARD_ASPECT;
  return {
    x: Math.round((videoWidth - width) / 2),
    y: Math.round((videoHeight - height) / 2),
    width: Math.round(width),
    height: Math.round(height),
  };
}

/** The part of the picture the MRZ reader (and the document photo) takes: the frame plus a margin, clamped. */
export function readRegion(videoWidth: number, videoHeight: number, margin = READ_MARGIN): Rect {
  const frame = cardFrame(videoWidth, videoHeight);
  const dx = Math.round(frame.width * margin);
  const dy = Math.round(frame.height * margin);
  const x = Math.max(0, frame.x - dx);
  const y = Math.max(0, frame.y - dy);
  return {
    x,
    y,
    width: Math.min(videoWidth, frame.x + frame.width + dx) - x,
    height: Math.min(videoHeight, frame.y + frame.height + dy) - y,
  };
}
