// The liveness recording's timeline: a centred start then the server's actions in order, frames at
// about 5 per second, at most the device API's 40, the selfie inside the centred start.
import { LIVENESS_ACTIONS, LIVENESS_MAX_FRAMES } from '@camdigikey/contracts/registration';
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

/** The times of the frames the recorder takes: at 0, then every `interval` while before `duration`, at most maxFrames. */
const frameTimes = (plan: ReturnType<typeof livenessPlan>) => {
  const out: number[] = [];
  for (let t = 0; t < plan.duration && out.length < plan.maxFrames; t += plan.interval) out.push(t);
  return out;
};

/**
 * Every timed challenge the server issues with its default 3-5 actions (apps/server
 * liveness-challenge.ts: still start LEAD_MS 1.2-2.0 s in 100 ms steps, each window WINDOW_MS
 * 2.0-3.0 s in 200 ms steps), as step lists. Only the window lengths and the start matter here.
 */
function* issuedTimelines(): Generator<ChallengeStepLike[]> {
  const leads = Array.from({ length: 9 }, (_, i) => 1200 + 100 * i);
  const windows = Array.from({ length: 6 }, (_, i) => 2000 + 200 * i);
  const lengths = function* (n: number): Generator<number[]> {
    if (n === 0) return yield [];
    for (const w of windows) for (const rest of lengths(n - 1)) yield [w, ...rest];
  };
  for (const n of [3, 4, 5])
    for (const lead of leads)
      for (const ws of lengths(n)) {
        let at = lead;
        yield ws.map((w, i) => {
          const step = { action: KNOWN_ACTIONS[i]!, startMs: at, endMs: at + w };
          at += w;
          return step;
        });
      }
}
type ChallengeStepLike = { action: string; startMs: number; endMs: number };

/** The face engine's timing tolerance (liveness-actions.ts timingToleranceMs) and neutral frames (config.ts). */
const TOLERANCE_MS = 700;
const NEUTRAL_FRAMES = 2;

describe('livenessPlan', () => {
  it('sends at most the device API contract allows', () => {
    expect(MAX_FRAMES).toBe(LIVENESS_MAX_FRAMES);
  });

  it('gives every issued timed challenge enough frames in each part of its timeline', () => {
    // What the engine's rules read (liveness-judge.ts judgeTimedActions, precheck): the neutral
    // pose from the first frames, no action before the first window less the tolerance, each
    // action inside its window (+ tolerance), no stronger other action in the window's core
    // (start + tolerance .. end), and a recording not shorter than the timeline less the tolerance.
    const least = { still: 99, early: 99, window: 99, core: 99, frames: 99, slack: 9999, interval: 0 };
    let plans = 0;
    for (const steps of issuedTimelines()) {
      const plan = livenessPlan(
        steps.map((s) => s.action),
        steps,
      );
      const ts = frameTimes(plan);
      const count = (from: number, to: number, closed = false) =>
        ts.filter((t) => t >= from && (closed ? t <= to : t < to)).length;
      const lead = steps[0]!.startMs;
      least.still = Math.min(least.still, count(0, lead));
      least.early = Math.min(least.early, count(0, lead - TOLERANCE_MS));
      for (const s of steps) {
        least.window = Math.min(least.window, count(s.startMs, s.endMs));
        least.core = Math.min(least.core, count(s.startMs + TOLERANCE_MS, s.endMs, true));
      }
      least.frames = Math.min(least.frames, ts.length);
      expect(ts.length).toBeLessThanOrEqual(MAX_FRAMES);
      // The time left for a late timer before the recording is shorter than the timeline.
      least.slack = Math.min(least.slack, ts.at(-1)! - (plan.duration - TOLERANCE_MS));
      least.interval = Math.max(least.interval, plan.interval);
      plans++;
    }
    expect(plans).toBe(9 * (6 ** 3 + 6 ** 4 + 6 ** 5));
    // The numbers docs/liveness-attacks.md (Cost) gives: at most one frame every 436 ms (5 actions
    // of 3 s after a 2 s start); at least 3 frames in the still start (2 before its last 0.7 s:
    // the neutral pose), 4 in every window, 3 in every window's core; 36 frames at least.
    expect(least).toEqual({ still: 3, early: 2, window: 4, core: 3, frames: 36, slack: 268, interval: 436 });
    expect(least.early).toBeGreaterThanOrEqual(NEUTRAL_FRAMES);
  });

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
    // 9 s in at most 40 frames: one every 231 ms (about 5 a second for shorter ones).
    expect(plan.interval).toBe(231);
    expect(livenessPlan(['nod']).interval).toBe(200);
    expect(plan.selfieAt).toBeGreaterThan(0);
    expect(plan.selfieAt).toBeLessThan(CENTER_MS);
  });

  it('samples between 5 and MAX_FRAMES frames for 1 to 4 actions', () => {
    for (const actions of [
      ['nod'],
      ['turn_left', 'turn_right'],
      ['turn_left', 'turn_right', 'nod'],
      [...KNOWN_ACTIONS],
    ]) {
      const plan = livenessPlan(actions);
      const frames = framesOf(plan);
      expect(frames).toBeGreaterThanOrEqual(5);
      expect(frames).toBeLessThanOrEqual(MAX_FRAMES);
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
    // Five actions of 3 s after a 2 s start: frames spaced to stay within MAX_FRAMES.
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
