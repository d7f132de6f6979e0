/**
 * The active-liveness decision, as pure functions over per-frame measurements (no images, no models),
 * so the rules can be unit-tested on numeric tracks and explained in an audit.
 *
 * Rules, in the order they are checked (the first failure is the reported `reason`):
 * 1. precheck: 5..60 frames, strictly increasing timestamps, first frame not before the challenge was
 *    issued and last frame (and, if given, server receipt) within issuedAt + timeLimit (± clock skew);
 * 2. every frame has exactly one face (checked by the engine while detecting);
 * 3. same face: every frame's embedding similarity to the first frame >= thresholds.sameFace (a
 *    recording judged by recording.ts embeds only some frames: see framesToEmbed there);
 * 4. motion: the face shape must change (a repeated still photo does not);
 * 5. gestures: the yaw/pitch/eye tracks, relative to the neutral pose of the first frames, are turned
 *    into a sequence of gesture events, which must EQUAL the challenge (same actions, same order, no
 *    extra gestures: a replayed "do everything" video fails). A TIMED challenge (`steps`, issued
 *    with random actions and random durations) is judged window by window instead: each action
 *    must reach its threshold inside its own window, no other action may show more strongly there,
 *    and nothing may happen during the still start (judgeTimedActions); a recording shorter than
 *    the issued timeline fails `timing_mismatch` in the precheck;
 * 6. the median anti-spoofing and liveness-model scores reach their (uncalibrated) minimums.
 *
 * score: 0 when rule 1-4 fails, else 0.6 * (fraction of actions matched in order)
 * + 0.2 * median antispoof + 0.2 * median live. A summary for risk scoring, not a probability.
 */
import type { Thresholds } from './config';
import { type Observation, shapeDistance } from './face-metrics';
import {
  type ActionThresholds,
  actionStrengths,
  DEFAULT_ACTION_THRESHOLDS,
  MEASURED_ACTIONS,
  type MeasuredAction,
  neutralOf,
} from './liveness-actions';
import type {
  ActionStatus,
  FrameDiagnostics,
  LivenessAction,
  LivenessChallenge,
  LivenessReason,
  LivenessResult,
} from './types';

export type JudgeResult = Omit<LivenessResult, 'provenance'>;
export type TimedObservation = Observation & { t: number };

/** Actions an untimed challenge may ask (the gesture-sequence rule knows these). */
const SEQUENCE_ACTIONS: readonly LivenessAction[] = ['turn_left', 'turn_right', 'nod', 'blink'];
const TIMED_ACTIONS: readonly LivenessAction[] = [...MEASURED_ACTIONS, 'blink'];

/** A timed challenge's steps: in order, not overlapping, the same actions as `actions`. */
function validSteps(challenge: LivenessChallenge): boolean {
  const steps = challenge.steps;
  if (!steps) return true;
  if (!Array.isArray(steps) || steps.length !== challenge.actions.length) return false;
  let end = 0;
  for (const [i, s] of steps.entries()) {
    if (s.action !== challenge.actions[i]) return false;
    if (!(Number.isFinite(s.startMs) && Number.isFinite(s.endMs) && s.startMs >= end && s.endMs > s.startMs))
      return false;
    end = s.endMs;
  }
  return true;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (v: number, d = 3): number => Math.round(v * 10 ** d) / 10 ** d;

/** Checks that need no image analysis. Returns a failure or null. */
export function precheck(
  timestamps: number[],
  challenge: LivenessChallenge,
  th: Thresholds,
  receivedAt?: Date,
  at: ActionThresholds = DEFAULT_ACTION_THRESHOLDS,
): { reason: LivenessReason; frameIndex?: number } | null {
  const issued = Date.parse(challenge.issuedAt);
  const limitMs = challenge.timeLimitSeconds * 1000;
  const known = challenge.steps ? TIMED_ACTIONS : SEQUENCE_ACTIONS;
  const validActions =
    Array.isArray(challenge.actions) &&
    challenge.actions.length > 0 &&
    challenge.actions.every((a) => known.includes(a)) &&
    validSteps(challenge);
  if (!validActions || !Number.isFinite(issued) || !(limitMs > 0)) return { reason: 'invalid_challenge' };
  if (timestamps.length < th.minFrames) return { reason: 'too_few_frames' };
  if (timestamps.length > th.maxFrames) return { reason: 'too_many_frames' };
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i]!;
    if (!Number.isFinite(t) || (i > 0 && t <= timestamps[i - 1]!)) {
      return { reason: 'frames_out_of_order', frameIndex: i };
    }
  }
  if (timestamps[0]! < issued - th.clockSkewMs) return { reason: 'frame_before_challenge', frameIndex: 0 };
  const deadline = issued + limitMs + th.clockSkewMs;
  const late = timestamps.findIndex((t) => t > deadline);
  if (late >= 0) return { reason: 'time_limit_exceeded', frameIndex: late };
  if (receivedAt && receivedAt.getTime() > deadline) return { reason: 'time_limit_exceeded' };
  const lastStep = challenge.steps?.at(-1);
  if (lastStep && timestamps.at(-1)! - timestamps[0]! < lastStep.endMs - at.timingToleranceMs)
    return { reason: 'timing_mismatch' };
  return null;
}

