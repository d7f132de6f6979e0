/**
 * The timeline of a liveness recording: a still, centred start (the face engine takes its neutral
 * pose from the first frames, and the selfie comes from there), then each challenge action in the
 * server's order, each with time to do it and come back. A timed challenge (`steps` from the
 * server: random windows) is followed exactly, since the server refuses actions outside their
 * windows; an untimed one gets 1.5 s centred and 2.5 s per action. Frames are sampled about 5 times a second,
 * spaced out so that a recording holds at most MAX_FRAMES (40: each frame costs the server a face
 * detection; the device API takes 3–40, the face engine 5–60); the timestamps are milliseconds from
 * the start of the recording.
 */
import type { LivenessAction } from '@camdigikey/contracts/registration';

/**
 * The challenge actions of packages/contracts (LIVENESS_ACTIONS), restated so the camera chunk does not
 * pull in the contracts' schema library; a unit test keeps the two lists equal.
 */
export const KNOWN_ACTIONS = [
  'turn_left',
  'turn_right',
  'nod',
  'look_up',
  'tilt_left',
  'tilt_right',
  'open_mouth',
  'move_closer',
  'blink',
] as const satisfies readonly LivenessAction[];

/** One action's window from the server, ms from the start of the recording. */
export interface ChallengeStep {
  action: string;
  startMs: number;
  endMs: number;
}

export type PlanStepKind = 'center' | LivenessAction;

export interface PlanStep {
  kind: PlanStepKind;
  /** Start and end, ms from the start of the recording. */
  start: number;
  end: number;
}

export interface LivenessPlan {
  steps: PlanStep[];
  /** Total length of the recording, ms. */
  duration: number;
  /** Time between two sampled frames, ms. */
  interval: number;
  /** When to take the selfie (inside the centred start), ms. */
  selfieAt: number;
  /** Frames the recording may hold at most. */
  maxFrames: number;
}

export const CENTER_MS = 1500;
export const ACTION_MS = 2500;
/** About 5 frames per second. */
export const FRAME_INTERVAL_MS = 200;
/**
 * The most frames a recording sends: the device API's LIVENESS_MAX_FRAMES (packages/contracts; a
 * unit test keeps the two equal). Chosen for the server's cost (issue 14 item 7: each frame is a
 * detection of ~70 ms CPU): the longest timed challenge (2.0 s still start + 5 × 3.0 s) is sampled
 * every 436 ms, a mid-range one (1.6 s + 5 × 2.5 s) every 362 ms; the rules were measured on
 * frames every 400 ms (docs/liveness-attacks.md, Cost: frames per window at this rate).
 */
export const MAX_FRAMES = 40;
/** The fewest frames the device API accepts. */
export const MIN_FRAMES = 3;

export function isLivenessAction(action: string): action is LivenessAction {
  return (KNOWN_ACTIONS as readonly string[]).includes(action);
}

/**
 * The plan for the server's `actions` (unknown actions are skipped; the server issues known ones
 * only), on the server's windows when it sent them (`timed`).
 */
export function livenessPlan(actions: readonly string[], timed?: readonly ChallengeStep[]): LivenessPlan {
  if (timed?.length && timed.every((s) => isLivenessAction(s.action))) {
    const steps: PlanStep[] = [{ kind: 'center', start: 0, end: timed[0]!.startMs }];
    for (const s of timed) steps.push({ kind: s.action as LivenessAction, start: s.startMs, end: s.endMs });
    const duration = steps.at(-1)!.end;
    const interval = Math.max(FRAME_INTERVAL_MS, Math.ceil(duration / (MAX_FRAMES - 1)));
    const selfieAt = Math.round(timed[0]!.startMs * 0.6);
    return { steps, duration, interval, selfieAt, maxFrames: MAX_FRAMES };
  }
  const steps: PlanStep[] = [{ kind: 'center', start: 0, end: CENTER_MS }];
  for (const action of actions) {
    if (!isLivenessAction(action)) continue;
    const start = steps.at(-1)!.end;
    steps.push({ kind: action, start, end: start + ACTION_MS });
  }
  const duration = steps.at(-1)!.end;
  const interval = Math.max(FRAME_INTERVAL_MS, Math.ceil(duration / (MAX_FRAMES - 1)));
  return { steps, duration, interval, selfieAt: Math.round(CENTER_MS * 0.6), maxFrames: MAX_FRAMES };
}

/** Index of the step running at `elapsed` ms (the last step once the recording is over). */
export function stepIndexAt(plan: LivenessPlan, elapsed: number): number {
  const i = plan.steps.findIndex((s) => elapsed < s.end);
  return i < 0 ? plan.steps.length - 1 : i;
}
