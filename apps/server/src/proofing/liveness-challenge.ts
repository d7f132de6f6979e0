/**
 * Liveness challenges with real entropy, and their quota (identity-proofing issue, item 3).
 *
 * A challenge is 3 to 5 distinct actions (config: LIVENESS_MIN_ACTIONS..LIVENESS_MAX_ACTIONS) drawn
 * with the CSPRNG from the eight the face engine measures from pose and mesh (turns, nod, look up,
 * tilts, open mouth, move closer; blink is never issued: the engine cannot verify it), in a random
 * order, each with a random window length (its "hold time"), after a still start of random length.
 * The windows are part of the challenge: the app prompts each action at its time and the engine
 * refuses a recording whose actions do not happen in their windows (face-engine liveness-judge.ts).
 * With 8 actions, 3-5 long: 8·7·6 + 8·7·6·5 + 8·7·6·5·4 = 8,736 orders (8,730 once the 6 orders
 * made only of what a rigid card can do are left out), times 9 start lengths and 6 window lengths
 * per action (challengeSpace counts them).
 *
 * Quota: at most LIVENESS_CHALLENGES_PER_HOUR challenges per flow (or, for a resubmission, per
 * account) in any sliding hour. The decision and the count are one statement: an upsert whose
 * update only happens while fewer than the limit were issued in the last hour (PostgreSQL locks
 * the row, so two concurrent requests cannot both take the last slot). A new challenge replaces
 * the previous one but never resets the count, so a pre-recorded video cannot be "shopped" for.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { LivenessAction } from '@camdigikey/contracts/registration';
import { sql } from 'kysely';
import type { Deps } from '../deps';
import { AppError } from '../errors';

/** The actions a challenge may ask: the ones the face engine reads from the pose and the mesh. */
export const CHALLENGE_ACTIONS: readonly LivenessAction[] = [
  'turn_left',
  'turn_right',
  'nod',
  'look_up',
  'tilt_left',
  'tilt_right',
  'open_mouth',
  'move_closer',
];

/** Still start before the first action, and each action's window: [min, max] in `step` ms steps. */
export const LEAD_MS = { min: 1200, max: 2000, step: 100 } as const;
export const WINDOW_MS = { min: 2000, max: 3000, step: 200 } as const;

export interface ChallengeStep {
  action: LivenessAction;
  /** ms from the start of the recording. */
  startMs: number;
  endMs: number;
}

export interface LivenessChallenge {
  id: string;
  actions: LivenessAction[];
  /** Each action's window, ms from the recording's first frame (absent in challenges issued before timing). */
  steps?: ChallengeStep[];
  issuedAt: string;
  expiresAt: string;
}

const pick = (r: { min: number; max: number; step: number }) =>
  r.min + r.step * randomInt(0, Math.floor((r.max - r.min) / r.step) + 1);

/** `count` distinct actions in random order (Fisher–Yates with the CSPRNG). */
export function randomActions(
  count: number,
  actions: readonly LivenessAction[] = CHALLENGE_ACTIONS,
): LivenessAction[] {
  const pool = [...actions];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

/**
 * What a flat photo held up and moved as a rigid card can also show: in-plane tilts and coming
 * closer. Every challenge asks at least one action outside these (a turn, a nod, looking up or an
 * open mouth), which a rigid card cannot perform.
 */
export const RIGID_CARD_ACTIONS: readonly LivenessAction[] = ['tilt_left', 'tilt_right', 'move_closer'];

/** Random actions (length drawn in [min, max]) with a random still start and random windows. */
export function randomTimedActions(
  min: number,
  max: number,
): { actions: LivenessAction[]; steps: ChallengeStep[] } {
  let actions = randomActions(randomInt(min, max + 1));
  while (actions.every((a) => RIGID_CARD_ACTIONS.includes(a))) actions = randomActions(actions.length);
  let at = pick(LEAD_MS);
  const steps = actions.map((action) => {
    const startMs = at;
    at += pick(WINDOW_MS);
    return { action, startMs, endMs: at };
  });
  return { actions, steps };
}

const choices = (r: { min: number; max: number; step: number }) => Math.floor((r.max - r.min) / r.step) + 1;

/** Ordered draws of `n` distinct actions out of `pool`. */
const orders = (pool: number, n: number) => {
  let k = 1;
  for (let i = 0; i < n; i++) k *= pool - i;
  return k;
};

/**
 * How many distinct challenges `randomTimedActions(min, max)` can issue: orders (less those made
 * only of rigid-card actions) × still starts × windows.
 */
export function challengeSpace(min: number, max: number, pool = CHALLENGE_ACTIONS.length): number {
  let total = 0;
  for (let n = min; n <= max; n++) {
    const allowed = orders(pool, n) - orders(RIGID_CARD_ACTIONS.length, n);
    total += allowed * choices(LEAD_MS) * choices(WINDOW_MS) ** n;
  }
  return total;
}

/** A fresh timed challenge, valid for the configured time limit. */
export function newLivenessChallenge(deps: Deps, now: Date): LivenessChallenge {
  const { livenessMinActions, livenessMaxActions, livenessTimeLimitSeconds } = deps.config.flows;
  return {
    id: randomUUID(),
    ...randomTimedActions(livenessMinActions, Math.max(livenessMinActions, livenessMaxActions)),
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + livenessTimeLimitSeconds * 1000).toISOString(),
  };
}

const HOUR_MS = 3_600_000;

/**
 * Takes one challenge slot for `subject` (`flow:<id>` or `account:<id>`) or throws
 * `liveness_challenge_limit` (429) with the seconds until the oldest challenge of the hour ages out.
 */
export async function takeChallengeSlot(deps: Deps, subject: string, now: Date): Promise<void> {
  const limit = deps.config.flows.livenessChallengesPerHour;
  const since = new Date(now.getTime() - HOUR_MS);
  const taken = await sql<{ subject: string }>`
    insert into liveness_challenge_quota as q (subject, issued_at, updated_at)
    values (${subject}, array[${now}::timestamptz], ${now})
    on conflict (subject) do update
      set issued_at = array(select x from unnest(q.issued_at) x where x > ${since} order by x) || ${now}::timestamptz,
          updated_at = ${now}
      where (select count(*) from unnest(q.issued_at) x where x > ${since}) < ${limit}
    returning subject`.execute(deps.db);
  if (taken.rows.length > 0) return;
  const row = await sql<{ oldest: Date | null }>`
    select min(x) as oldest from liveness_challenge_quota q, unnest(q.issued_at) x
    where q.subject = ${subject} and x > ${since}`.execute(deps.db);
  const oldest = row.rows[0]?.oldest ? new Date(row.rows[0].oldest).getTime() : now.getTime();
  const waitMs = Math.max(1000, oldest + HOUR_MS - now.getTime());
  throw new AppError('liveness_challenge_limit', {
    details: {
      limit,
      retryAfterSeconds: Math.ceil(waitMs / 1000),
      retryAfterMinutes: Math.ceil(waitMs / 60_000),
    },
  });
}
