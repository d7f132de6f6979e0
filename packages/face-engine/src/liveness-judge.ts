/**
 * The active-liveness decision, as pure functions over per-frame measurements (no images, no models),
 * so the rules can be unit-tested on numeric tracks and explained in an audit.
 *
 * Rules, in the order they are checked (the first failure is the reported `reason`):
 * 1. precheck: 5..60 frames, strictly increasing timestamps, first frame not before the challenge was
 *    issued and last frame (and, if given, server receipt) within issuedAt + timeLimit (± clock skew);
 * 2. every frame has exactly one face (checked by the engine while detecting);
 * 3. same face: every frame's embedding similarity to the first frame >= thresholds.sameFace;
 * 4. motion: the face shape must change (a repeated still photo does not);
 * 5. gestures: the yaw/pitch/eye tracks, relative to the neutral pose of the first frames, are turned
 *    into a sequence of gesture events, which must EQUAL the challenge (same actions, same order, no
 *    extra gestures: a replayed "do everything" video fails);
 * 6. the median anti-spoofing and liveness-model scores reach their (uncalibrated) minimums.
 *
 * score: 0 when rule 1-4 fails, else 0.6 * (fraction of actions matched in order)
 * + 0.2 * median antispoof + 0.2 * median live. A summary for risk scoring, not a probability.
 */
import type { Thresholds } from './config';
import { type Observation, shapeDistance } from './face-metrics';
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

const ACTIONS: readonly LivenessAction[] = ['turn_left', 'turn_right', 'nod', 'blink'];

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
): { reason: LivenessReason; frameIndex?: number } | null {
  const issued = Date.parse(challenge.issuedAt);
  const limitMs = challenge.timeLimitSeconds * 1000;
  const validActions =
    Array.isArray(challenge.actions) &&
    challenge.actions.length > 0 &&
    challenge.actions.every((a) => ACTIONS.includes(a));
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

/** Rules 3-6 over frames that each had exactly one face. `t` is the frame timestamp. */
export function judgeObservations(
  obs: TimedObservation[],
  challenge: LivenessChallenge,
  th: Thresholds,
  similarity: (a: number[], b: number[]) => number,
): JudgeResult {
  const first = obs[0]!;
  const sims = obs.map((o, i) => (i === 0 ? 1 : similarity(first.embedding, o.embedding)));
  const sameFace = first.embedding.length > 0 && sims.every((s) => s >= th.sameFace);
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
      first.embedding.length === 0 ? 0 : sims.findIndex((s) => s < th.sameFace),
    );
  }
  const motion = Math.max(...obs.map((o) => shapeDistance(first.shape, o.shape)));
  if (motion < th.minMotion) return hardFail('no_motion');

  // Rule 5: the observed gesture sequence must equal the challenge (undetermined blinks left out).
  let failedAction: LivenessAction | undefined;
  let reason: LivenessReason | undefined;
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
    perAction: perAction.map(({ action, status, detectedAt }) =>
      detectedAt === undefined ? { action, status } : { action, status, detectedAt },
    ),
    ...base,
    frames,
  };
}
