import { DEFAULT_THRESHOLDS } from '@camdigikey/face-engine';
import { describe, expect, it } from 'vitest';
import { configureFaceEngine } from './face';

describe('the configured face engine', () => {
  it('runs with the configured thresholds and refuses a second, different set in the same process', () => {
    const engine = configureFaceEngine({ match: 0.7, matchReview: 0.55 });
    expect(engine.thresholds).toMatchObject({
      match: 0.7,
      matchReview: 0.55,
      sameFace: DEFAULT_THRESHOLDS.sameFace,
    });
    expect(configureFaceEngine({ match: 0.7 })).toBe(engine);
    expect(() => configureFaceEngine({ match: 0.65, matchReview: 0.55 })).toThrow(/match/);
  });
});
