/**
 * Unit tests of the liveness rules on numeric pose/eye tracks (no images, no models): prechecks,
 * gesture extraction with its sign conventions and hysteresis, and the challenge matching.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, type Thresholds } from './config';
import { gestureEvents, judgeObservations, median, precheck, type TimedObservation } from './liveness-judge';
import type { LivenessAction, LivenessChallenge } from './types';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const th: Thresholds = { ...DEFAULT_THRESHOLDS };
const challenge = (actions: LivenessAction[], timeLimitSeconds = 10): LivenessChallenge => ({
  actions,
  issuedAt: new Date(T0).toISOString(),
  timeLimitSeconds,
});

/** One frame per [yaw, pitch, eyes?]; embedding [person]; shape moves with the pose. */
function track(poses: [number, number, number?][], person: number[] = [], real = 0.7, live = 0.9) {
  return poses.map(
    ([yaw, pitch, eyes], i): TimedObservation => ({
      t: T0 + 500 + i * 200,
      box: { x: 0, y: 0, width: 200, height: 200 },
      score: 1,
      embedding: [person[i] ?? 1],
      real,
      live,
      pose: { yaw, pitch, roll: 0 },
      eyes: eyes === undefined ? null : { left: eyes, right: eyes, mean: eyes },
      landmarks: [],
      shape: new Float32Array([yaw / 100, pitch / 100]),
    }),
  );
}
const sim = (a: number[], b: number[]) => (a[0] === b[0] ? 0.9 : 0.2);
const judge = (obs: TimedObservation[], actions: LivenessAction[], t: Thresholds = th) =>
  judgeObservations(obs, challenge(actions), t, sim);

// neutral, left, centre, right, centre, nod down, up
const LRN: [number, number][] = [
  [0, 0],
  [1, 0],
  [14, 1],
  [25, 0],
  [3, 0],
  [-13, -2],
  [-22, 0],
  [-1, 0],
  [0, 12],
  [1, 18],
  [0, 2],
];

describe('precheck', () => {
  const ts = (n: number, step = 200, start = T0 + 100) =>
    Array.from({ length: n }, (_, i) => start + i * step);
  it('accepts a well-formed capture', () => {
    expect(precheck(ts(10), challenge(['nod']), th)).toBeNull();
  });
  it.each([
    [{ actions: [] }],
    [{ actions: ['wink'] }],
    [{ issuedAt: 'yesterday' }],
    [{ timeLimitSeconds: 0 }],
  ])('rejects an invalid challenge %j', (patch) => {
    const c = { ...challenge(['nod']), ...patch } as LivenessChallenge;
    expect(precheck(ts(10), c, th)).toEqual({ reason: 'invalid_challenge' });
  });
  it('rejects too few and too many frames', () => {
    expect(precheck(ts(4), challenge(['nod']), th)?.reason).toBe('too_few_frames');
    expect(precheck(ts(61, 100), challenge(['nod']), th)?.reason).toBe('too_many_frames');
  });
  it('rejects repeated, decreasing and non-finite timestamps', () => {
    const base = ts(6);
    expect(precheck([...base.slice(0, 3), base[2]!, ...base.slice(4)], challenge(['nod']), th)).toEqual({
      reason: 'frames_out_of_order',
      frameIndex: 3,
    });
    expect(precheck([...base].reverse(), challenge(['nod']), th)?.reason).toBe('frames_out_of_order');
    expect(precheck([...base.slice(0, 5), Number.NaN], challenge(['nod']), th)?.frameIndex).toBe(5);
  });
  it('rejects frames captured before the challenge (beyond the clock skew)', () => {
    expect(precheck(ts(6, 200, T0 - 1500), challenge(['nod']), th)).toBeNull();
    expect(precheck(ts(6, 200, T0 - 2500), challenge(['nod']), th)?.reason).toBe('frame_before_challenge');
  });
  it('rejects frames and uploads later than issuedAt + limit + skew', () => {
    expect(precheck(ts(6, 2000), challenge(['nod'], 10), th)).toBeNull(); // last at 10.1 s
    expect(precheck(ts(8, 2000), challenge(['nod'], 10), th)).toEqual({
      reason: 'time_limit_exceeded',
      frameIndex: 6, // 12.1 s after issue > 10 s + 2 s skew
    });
    const late = new Date(T0 + 12_001);
    expect(precheck(ts(6), challenge(['nod'], 10), th, late)?.reason).toBe('time_limit_exceeded');
  });
});

