/**
 * The timed challenge's actions: each one's strength on numeric tracks, the window rules of
 * judgeTimedActions, and every action read from SYNTHETIC motion (a real face crop whose mesh is
 * turned, nodded, tilted, mouth opened or zoomed: testing/synthetic-motion.ts). As in
 * liveness.test.ts, this proves that the engine reads the actions from pixels that show them and
 * that the rules hold; it says nothing about real video.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from './config';
import { FaceEngine } from './face-engine';
import { normalisedShape } from './face-metrics';
import {
  type ActionFrame,
  actionStrengths,
  DEFAULT_ACTION_THRESHOLDS,
  MEASURED_ACTIONS,
  neutralOf,
} from './liveness-actions';
import { judgeObservations, judgeTimedActions, precheck, type TimedObservation } from './liveness-judge';
import { cropSampleFaces } from './testing/samples';
import { motionSource, renderPose, timelinePoses } from './testing/synthetic-motion';
import type { LivenessAction, LivenessChallenge, LivenessStep } from './types';

const th = DEFAULT_THRESHOLDS;
const at = DEFAULT_ACTION_THRESHOLDS;

/** A 468-point mesh whose inner lips are `gap` apart over a 40 px mouth. */
function mesh(gap: number): ActionFrame['landmarks'] {
  const m: [number, number, number][] = Array.from({ length: 468 }, () => [100, 100, 0]);
  m[78] = [80, 150, 0];
  m[308] = [120, 150, 0];
  m[13] = [100, 150 - gap / 2, 0];
  m[14] = [100, 150 + gap / 2, 0];
  return m;
}
const frame = (p: Partial<{ yaw: number; pitch: number; roll: number; gap: number; width: number }>) => ({
  pose: { yaw: p.yaw ?? 0, pitch: p.pitch ?? 0, roll: p.roll ?? 0 },
  box: { width: p.width ?? 200 },
  landmarks: mesh(p.gap ?? 2),
});

describe('actionStrengths on numeric frames', () => {
  const neutral = neutralOf([frame({}), frame({ yaw: 1 })]);
  const strongest = (f: ActionFrame) => {
    const s = actionStrengths(f, neutral, th, at);
    return Object.entries(s).sort((a, b) => b[1] - a[1])[0]!;
  };
  it.each([
    ['turn_left', { yaw: 15 }],
    ['turn_right', { yaw: -15 }],
    ['nod', { pitch: 12 }],
    ['look_up', { pitch: -9 }],
    ['tilt_left', { roll: 12 }],
    ['tilt_right', { roll: -12 }],
    ['open_mouth', { gap: 10 }],
    ['move_closer', { width: 260 }],
  ] as const)('%s reaches 1 and is the strongest', (action, pose) => {
    const [name, value] = strongest(frame(pose));
    expect(name).toBe(action);
    expect(value).toBeGreaterThanOrEqual(1);
  });
  it('reads no pitch or roll while the head is turned, and nothing at neutral', () => {
    const s = actionStrengths(frame({ yaw: 20, pitch: 15, roll: 15 }), neutral, th, at);
    expect([s.nod, s.look_up, s.tilt_left, s.tilt_right]).toEqual([0, 0, 0, 0]);
    const still = actionStrengths(frame({ yaw: 1 }), neutral, th, at);
    expect(Math.max(...Object.values(still))).toBeLessThan(0.2);
  });
});

/** A numeric recording: neutral, then each scripted pose at its time (ms from the start). */
function track(script: { t: number; pose: Parameters<typeof frame>[0] }[], every = 200, end = 7000) {
  const out: TimedObservation[] = [];
  for (let t = 0; t <= end; t += every) {
    const hit = script.find((s) => Math.abs(s.t - t) < every / 2);
    const f = frame(hit?.pose ?? {});
    out.push({
      ...f,
      t: 1_000_000 + t,
      box: { x: 0, y: 0, width: f.box.width, height: f.box.width },
      score: 1,
      embedding: [1],
      real: 1,
      live: 1,
      eyes: null,
      shape: new Float32Array(),
    });
  }
  return out;
}
const STEPS: LivenessStep[] = [
  { action: 'tilt_left', startMs: 1500, endMs: 3500 },
  { action: 'open_mouth', startMs: 3500, endMs: 5500 },
];