export interface GestureEvent {
  action: LivenessAction;
  t: number;
  index: number;
}

/**
 * Gesture events from the pose/eye tracks, relative to the neutral pose (median of the first
 * `neutralFrames` frames), with hysteresis (`returnFraction`) so that jitter around a threshold does
 * not count twice. A nod is counted when the head comes back up; it is ignored while the head is
 * turned (pitch estimates are unreliable at large yaw). Blinks only in `blinkMode: 'experimental'`.
 */
export function gestureEvents(obs: TimedObservation[], th: Thresholds): GestureEvent[] {
  const head = obs.slice(0, Math.max(1, th.neutralFrames));
  const posed = head.filter((o) => o.pose);
  const yaw0 = median(posed.map((o) => o.pose!.yaw));
  const pitch0 = median(posed.map((o) => o.pose!.pitch));
  const eyes0 = median(head.filter((o) => o.eyes).map((o) => o.eyes!.mean));
  const events: GestureEvent[] = [];
  let turn: 'center' | 'left' | 'right' = 'center';
  let headDown = false;
  let eyesClosed = false;
  obs.forEach((o, index) => {
    if (o.pose) {
      const dy = o.pose.yaw - yaw0;
      const dp = o.pose.pitch - pitch0;
      const back = th.turnYawDeg * th.returnFraction;
      if (turn !== 'left' && dy >= th.turnYawDeg) {
        turn = 'left';
        events.push({ action: 'turn_left', t: o.t, index });
      } else if (turn !== 'right' && dy <= -th.turnYawDeg) {
        turn = 'right';
        events.push({ action: 'turn_right', t: o.t, index });
      } else if (turn !== 'center' && Math.abs(dy) < back) {
        turn = 'center';
      }
      if (!headDown && dp >= th.nodPitchDeg && Math.abs(dy) < th.turnYawDeg) headDown = true;
      else if (headDown && dp <= th.nodPitchDeg * th.returnFraction) {
        headDown = false;
        events.push({ action: 'nod', t: o.t, index });
      }
    }
    if (th.blinkMode === 'experimental' && o.eyes && eyes0 > 0) {
      if (!eyesClosed && o.eyes.mean < eyes0 * th.blinkClosedFraction) eyesClosed = true;
      else if (eyesClosed && o.eyes.mean > eyes0 * th.blinkOpenFraction) {
        eyesClosed = false;
        events.push({ action: 'blink', t: o.t, index });
      }
    }
  });
  return events;
}

function diagnostics(obs: TimedObservation[], sims: (number | null)[]): FrameDiagnostics[] {
  return obs.map((o, i) => ({
    t: o.t,
    faces: 1,
    pose: o.pose && { yaw: round(o.pose.yaw, 1), pitch: round(o.pose.pitch, 1), roll: round(o.pose.roll, 1) },
    eyes: o.eyes && round(o.eyes.mean),
    similarityToFirst: sims[i] ?? null,
  }));
}

