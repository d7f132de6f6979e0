/**
 * The worker role (SERVER_ROLE=worker, or all): the background work of the platform, in any
 * number of processes sharing the database and Redis. It runs the evidence jobs (when
 * EVIDENCE_WORKER is on; the face engine and the MRZ reader are loaded by the first job, so only
 * these processes ever hold them), the scheduled clean-ups, and the database-derived metrics.
 * It sends the queued SMS and e-mail (notify/notification-jobs.ts). In the `all` role the web
 * app starts the evidence and notification workers itself (http/app.ts) and this adds the rest.
 */
import type { Deps } from '../deps';
import { notificationWorker } from '../notify/notification-jobs';
import { registerDatabaseMetrics } from '../observability/sql-metrics';
import { evidenceWorker } from '../proofing/evidence-jobs';
import { scheduleCleanUps } from './maintenance';

const CLEAN_UP_EVERY_MS = 10 * 60_000;

export interface Background {
  stop(): Promise<void>;
}

export async function startBackground(
  deps: Deps,
  options: { evidence: boolean; notifications?: boolean },
): Promise<Background> {
  registerDatabaseMetrics(deps);
  const evidence = options.evidence ? evidenceWorker(deps) : undefined;
  await evidence?.start();
  const notifications = options.notifications ? notificationWorker(deps, deps.sendMessage) : undefined;
  await notifications?.start();
  const cleanUps = scheduleCleanUps(deps, CLEAN_UP_EVERY_MS);
  return {
    async stop() {
      await cleanUps.stop();
      await Promise.all([evidence?.stop(), notifications?.stop()]);
    },
  };
}
