/**
 * Scheduled clean-ups, run by the worker role: rows whose purpose has ended are deleted in
 * bounded batches, so the hot tables stay small at national volume. What goes:
 *  - OpenID Connect payloads (sessions, codes…) expired for more than an hour, interactions (one
 *    per authorization request) as soon as they expire (the web instances also sweep now and
 *    then as they write; oidc/pg-adapter.ts);
 *  - cross-device login requests a day after they expired (the audit log keeps every login);
 *  - finished jobs after 30 days (failed jobs stay for an operator to look at);
 *  - expired hot-state rows (counters, one-time values, claims) kept in the database when no
 *    Redis is configured (migration 0022): a counter row expires after the window that follows
 *    its own, a one-time value or claim at its own expiry, so nothing still counted goes;
 *  - client credential attempt rows (client id, source address; migration 0025) whose window and
 *    lock have passed: unlocked (or lock over) and the window started more than a day ago, the
 *    longest CLIENT_AUTH_LOCK_SECONDS, so such a row counts nothing any more whatever the setting.
 * Several workers may run it at once: a transaction-scoped advisory lock lets one of them do a
 * round while the others skip it, and every delete is idempotent anyway.
 */
import { sql } from 'kysely';
import type { Deps } from '../deps';
import { sweepExpiredPayloads } from '../oidc/pg-adapter';
import { providerNow } from '../oidc/provider-time';

const LOCK_KEY = 0x63646b01; // "cdk" + 1: the clean-up round
const BATCH = 5000;
const HOUR = 3_600_000;
/** The longest window/lock CLIENT_AUTH_LOCK_SECONDS allows (config/schema.ts). */
const CLIENT_AUTH_WINDOW_MAX = 24 * HOUR;

export interface CleanupReport {
  ran: boolean;
  oidcPayloads: number;
  loginRequests: number;
  jobs: number;
  hotCounters: number;
  hotOnce: number;
  clientAuthAttempts: number;
}

export async function cleanUpOnce(deps: Pick<Deps, 'db' | 'clock'>): Promise<CleanupReport> {
  const now = deps.clock.now().getTime();
  return deps.db.transaction().execute(async (trx) => {
    const lock = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${LOCK_KEY}) as ok`.execute(trx);
    if (!lock.rows[0]?.ok)
      return {
        ran: false,
        oidcPayloads: 0,
        loginRequests: 0,
        jobs: 0,
        hotCounters: 0,
        hotOnce: 0,
        clientAuthAttempts: 0,
      };
    // The provider's records carry its own time (oidc/provider-time.ts) and are judged on it.
    const oidc = await sweepExpiredPayloads(trx, providerNow(), BATCH);
    const logins = await sql`
      delete from login_requests where id in (
        select id from login_requests where expires_at < ${new Date(now - 24 * HOUR)} limit ${BATCH})`.execute(
      trx,
    );
    const jobs = await sql`
      delete from jobs where id in (
        select id from jobs where state = 'done' and updated_at < ${new Date(now - 30 * 24 * HOUR)}
        limit ${BATCH})`.execute(trx);
    const counters = await sql`
      delete from hot_counters where ctid in (
        select ctid from hot_counters where expires_at <= ${new Date(now)} limit ${BATCH})`.execute(trx);
    const once = await sql`
      delete from hot_once where ctid in (
        select ctid from hot_once where expires_at <= ${new Date(now)} limit ${BATCH})`.execute(trx);
    const clientAuth = await sql`
      delete from client_auth_attempts where ctid in (
        select ctid from client_auth_attempts
         where window_started_at <= ${new Date(now - CLIENT_AUTH_WINDOW_MAX)}
           and (locked_until is null or locked_until <= ${new Date(now)})
         limit ${BATCH})`.execute(trx);
    return {
      ran: true,
      oidcPayloads: oidc,
      loginRequests: Number(logins.numAffectedRows ?? 0),
      jobs: Number(jobs.numAffectedRows ?? 0),
      hotCounters: Number(counters.numAffectedRows ?? 0),
      hotOnce: Number(once.numAffectedRows ?? 0),
      clientAuthAttempts: Number(clientAuth.numAffectedRows ?? 0),
    };
  });
}

/** Runs the clean-up every `everyMs` (and once shortly after start) until stopped. */
export function scheduleCleanUps(deps: Deps, everyMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const round = () => {
    if (stopped) return;
    running = cleanUpOnce(deps)
      .then((report) => {
        if (
          report.oidcPayloads +
            report.loginRequests +
            report.jobs +
            report.hotCounters +
            report.hotOnce +
            report.clientAuthAttempts >
          0
        )
          deps.logger.info({ cleanUp: report }, 'clean-up round');
      })
      .catch((err: unknown) => deps.logger.warn({ err }, 'clean-up round failed'));
  };
  const first = setTimeout(round, Math.min(everyMs, 30_000));
  const timer = setInterval(round, everyMs);
  first.unref();
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