/**
 * Rules 3-6 over frames that each had exactly one face. `t` is the frame timestamp. `embedded`:
 * when given, only these frames (with the first) carry an embedding and rule 3 compares only them
 * (recording.ts chooses them: every frame a verdict relies on, and an unpredictable sample of the
 * rest); the others report `similarityToFirst: null`.
 */
export function judgeObservations(
  obs: TimedObservation[],
  challenge: LivenessChallenge,
  th: Thresholds,
  similarity: (a: number[], b: number[]) => number,
  at: ActionThresholds = DEFAULT_ACTION_THRESHOLDS,
  embedded?: ReadonlySet<number>,
): JudgeResult {
  const first = obs[0]!;
  const sims = obs.map((o, i) =>
    i === 0 ? 1 : embedded && !embedded.has(i) ? null : similarity(first.embedding, o.embedding),
  );
  const sameFace = first.embedding.length > 0 && sims.every((s) => s === null || s >= th.sameFace);
  const antispoof = round(median(obs.map((o) => o.real ?? 0)));
  const live = round(median(obs.map((o) => o.live ?? 0)));
  const events = gestureEvents(obs, th);
  const base = { sameFace, antispoof, live, observedActions: events.map((e) => e.action) };
  const frames = diagnostics(obs, sims);
  const perAction = challenge.actions.map((action) => ({
    action,
    status: (action === 'blink' && th.blinkMode === 'undetermined'
      ? 'undetermined'
      : 'not_detected') as ActionStatus,
    detectedAt: undefined as number | undefined,
  }));
  const hardFail = (reason: LivenessReason, frameIndex?: number): JudgeResult => ({
    score: 0,
    passed: false,
    reason,
    ...(frameIndex === undefined ? {} : { frameIndex }),
    perAction: perAction.map(({ action, status }) => ({ action, status })),
    ...base,
    frames,
  });
  if (!sameFace) {
    return hardFail(
      'different_faces',
      first.embedding.length === 0 ? 0 : sims.findIndex((s) => s !== null && s < th.sameFace),
    );
  }
  const motion = Math.max(...obs.map((o) => shapeDistance(first.shape, o.shape)));
  if (motion < th.minMotion) return hardFail('no_motion');

  // Rule 5: the observed gesture sequence must equal the challenge (undetermined blinks left out),
  // or, for a timed challenge, every action must happen in its own window.
  let failedAction: LivenessAction | undefined;
  let reason: LivenessReason | undefined;
  let frameIndex: number | undefined;
  let observedActions = base.observedActions;
  if (challenge.steps) {
    const timed = judgeTimedActions(obs, challenge.steps, th, at);
    observedActions = timed.observed;
    for (const [k, step] of timed.steps.entries()) {
      const entry = perAction[k]!;
      if (entry.status === 'undetermined') continue;
      if (step.detectedAt !== undefined) {
        entry.status = 'detected';
        entry.detectedAt = step.detectedAt;
      }
    }
    if (timed.failure) ({ reason, failedAction, frameIndex } = timed.failure);
  } else {
    let next = 0;
    for (const entry of perAction) {
      if (entry.status === 'undetermined') continue;
      const event = events[next];
      if (!event) {
        failedAction = entry.action;
        reason = 'action_not_detected';
        break;
      }
      if (event.action !== entry.action) {
        failedAction = entry.action;
        reason = 'unexpected_action';
        break;
      }
      entry.status = 'detected';
      entry.detectedAt = event.t;
      next++;
    }
    if (!reason && next < events.length) reason = 'unexpected_action';
  }
  const undetermined = perAction.find((p) => p.status === 'undetermined');
  if (!reason && undetermined) {
    failedAction = undetermined.action;
    reason = 'action_undetermined';
  }
  if (!reason && antispoof < th.minAntispoof) reason = 'antispoof_below_threshold';
  if (!reason && live < th.minLive) reason = 'live_below_threshold';
  const matched = perAction.filter((p) => p.status === 'detected').length;
  const score = round(0.6 * (matched / perAction.length) + 0.2 * antispoof + 0.2 * live);
  return {
    score,
    passed: reason === undefined,
    ...(failedAction ? { failedAction } : {}),
    ...(reason ? { reason } : {}),
    ...(frameIndex === undefined ? {} : { frameIndex }),
    perAction: perAction.map(({ action, status, detectedAt }) =>
      detectedAt === undefined ? { action, status } : { action, status, detectedAt },
    ),
    ...base,
    observedActions,
    frames,
  };
}

