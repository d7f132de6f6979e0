/**
 * Synthetic camera frames for the liveness step: a drawn face whose head turns, nods and blinks
 * frame by frame, as JPEG. They exercise transport, storage and validation of recordings; the
 * face-matching and liveness engines are tested on real face photos elsewhere.
 */
import {
  LIVENESS_ACTIONS,
  LIVENESS_MAX_FRAMES,
  type LivenessAction,
} from '@camdigikey/contracts/registration';
import { createCanvas } from '@napi-rs/canvas';

/** A drawn head: the neutral start, or a challenge action (the contract's list). */
export type FacePose = 'center' | LivenessAction;

export const FACE_POSES: readonly FacePose[] = ['center', ...LIVENESS_ACTIONS];

export function renderFaceFrame(pose: FacePose, size = 320): Buffer {
  const canvas = createCanvas(size, size);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#d9dde3';
  ctx.fillRect(0, 0, size, size);
  const shift = pose === 'turn_left' ? -size * 0.12 : pose === 'turn_right' ? size * 0.12 : 0;
  const drop = pose === 'nod' ? size * 0.1 : pose === 'look_up' ? -size * 0.1 : 0;
  // Tilts turn the drawing about its centre; closer draws it larger.
  const tilt = pose === 'tilt_left' ? 0.3 : pose === 'tilt_right' ? -0.3 : 0;
  const zoom = pose === 'move_closer' ? 1.35 : 1;
  ctx.translate(size / 2, size / 2);
  ctx.rotate(tilt);
  ctx.scale(zoom, zoom);
  ctx.translate(-size / 2, -size / 2);
  const cx = size / 2 + shift;
  const cy = size / 2 + drop;
  ctx.fillStyle = '#c68e6a';
  ctx.beginPath();
  ctx.ellipse(cx, cy, size * 0.25, size * 0.33, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = '#2b1d16';
  const eyeHeight = pose === 'blink' ? 1.5 : size * 0.03;
  for (const dx of [-0.09, 0.09]) {
    ctx.beginPath();
    ctx.ellipse(cx + dx * size, cy - size * 0.06, size * 0.035, eyeHeight, 0, 0, Math.PI * 2);
    ctx.fill();
  }
  if (pose === 'open_mouth') {
    ctx.fillStyle = '#3a1414';
    ctx.beginPath();
    ctx.ellipse(cx, cy + size * 0.14, size * 0.06, size * 0.05, 0, 0, Math.PI * 2);
    ctx.fill();
  } else {
    ctx.strokeStyle = '#7a3b2e';
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.arc(cx, cy + size * 0.1, size * 0.08, 0.15 * Math.PI, 0.85 * Math.PI);
    ctx.stroke();
  }
  return canvas.toBuffer('image/jpeg', 80);
}

export interface TimedStep {
  action: string;
  startMs: number;
  endMs: number;
}

/**
 * Time between frames of a timed recording: 400 ms, stretched like the app's (apps/wallet
 * liveness-plan.ts) when the timeline is longer than 39 intervals, so that a recording never holds
 * more than the device API's LIVENESS_MAX_FRAMES (40; each frame costs the server a detection).
 * Frames are taken at 0, interval, ... up to and including `endMs`: a 5-action challenge with the
 * longest windows (17 s) is sampled every 436 ms, 39 frames.
 */
export const TIMED_FRAME_INTERVAL_MS = 400;

export function timedFrameInterval(endMs: number): number {
  return Math.max(TIMED_FRAME_INTERVAL_MS, Math.ceil(endMs / (LIVENESS_MAX_FRAMES - 1)));
}

/**
 * Frames for a challenge: a centred start, then each action in order, ~5 frames per second; for
 * a timed challenge (`steps`), each action in the middle of its window, a frame every
 * `timedFrameInterval` (400 ms, more for timelines over 15.6 s).
 */
export function framesForChallenge(
  actions: readonly string[],
  framesPerAction = 3,
  steps?: readonly TimedStep[],
): { t: number; image: string }[] {
  if (steps?.length) {
    const out: { t: number; image: string }[] = [];
    const drawn = new Map<FacePose, string>();
    const end = steps.at(-1)!.endMs;
    for (let t = 0, interval = timedFrameInterval(end); t <= end; t += interval) {
      const step = steps.find((s) => t >= s.startMs && t < s.endMs);
      const p = step ? (t - step.startMs) / (step.endMs - step.startMs) : 0;
      const pose: FacePose =
        step && p > 0.3 && p < 0.7 && FACE_POSES.includes(step.action as FacePose)
          ? (step.action as FacePose)
          : 'center';
      if (!drawn.has(pose)) drawn.set(pose, renderFaceFrame(pose).toString('base64'));
      out.push({ t, image: drawn.get(pose)! });
    }
    return out;
  }
  const poses: FacePose[] = ['center'];
  for (const action of actions) {
    for (let i = 0; i < framesPerAction; i++) poses.push(action as FacePose);
    poses.push('center');
  }
  return poses.map((pose, i) => ({ t: i * 200, image: renderFaceFrame(pose).toString('base64') }));
}