describe('gestureEvents', () => {
  it('yaw > 0 is turn_left (the subject turns to their own left), yaw < 0 turn_right', () => {
    expect(gestureEvents(track(LRN), th).map((e) => e.action)).toEqual(['turn_left', 'turn_right', 'nod']);
  });
  it('measures from the neutral pose of the first frames, not from zero', () => {
    const turned = LRN.map(([y, p]): [number, number] => [y - 20, p + 5]);
    expect(gestureEvents(track(turned), th).map((e) => e.action)).toEqual(['turn_left', 'turn_right', 'nod']);
  });
  it('counts jitter around a threshold once (hysteresis)', () => {
    const jitter: [number, number][] = [
      [0, 0],
      [0, 0],
      [13, 0],
      [11, 0],
      [13, 0],
      [7, 0],
      [12.5, 0],
      [2, 0],
    ];
    expect(gestureEvents(track(jitter), th).map((e) => e.action)).toEqual(['turn_left']);
  });
  it('counts a nod when the head comes back up, and not while the head is turned', () => {
    const down: [number, number][] = [
      [0, 0],
      [0, 0],
      [0, 15],
      [0, 16],
    ];
    expect(gestureEvents(track(down), th)).toEqual([]);
    const events = gestureEvents(track([...down, [0, 3]]), th);
    expect(events).toEqual([{ action: 'nod', t: T0 + 500 + 4 * 200, index: 4 }]);
    const turnedNod: [number, number][] = [
      [0, 0],
      [0, 0],
      [20, 15],
      [20, 0],
    ];
    expect(gestureEvents(track(turnedNod), th).map((e) => e.action)).toEqual(['turn_left']);
  });
  it('reports blinks only in experimental mode', () => {
    const eyes: [number, number, number][] = [0.3, 0.31, 0.3, 0.1, 0.08, 0.29, 0.3].map((e) => [0, 0, e]);
    expect(gestureEvents(track(eyes), th)).toEqual([]);
    const exp = gestureEvents(track(eyes), { ...th, blinkMode: 'experimental' });
    expect(exp.map((e) => [e.action, e.index])).toEqual([['blink', 5]]);
  });
});

