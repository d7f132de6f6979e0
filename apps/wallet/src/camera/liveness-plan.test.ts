// The liveness recording's timeline: a centred start then the server's actions in order, frames at
// about 5 per second within the face engine's 5–60 frames, the selfie inside the centred start.
import { LIVENESS_ACTIONS } from '@camdigikey/contracts/registration';
import { describe, expect, it } from 'vitest';
import {
  ACTION_MS,
  CENTER_MS,
  isLivenessAction,
  KNOWN_ACTIONS,
  livenessPlan,
  MAX_FRAMES,
  stepIndexAt,
} from './liveness-plan';

/** Frames a recording samples: one at 0, then one every `interval` until `duration`. */
const framesOf = (plan: ReturnType<typeof livenessPlan>) =>
  Math.min(plan.maxFrames, Math.ceil(plan.duration / plan.interval));

describe('livenessPlan', () => {
  it('knows exactly the actions of the device API contract', () => {
    expect([...KNOWN_ACTIONS]).toEqual([...LIVENESS_ACTIONS]);
    expect(isLivenessAction('nod')).toBe(true);
    expect(isLivenessAction('smile')).toBe(false);
  });

  it('starts centred, then runs the actions in the server order', () => {
    const plan = livenessPlan(['turn_right', 'nod', 'turn_left']);
    expect(plan.steps.map((s) => s.kind)).toEqual(['center', 'turn_right', 'nod', 'turn_left']);
    expect(plan.steps.map((s) => [s.start, s.end])).toEqual([
      [0, CENTER_MS],
      [CENTER_MS, CENTER_MS + ACTION_MS],
      [CENTER_MS + ACTION_MS, CENTER_MS + 2 * ACTION_MS],
      [CENTER_MS + 2 * ACTION_MS, CENTER_MS + 3 * ACTION_MS],
    ]);
    expect(plan.duration).toBe(CENTER_MS + 3 * ACTION_MS);
    expect(plan.interval).toBe(200);
    expect(plan.selfieAt).toBeGreaterThan(0);
    expect(plan.selfieAt).toBeLessThan(CENTER_MS);
  });

  it('samples between 5 and 60 frames for 1 to 4 actions', () => {
    for (const actions of [
      ['nod'],
      ['turn_left', 'turn_right'],
      ['turn_left', 'turn_right', 'nod'],
      [...KNOWN_ACTIONS],
    ]) {
      const plan = livenessPlan(actions);
      const frames = framesOf(plan);
      expect(frames).toBeGreaterThanOrEqual(5);
      expect(frames).toBeLessThanOrEqual(60);
      expect(plan.maxFrames).toBe(MAX_FRAMES);
    }
  });

  it("follows a timed challenge's windows exactly, the selfie inside the still start", () => {
    const timed = [
      { action: 'tilt_left', startMs: 1400, endMs: 3600 },
      { action: 'open_mouth', startMs: 3600, endMs: 6400 },
      { action: 'move_closer', startMs: 6400, endMs: 8400 },
    ];
    const plan = livenessPlan(['tilt_left', 'open_mouth', 'move_closer'], timed);
    expect(plan.steps.map((s) => [s.kind, s.start, s.end])).toEqual([
      ['center', 0, 1400],
      ['tilt_left', 1400, 3600],
      ['open_mouth', 3600, 6400],
      ['move_closer', 6400, 8400],
    ]);
    expect(plan.duration).toBe(8400);
    expect(plan.selfieAt).toBeGreaterThan(0);
    expect(plan.selfieAt).toBeLessThan(1400);
    // Five actions of 3 s after a 2 s start: frames spaced to stay under the engine's 60.
    const longest = Array.from({ length: 5 }, (_, i) => ({
      action: KNOWN_ACTIONS[i]!,
      startMs: 2000 + i * 3000,
      endMs: 5000 + i * 3000,
    }));
    const long = livenessPlan(
      longest.map((s) => s.action),
      longest,
    );
    expect(Math.ceil(long.duration / long.interval)).toBeLessThanOrEqual(MAX_FRAMES);
  });

  it('spaces frames out for a long challenge so they stay under the limit', () => {
    const plan = livenessPlan([...KNOWN_ACTIONS, ...KNOWN_ACTIONS, ...KNOWN_ACTIONS]);
    expect(plan.interval).toBeGreaterThan(200);
    expect(Math.ceil(plan.duration / plan.interval)).toBeLessThanOrEqual(MAX_FRAMES);
  });

  it('skips actions it does not know', () => {
    expect(livenessPlan(['smile', 'nod']).steps.map((s) => s.kind)).toEqual(['center', 'nod']);
  });

  it('tells which step runs at a moment', () => {
    const plan = livenessPlan(['turn_left', 'nod']);
    expect(stepIndexAt(plan, 0)).toBe(0);
    expect(stepIndexAt(plan, CENTER_MS - 1)).toBe(0);
    expect(stepIndexAt(plan, CENTER_MS)).toBe(1);
    expect(stepIndexAt(plan, CENTER_MS + ACTION_MS + 10)).toBe(2);
    expect(stepIndexAt(plan, plan.duration + 5000)).toBe(2);
  });
});