describe('judgeTimedActions (each action in its own window)', () => {
  const good = track([
    { t: 2400, pose: { roll: 14 } },
    { t: 4400, pose: { gap: 12 } },
  ]);
  it('passes actions inside their windows, with the time each was seen', () => {
    const r = judgeTimedActions(good, STEPS, th, at);
    expect(r.failure).toBeUndefined();
    expect(r.steps.map((s) => s.detectedAt! - 1_000_000)).toEqual([2400, 4400]);
    expect(r.observed).toEqual(['tilt_left', 'open_mouth']);
  });
  it('fails the same actions done earlier than asked (a recording made for other timings)', () => {
    const early = track([
      { t: 1000, pose: { roll: 14 } },
      { t: 2400, pose: { gap: 12 } },
    ]);
    expect(judgeTimedActions(early, STEPS, th, at).failure).toMatchObject({
      reason: 'unexpected_action',
      failedAction: 'tilt_left',
    });
  });
  it('fails another action in the window, and an action that never comes', () => {
    const wrong = track([
      { t: 2400, pose: { roll: -14 } },
      { t: 4400, pose: { gap: 12 } },
    ]);
    expect(judgeTimedActions(wrong, STEPS, th, at).failure).toMatchObject({
      reason: 'unexpected_action',
      failedAction: 'tilt_left',
    });
    const missing = track([{ t: 2400, pose: { roll: 14 } }]);
    expect(judgeTimedActions(missing, STEPS, th, at).failure).toMatchObject({
      reason: 'action_not_detected',
      failedAction: 'open_mouth',
    });
  });
  it('tolerates an action seen a little after its window (a late reaction)', () => {
    const late = track([
      { t: 3800, pose: { roll: 14 } },
      { t: 5000, pose: { gap: 12 } },
    ]);
    expect(judgeTimedActions(late, STEPS, th, at).failure).toBeUndefined();
  });
  it('precheck: a recording shorter than the timeline fails timing_mismatch; bad steps are an invalid challenge', () => {
    const ch: LivenessChallenge = {
      actions: ['tilt_left', 'open_mouth'],
      steps: STEPS,
      issuedAt: new Date(999_000).toISOString(),
      timeLimitSeconds: 60,
    };
    const times = (n: number) => Array.from({ length: n }, (_, i) => 1_000_000 + i * 200);
    expect(precheck(times(28), ch, th)).toBeNull();
    expect(precheck(times(20), ch, th)).toEqual({ reason: 'timing_mismatch' });
    const swapped = { ...ch, actions: ['open_mouth', 'tilt_left'] as LivenessAction[] };
    expect(precheck(times(28), swapped, th)).toEqual({ reason: 'invalid_challenge' });
    const overlapping = { ...ch, steps: [STEPS[0]!, { ...STEPS[1]!, startMs: 3000 }] };
    expect(precheck(times(28), overlapping, th)).toEqual({ reason: 'invalid_challenge' });
    // The new actions need a timed challenge: the untimed gesture-sequence rule knows only turns and nods.
    expect(precheck(times(28), { ...ch, steps: undefined }, th)).toEqual({ reason: 'invalid_challenge' });
  });
});

describe('every action from synthetic motion of a real face', () => {
  const engine = new FaceEngine();
  const ISSUED = Date.parse('2025-03-01T10:00:00.000Z');
  const steps = (actions: LivenessAction[], lead = 1200, each = 2200): LivenessStep[] =>
    actions.map((action, i) => ({ action, startMs: lead + i * each, endMs: lead + (i + 1) * each }));
  const SETS: LivenessAction[][] = [
    ['turn_left', 'look_up', 'tilt_left', 'open_mouth'],
    ['move_closer', 'tilt_right', 'nod', 'turn_right'],
  ];
  const recordings: TimedObservation[][] = [];
  const judge = (obs: TimedObservation[], s: LivenessStep[]) =>
    judgeObservations(
      obs,
      {
        actions: s.map((x) => x.action),
        steps: s,
        issuedAt: new Date(ISSUED).toISOString(),
        timeLimitSeconds: 60,
      },
      engine.thresholds,
      (a, b) => engine.compare(a, b),
    );

  beforeAll(async () => {
    await engine.init();
    const crop = (await cropSampleFaces(engine, [3])).find((f) => f.id === 's3f2')!.crop;
    const src = await motionSource(crop, (await engine.detect(crop)).faces[0]!);
    for (const actions of SETS) {
      const obs: TimedObservation[] = [];
      for (const { t, pose } of timelinePoses(steps(actions), 250)) {
        const face = (await engine.detect(renderPose(src, pose))).faces[0]!;
        const side = Math.max(face.box.width, face.box.height);
        obs.push({ ...face, t: ISSUED + 500 + t, shape: normalisedShape(face.landmarks, side) });
      }
      recordings.push(obs);
    }
  }, 180_000);
  afterAll(() => engine.close());

  it('reads all eight measured actions, each in its window', () => {
    expect(new Set(SETS.flat())).toEqual(new Set(MEASURED_ACTIONS));
    for (const [k, actions] of SETS.entries()) {
      const r = judge(recordings[k]!, steps(actions));
      expect(r, actions.join(',')).toMatchObject({ passed: true, observedActions: actions });
      expect(r.perAction.every((p) => p.status === 'detected')).toBe(true);
    }
  });

  it('fails the same recordings against another order or other timings', () => {
    const [a, b, c, d] = SETS[0]!;
    expect(judge(recordings[0]!, steps([b!, a!, c!, d!]))).toMatchObject({
      passed: false,
      reason: 'unexpected_action',
    });
    // Every window 1.4 s later than the recording was made for: the first action comes too early.
    expect(judge(recordings[1]!, steps(SETS[1]!, 2600))).toMatchObject({
      passed: false,
      reason: 'unexpected_action',
    });
    // Longer windows: the later actions fall outside theirs.
    expect(judge(recordings[1]!, steps(SETS[1]!, 1200, 3400)).passed).toBe(false);
  });
});