describe('judgeObservations', () => {
  it('passes when the gestures equal the challenge, with detection times in order', () => {
    const r = judge(track(LRN), ['turn_left', 'turn_right', 'nod']);
    expect(r).toMatchObject({ passed: true, sameFace: true, antispoof: 0.7, live: 0.9 });
    expect(r.reason).toBeUndefined();
    expect(r.perAction.map((p) => [p.action, p.status, p.detectedAt])).toEqual([
      ['turn_left', 'detected', T0 + 500 + 2 * 200],
      ['turn_right', 'detected', T0 + 500 + 5 * 200],
      ['nod', 'detected', T0 + 500 + 10 * 200],
    ]);
    expect(r.score).toBeCloseTo(0.6 + 0.2 * 0.7 + 0.2 * 0.9, 5);
  });
  it('fails a different order at the first action that differs', () => {
    const r = judge(track(LRN), ['turn_right', 'turn_left', 'nod']);
    expect(r).toMatchObject({ passed: false, failedAction: 'turn_right', reason: 'unexpected_action' });
    expect(judge(track(LRN), ['turn_left', 'nod', 'turn_right'])).toMatchObject({
      failedAction: 'nod',
      reason: 'unexpected_action',
    });
  });
  it('fails a missing action and extra gestures', () => {
    expect(judge(track(LRN.slice(0, 5)), ['turn_left', 'turn_right'])).toMatchObject({
      failedAction: 'turn_right',
      reason: 'action_not_detected',
    });
    const extra = judge(track(LRN), ['turn_left', 'turn_right']);
    expect(extra).toMatchObject({ passed: false, reason: 'unexpected_action' });
    expect(extra.failedAction).toBeUndefined();
    expect(extra.observedActions).toEqual(['turn_left', 'turn_right', 'nod']);
  });
  it('fails when a frame shows another person, naming the frame', () => {
    const people = LRN.map((_, i) => (i < 6 ? 1 : 2));
    const r = judge(track(LRN, people), ['turn_left', 'turn_right', 'nod']);
    expect(r).toMatchObject({
      passed: false,
      score: 0,
      sameFace: false,
      reason: 'different_faces',
      frameIndex: 6,
    });
  });
  it('with an embedded subset, compares only those frames (and reports the others as not compared)', () => {
    const people = LRN.map((_, i) => (i === 4 ? 2 : 1));
    const obs = track(LRN, people);
    const actions: LivenessAction[] = ['turn_left', 'turn_right', 'nod'];
    const skipped = judgeObservations(obs, challenge(actions), th, sim, undefined, new Set([0, 1, 3, 6]));
    expect(skipped).toMatchObject({ passed: true, sameFace: true });
    expect(skipped.frames.map((f) => f.similarityToFirst)).toEqual([
      1,
      0.9,
      null,
      0.9,
      null,
      null,
      0.9,
      null,
      null,
      null,
      null,
    ]);
    const caught = judgeObservations(obs, challenge(actions), th, sim, undefined, new Set([0, 4, 6]));
    expect(caught).toMatchObject({ passed: false, reason: 'different_faces', frameIndex: 4 });
  });
  it('fails a still track with no_motion', () => {
    const still = track(Array.from({ length: 8 }, (): [number, number] => [3, 2]));
    expect(judge(still, ['turn_left'])).toMatchObject({ passed: false, score: 0, reason: 'no_motion' });
  });
  it('never passes a blink in the default mode: blink is undetermined', () => {
    const r = judge(track(LRN.slice(0, 5)), ['turn_left', 'blink']);
    expect(r).toMatchObject({ passed: false, failedAction: 'blink', reason: 'action_undetermined' });
    expect(r.perAction).toEqual([
      { action: 'turn_left', status: 'detected', detectedAt: T0 + 900 },
      { action: 'blink', status: 'undetermined' },
    ]);
    expect(r.score).toBeCloseTo(0.3 + 0.32, 5);
  });
  it('experimental blink mode matches blinks like other gestures', () => {
    const eyes: [number, number, number][] = [
      [0, 0, 0.3],
      [0, 0, 0.3],
      [15, 0, 0.3],
      [0, 0, 0.3],
      [0, 0, 0.1],
      [0, 0, 0.3],
    ];
    const r = judge(track(eyes), ['turn_left', 'blink'], { ...th, blinkMode: 'experimental' });
    expect(r.passed).toBe(true);
  });
  it('applies the antispoof and live minimums last', () => {
    const weak = track(LRN.slice(0, 5), [], 0.1, 0.9);
    expect(judge(weak, ['turn_left'])).toMatchObject({ passed: false, reason: 'antispoof_below_threshold' });
    const dead = track(LRN.slice(0, 5), [], 0.9, 0.1);
    expect(judge(dead, ['turn_left'])).toMatchObject({ passed: false, reason: 'live_below_threshold' });
  });
  it('median', () => {
    expect([median([]), median([3, 1, 2]), median([4, 1, 3, 2])]).toEqual([0, 2, 2.5]);
  });
});
