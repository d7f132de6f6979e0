// The document frame and the region read: card-shaped, centred, inside the picture, landscape or portrait.
import { describe, expect, it } from 'vitest';
import { CARD_ASPECT, cardFrame, readRegion } from './geometry';

describe('cardFrame and readRegion', () => {
  it.each([
    [1280, 720],
    [720, 1280],
    [640, 480],
    [1920, 1080],
  ])('fits a card-shaped frame in a %ix%i picture', (width, height) => {
    const frame = cardFrame(width, height);
    expect(Math.abs(frame.width / frame.height - CARD_ASPECT)).toBeLessThan(0.01);
    expect(frame.x).toBeGreaterThanOrEqual(0);
    expect(frame.y).toBeGreaterThanOrEqual(0);
    expect(frame.x + frame.width).toBeLessThanOrEqual(width);
    expect(frame.y + frame.height).toBeLessThanOrEqual(height);
    expect(Math.abs(frame.x + frame.width / 2 - width / 2)).toBeLessThanOrEqual(1);
    expect(frame.width).toBeGreaterThanOrEqual(width * 0.6);

    const region = readRegion(width, height);
    expect(region.x).toBeLessThanOrEqual(frame.x);
    expect(region.y).toBeLessThanOrEqual(frame.y);
    expect(region.x + region.width).toBeGreaterThanOrEqual(frame.x + frame.width);
    expect(region.y + region.height).toBeGreaterThanOrEqual(frame.y + frame.height);
    expect(region.x + region.width).toBeLessThanOrEqual(width);
    expect(region.y + region.height).toBeLessThanOrEqual(height);
  });

  it('takes the whole width in portrait and most of the height in landscape', () => {
    expect(cardFrame(720, 1280).width).toBe(648);
    expect(cardFrame(1280, 720).height).toBe(576);
    expect(readRegion(720, 1280).x).toBe(0);
  });
});
