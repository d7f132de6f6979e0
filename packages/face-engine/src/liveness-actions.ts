/**
 * How strongly each frame shows each challenge action, relative to the neutral pose of the first
 * frames: a "strength" of 1 means the action's threshold is reached. Pure functions over the
 * engine's pose and face mesh, so every action can be unit-tested on numeric tracks and on the
 * synthetic motion of testing/synthetic-motion.ts.
 *
 * The measures (engine conventions in types.ts; "left"/"right" are the subject's own):
 * - turn_left / turn_right: yaw change (Thresholds.turnYawDeg);
 * - nod: pitch down (Thresholds.nodPitchDeg); look_up: pitch up (lookUpPitchDeg). Both read 0
 *   while the head is turned, where the pitch estimate is unreliable;
 * - tilt_left / tilt_right: roll change (tiltRollDeg; tilt to one's own left = the top of the
 *   head toward the un-mirrored image's right = roll > 0). 0 while turned;
 * - open_mouth: gap between the inner lips (mesh 13-14) over the inner mouth width (78-308), its
 *   increase over neutral (mouthOpenDelta);
 * - move_closer: the face box's width over neutral (closerScale).
 * The numbers were set on synthetic motion of the sample faces (liveness-actions.test.ts); they
 * have never been measured on real video.
 */
import type { Thresholds } from './config';
import type { DetectedFace, LivenessAction } from './types';

export interface ActionThresholds {
  /** look_up: pitch must move up at least this far (degrees) from neutral. */
  lookUpPitchDeg: number;
  /** tilt_left / tilt_right: roll must change at least this far (degrees). */
  tiltRollDeg: number;
  /** open_mouth: inner-lip gap / mouth width must grow by at least this much over neutral. */
  mouthOpenDelta: number;
  /** move_closer: the face box must grow to at least this multiple of its neutral width. */
  closerScale: number;
  /**
   * Timed challenges: an action may still be read this long after its window ends (people react
   * late), and the check for other actions in a window starts this long after the window opens
   * (the previous action may still be ending).
   */
  timingToleranceMs: number;
}

/**
 * Synthetic motion (liveness-actions.test.ts): 25° up read as 8-12°; a 20° tilt as 10-19°; a
 * mouth opened by 8 % of the face height as +0.19 to +0.26 on frontal faces; 1.4× closer as
 * 1.29-1.40×. Cross-talk seen: looking up opened the "mouth" by up to +0.12.
 */
export const DEFAULT_ACTION_THRESHOLDS: Readonly<ActionThresholds> = Object.freeze({
  lookUpPitchDeg: 7,
  tiltRollDeg: 9,
  mouthOpenDelta: 0.15,
  closerScale: 1.2,
  timingToleranceMs: 700,
});

/** Actions read from pose and mesh (blink is not: see THRESHOLDS.md). */
export const MEASURED_ACTIONS = [
  'turn_left',
  'turn_right',
  'nod',
  'look_up',
  'tilt_left',
  'tilt_right',
  'open_mouth',
  'move_closer',
] as const satisfies readonly LivenessAction[];
export type MeasuredAction = (typeof MEASURED_ACTIONS)[number];

type Mesh = DetectedFace['landmarks'];

/** Inner-lip gap over inner mouth width, or null without a full mesh. */
export function mouthOpening(mesh: Mesh): number | null {
  if (mesh.length < 468) return null;
  const [a, b, l, r] = [mesh[13]!, mesh[14]!, mesh[78]!, mesh[308]!];
  const width = Math.hypot(l[0] - r[0], l[1] - r[1]);
  return width > 0 ? Math.hypot(a[0] - b[0], a[1] - b[1]) / width : null;
}

export interface ActionFrame {
  pose: { yaw: number; pitch: number; roll: number } | null;
  box: { width: number };
  landmarks: Mesh;
}

export interface Neutral {
  yaw: number;
  pitch: number;
  roll: number;
  mouth: number | null;
  width: number;
}

const med = (values: number[]): number => {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The neutral pose: medians over the given (first) frames. */
export function neutralOf(frames: ActionFrame[]): Neutral {
  const posed = frames.filter((f) => f.pose);
  const mouths = frames.map((f) => mouthOpening(f.landmarks)).filter((m): m is number => m !== null);
  return {
    yaw: med(posed.map((f) => f.pose!.yaw)),
    pitch: med(posed.map((f) => f.pose!.pitch)),
    roll: med(posed.map((f) => f.pose!.roll)),
    mouth: mouths.length ? med(mouths) : null,
    width: med(frames.map((f) => f.box.width)),
  };
}

/** Each measured action's strength in one frame (>= 1: the threshold is reached). */
export function actionStrengths(
  frame: ActionFrame,
  neutral: Neutral,
  th: Pick<Thresholds, 'turnYawDeg' | 'nodPitchDeg'>,
  at: ActionThresholds,
): Record<MeasuredAction, number> {
  const out: Record<MeasuredAction, number> = {
    turn_left: 0,
    turn_right: 0,
    nod: 0,
    look_up: 0,
    tilt_left: 0,
    tilt_right: 0,
    open_mouth: 0,
    move_closer: 0,
  };
  if (frame.pose) {
    const dy = frame.pose.yaw - neutral.yaw;
    const dp = frame.pose.pitch - neutral.pitch;
    const dr = frame.pose.roll - neutral.roll;
    out.turn_left = Math.max(0, dy / th.turnYawDeg);
    out.turn_right = Math.max(0, -dy / th.turnYawDeg);
    if (Math.abs(dy) < th.turnYawDeg) {
      out.nod = Math.max(0, dp / th.nodPitchDeg);
      out.look_up = Math.max(0, -dp / at.lookUpPitchDeg);
      out.tilt_left = Math.max(0, dr / at.tiltRollDeg);
      out.tilt_right = Math.max(0, -dr / at.tiltRollDeg);
    }
  }
  const mouth = mouthOpening(frame.landmarks);
  if (mouth !== null && neutral.mouth !== null)
    out.open_mouth = Math.max(0, (mouth - neutral.mouth) / at.mouthOpenDelta);
  if (neutral.width > 0)
    out.move_closer = Math.max(0, (frame.box.width / neutral.width - 1) / (at.closerScale - 1));
  return out;
}