export interface TimedJudgement {
  steps: { action: LivenessAction; detectedAt?: number; strength: number }[];
  /** Per window, the action that showed most strongly (null: none reached its threshold). */
  observed: LivenessAction[];
  failure?: { reason: LivenessReason; failedAction?: LivenessAction; frameIndex?: number };
}

/**
 * Rule 5 for a timed challenge. Times are ms from the first frame. In window i the expected
 * action must reach strength 1 between `startMs` and `endMs + tolerance`; in the core of the
 * window (`startMs + tolerance` to `endMs`) no other action may reach 1 more strongly than it;
 * before the first window (the still start, less the tolerance) no action may reach 1 at all.
 * Blinks are not measured: their window is skipped (the caller reports them undetermined).
 */
export function judgeTimedActions(
  obs: TimedObservation[],
  steps: readonly { action: LivenessAction; startMs: number; endMs: number }[],
  th: Thresholds,
  at: ActionThresholds = DEFAULT_ACTION_THRESHOLDS,
): TimedJudgement {
  const t0 = obs[0]!.t;
  const neutral = neutralOf(obs.slice(0, Math.max(1, th.neutralFrames)));
  const strengths = obs.map((o) => actionStrengths(o, neutral, th, at));
  const rel = obs.map((o) => o.t - t0);
  const tol = at.timingToleranceMs;
  const strongest = (i: number, except?: LivenessAction) => {
    let best: { action: MeasuredAction; value: number } | undefined;
    for (const a of MEASURED_ACTIONS) {
      const v = strengths[i]![a];
      if (a !== except && v >= 1 && (!best || v > best.value)) best = { action: a, value: v };
    }
    return best;
  };
  const out: TimedJudgement = { steps: [], observed: [] };
  const firstStart = steps[0]?.startMs ?? 0;
  for (let i = 0; i < obs.length && rel[i]! < firstStart - tol; i++) {
    const early = strongest(i);
    if (early) {
      out.failure = { reason: 'unexpected_action', failedAction: steps[0]?.action, frameIndex: i };
      break;
    }
  }
  for (const step of steps) {
    if (step.action === 'blink') {
      out.steps.push({ action: step.action, strength: 0 });
      continue;
    }
    const expected = step.action as MeasuredAction;
    let detectedAt: number | undefined;
    let peak = 0;
    let peakOther: { action: MeasuredAction; value: number; index: number } | undefined;
    for (let i = 0; i < obs.length; i++) {
      const r = rel[i]!;
      if (r >= step.startMs && r <= step.endMs + tol) {
        const v = strengths[i]![expected];
        if (v >= 1 && detectedAt === undefined) detectedAt = obs[i]!.t;
        peak = Math.max(peak, v);
      }
      if (r >= step.startMs + tol && r <= step.endMs) {
        const other = strongest(i, expected);
        if (other && (!peakOther || other.value > peakOther.value)) peakOther = { ...other, index: i };
      }
    }
    out.steps.push({
      action: expected,
      strength: Math.round(peak * 100) / 100,
      ...(detectedAt ? { detectedAt } : {}),
    });
    const shown = peakOther && peakOther.value > peak ? peakOther.action : detectedAt ? expected : undefined;
    if (shown) out.observed.push(shown);
    if (out.failure) continue;
    if (peakOther && peakOther.value > peak)
      out.failure = { reason: 'unexpected_action', failedAction: expected, frameIndex: peakOther.index };
    else if (detectedAt === undefined)
      out.failure = { reason: 'action_not_detected', failedAction: expected };
  }
  return out;
}
