// Liveness challenges: their entropy (at least 1,000 distinct challenges, counted and sampled),
// their shape (3-5 distinct measurable actions, random still start and windows, never blink) and
// the hourly quota (3 per flow in any sliding hour, decided and counted in one statement, also
// under concurrent requests; the answer says how long to wait; a new challenge does not reset it).
import { createTestDatabase, type TestDatabase } from '@camdigikey/testkit/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import {
  CHALLENGE_ACTIONS,
  challengeSpace,
  LEAD_MS,
  RIGID_CARD_ACTIONS,
  randomTimedActions,
  takeChallengeSlot,
  WINDOW_MS,
} from './liveness-challenge';

describe('challenge entropy', () => {
  it('can issue far more than 1,000 distinct challenges (orders alone: 8,736)', () => {
    expect(challengeSpace(3, 5, CHALLENGE_ACTIONS.length)).toBeGreaterThan(1_000_000);
    // Without the timings, the orders of 3 to 5 distinct actions out of 8 still exceed 1,000.
    const orders = [3, 4, 5].reduce((sum, n) => {
      let k = 1;
      for (let i = 0; i < n; i++) k *= 8 - i;
      return sum + k;
    }, 0);
    expect(orders).toBe(8736);
  });

  it('always asks at least one action a flat photo moved as a rigid card cannot do', () => {
    for (let i = 0; i < 2000; i++) {
      const { actions } = randomTimedActions(3, 3);
      expect(actions.some((a) => !RIGID_CARD_ACTIONS.includes(a))).toBe(true);
    }
  });

  it('draws 3-5 distinct measurable actions with random windows; 3,000 draws give over 1,000 distinct', () => {
    const seen = new Set<string>();
    const lengths = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      const { actions, steps } = randomTimedActions(3, 5);
      expect(new Set(actions).size).toBe(actions.length);
      expect(actions.every((a) => CHALLENGE_ACTIONS.includes(a))).toBe(true);
      expect(actions).not.toContain('blink');
      expect(steps.map((s) => s.action)).toEqual(actions);
      expect(steps[0]!.startMs).toBeGreaterThanOrEqual(LEAD_MS.min);
      expect(steps[0]!.startMs).toBeLessThanOrEqual(LEAD_MS.max);
      for (const [k, s] of steps.entries()) {
        expect(s.endMs - s.startMs).toBeGreaterThanOrEqual(WINDOW_MS.min);
        expect(s.endMs - s.startMs).toBeLessThanOrEqual(WINDOW_MS.max);
        if (k > 0) expect(s.startMs).toBe(steps[k - 1]!.endMs);
      }
      lengths.add(actions.length);
      seen.add(JSON.stringify(steps));
    }
    expect([...lengths].sort()).toEqual([3, 4, 5]);
    expect(seen.size).toBeGreaterThan(1000);
    // Every action is drawn.
    const drawn = new Set(
      [...seen].flatMap((s) => (JSON.parse(s) as { action: string }[]).map((x) => x.action)),
    );
    expect(drawn).toEqual(new Set(CHALLENGE_ACTIONS));
  });
});

describe('challenge quota', () => {
  let t: TestDatabase;
  let deps: Deps;
  beforeAll(async () => {
    t = await createTestDatabase();
    deps = { db: t.db, config: { flows: { livenessChallengesPerHour: 3 } } } as unknown as Deps;
  });
  afterAll(async () => t?.close());
  const at = (minutes: number) => new Date(Date.parse('2026-03-02T03:00:00Z') + minutes * 60_000);
  const refused = async (subject: string, now: Date) => {
    const e = await takeChallengeSlot(deps, subject, now).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  };

  it('allows 3 an hour, then 429 with the wait until the oldest ages out (sliding hour)', async () => {
    await takeChallengeSlot(deps, 'flow:a', at(0));
    await takeChallengeSlot(deps, 'flow:a', at(10));
    await takeChallengeSlot(deps, 'flow:a', at(20));
    const e = await refused('flow:a', at(30));
    expect(e.code).toBe('liveness_challenge_limit');
    expect(e.details).toMatchObject({ limit: 3, retryAfterSeconds: 30 * 60, retryAfterMinutes: 30 });
    // A refused request does not count; at 60 minutes the first one has aged out, only that one.
    await takeChallengeSlot(deps, 'flow:a', at(60.01));
    expect((await refused('flow:a', at(65))).details).toMatchObject({ retryAfterMinutes: 5 });
    // Other flows have their own count.
    await takeChallengeSlot(deps, 'flow:b', at(30));
  });

  it('lets exactly 3 of 12 concurrent requests through', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => takeChallengeSlot(deps, 'flow:race', at(0))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results.filter((x) => x.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'liveness_challenge_limit' });
  });
});
