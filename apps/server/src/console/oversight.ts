/**
 * Supervision of the review work: the SLA dashboard (pending cases on time, at risk and breached;
 * decisions and the median working time from submission to decision per local day), each officer's
 * workload, a random sample of recent approvals for re-checking, the fraud rejections waiting for
 * a second officer, the officer list, and the review settings in force (working calendar, SLA and
 * the face engine's thresholds with their version; these change by configuration, not at run time).
 */
import { workingTimeBetween } from '@camdigikey/core/calendar/working-hours';
import { sharedFaceEngine } from '@camdigikey/face-engine';
import { sql } from 'kysely';
import { workingCalendar } from '../calendar/review-calendar';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { type Officer, reviewQueue } from './review';

const DAY_MS = 86_400_000;
const DAYS = 7;
const SAMPLE = 10;

export function requireRole(officer: Officer, ...roles: string[]): void {
  if (!roles.includes(officer.role)) throw new AppError('forbidden');
}

const median = (values: number[]) => {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function dashboard(deps: Deps) {
  const now = deps.clock.now();
  const offsetMs = deps.config.review.utcOffsetMinutes * 60_000;
  const localDay = (d: Date) => new Date(d.getTime() + offsetMs).toISOString().slice(0, 10);
  const todayStart = new Date(Math.floor((now.getTime() + offsetMs) / DAY_MS) * DAY_MS - offsetMs);
  const since = new Date(todayStart.getTime() - (DAYS - 1) * DAY_MS);
  const [queue, calendar, decided, officers, claims, sample] = await Promise.all([
    reviewQueue(deps, {}, 10_000),
    workingCalendar(deps.db, deps.config.review),
    deps.db
      .selectFrom('review_decisions')
      .innerJoin('accounts', 'accounts.id', 'review_decisions.account_id')
      .select(['review_decisions.officer_id', 'review_decisions.decided_at', 'accounts.submitted_at'])
      .where('review_decisions.decided_at', '>=', since)
      .execute(),
    deps.db
      .selectFrom('officers')
      .select(['id', 'display_name', 'role'])
      .where('status', '=', 'active')
      .orderBy('display_name')
      .execute(),
    deps.db.selectFrom('case_claims').select('officer_id').where('expires_at', '>', now).execute(),
    deps.db
      .selectFrom('review_decisions')
      .innerJoin('officers', 'officers.id', 'review_decisions.officer_id')
      .select([
        'review_decisions.account_id',
        'review_decisions.decided_at',
        'review_decisions.officer_id',
        'officers.display_name',
      ])
      .where('review_decisions.decision', '=', 'approve')
      .where('review_decisions.decided_at', '>=', since)
      .orderBy(sql`random()`)
      .limit(SAMPLE)
      .execute(),
  ]);
  const days = Array.from({ length: DAYS }, (_, i) => localDay(new Date(since.getTime() + i * DAY_MS)));
  const perDay = new Map(days.map((d) => [d, [] as number[]]));
  for (const d of decided) {
    if (!d.decided_at) continue;
    perDay
      .get(localDay(d.decided_at))
      ?.push(workingTimeBetween(d.submitted_at, d.decided_at, calendar) / 60_000);
  }
  const today = localDay(now);
  return {
    pending: queue.length,
    onTime: queue.filter((c) => c.sla === 'on_time').length,
    atRisk: queue.filter((c) => c.sla === 'at_risk').length,
    breached: queue.filter((c) => c.sla === 'breached').length,
    days: days.map((day) => {
      const minutes = perDay.get(day) ?? [];
      const m = median(minutes);
      return { day, decisions: minutes.length, medianWorkingMinutes: m === null ? null : Math.round(m) };
    }),
    workload: officers.map((o) => {
      const mine = decided.filter((d) => d.officer_id === o.id && d.decided_at);
      return {
        officerId: o.id,
        displayName: o.display_name,
        role: o.role,
        claimed: claims.filter((c) => c.officer_id === o.id).length,
        decisionsToday: mine.filter((d) => d.decided_at && localDay(d.decided_at) === today).length,
        decisions7d: mine.length,
      };
    }),
    approvalSample: sample.map((s) => ({
      accountId: s.account_id,
      decidedAt: s.decided_at?.toISOString() ?? null,
      officerId: s.officer_id,
      officerName: s.display_name,
    })),
  };
}

export async function pendingSecondOpinions(deps: Deps) {
  const rows = await deps.db
    .selectFrom('review_decisions')
    .innerJoin('officers', 'officers.id', 'review_decisions.officer_id')
    .select([
      'review_decisions.id',
      'review_decisions.account_id',
      'review_decisions.officer_id',
      'review_decisions.reason_code',
      'review_decisions.note',
      'review_decisions.created_at',
      'officers.display_name',
    ])
    .where('review_decisions.state', '=', 'awaiting_second_officer')
    .orderBy('review_decisions.created_at')
    .execute();
  return rows.map((r) => ({
    decisionId: r.id,
    accountId: r.account_id,
    officerId: r.officer_id,
    officerName: r.display_name,
    reasonCode: r.reason_code,
    note: r.note,
    createdAt: r.created_at.toISOString(),
  }));
}

export async function listOfficers(deps: Deps) {
  const rows = await deps.db
    .selectFrom('officers')
    .select(['id', 'username', 'display_name', 'role', 'status', 'locked_until', 'created_at'])
    .orderBy('username')
    .execute();
  const now = deps.clock.now();
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    status: r.status,
    locked: Boolean(r.locked_until && r.locked_until > now),
    createdAt: r.created_at.toISOString(),
  }));
}

export function reviewSettings(deps: Deps) {
  const engine = sharedFaceEngine();
  return {
    slaWorkingHours: deps.config.review.workingHours,
    workingDays: deps.config.review.workingDays,
    workingPeriods: deps.config.review.periods,
    utcOffsetMinutes: deps.config.review.utcOffsetMinutes,
    thresholds: { ...engine.thresholds },
    source: 'configuration',
  };
}
