/**
 * SMS and e-mail go out through the PostgreSQL job queue (issue 15, item 2): a web instance only
 * queues the rendered message (in the caller's transaction when it has one) and never waits on
 * an SMTP server or an SMS gateway; a worker (SERVER_ROLE worker, or all in-process) sends it,
 * exactly once per job (`claimJob`, FOR UPDATE SKIP LOCKED), retried with backoff on failure.
 *
 * The queued message holds an address and, for a code, the code itself: it is sealed with the
 * data KEK (envelope encryption, context bound to a random reference), never stored in clear.
 * Web Push is not queued: it stays synchronous (push/push.ts), latency-critical for QR login.
 */
import { randomUUID } from 'node:crypto';
import type { Envelope } from '../crypto/envelope';
import type { Deps } from '../deps';
import type { HotState } from '../infra/hot-state';
import { type Executor, enqueueJob, JOBS_CHANNEL } from '../jobs/job-queue';
import { JobWorker } from '../jobs/job-worker';
import type { Clock } from '../ports/clock';
import type { Dispatch, OutgoingMessage } from '../ports/notifier';

export const NOTIFY_JOB = 'notify.message';
/** 5 tries: 10 s, 20 s, 40 s, 80 s apart (failJob's backoff), inside a code's 5-minute life. */
const MAX_ATTEMPTS = 5;
const context = (ref: string) => `notify:${ref}`;

/** Wake the workers of every instance (best effort: their poll finds the job anyway). */
export async function wakeNotificationWorkers(hot: HotState): Promise<void> {
  await hot.publish(JOBS_CHANNEL, NOTIFY_JOB).catch(() => undefined);
}

/**
 * Queue a message. Without an executor it commits at once and wakes the workers; with a
 * transaction the caller wakes them (`wakeNotificationWorkers`) after its commit, since a worker
 * woken earlier would not see the job yet.
 */
export function queuedDispatch(deps: {
  db: Executor;
  envelope: Envelope;
  clock: Clock;
  hot: HotState;
}): Dispatch {
  return async (message, db) => {
    const ref = randomUUID();
    await enqueueJob(
      db ?? deps.db,
      NOTIFY_JOB,
      {
        ref,
        channel: message.channel,
        message: deps.envelope.sealText(JSON.stringify(message), context(ref)),
      },
      deps.clock.now(),
      MAX_ATTEMPTS,
    );
    if (!db) await wakeNotificationWorkers(deps.hot);
  };
}

export class NotificationError extends Error {
  override name = 'NotificationError';
  constructor(channel: OutgoingMessage['channel'], cause: unknown) {
    const { name, code, responseCode } = (cause ?? {}) as {
      name?: unknown;
      code?: unknown;
      responseCode?: unknown;
    };
    const kind = [name, code, responseCode].filter((p) => typeof p === 'string' || typeof p === 'number');
    super(`${channel} not sent (${kind.join(' ') || 'error'})`);
  }
}

/** The worker that sends queued messages through `send` (the SMS and e-mail ports). */
export function notificationWorker(deps: Deps, send: Dispatch): JobWorker {
  return new JobWorker(
    deps,
    {
      [NOTIFY_JOB]: async (job) => {
        const ref = String(job.payload.ref);
        const message = JSON.parse(
          deps.envelope.openText(String(job.payload.message), context(ref)),
        ) as OutgoingMessage;
        try {
          await send(message);
        } catch (cause) {
          // An SMTP server's answer may quote the address: the job's `last_error` and the log
          // keep only the kind of failure.
          throw new NotificationError(message.channel, cause);
        }
      },
    },
    // A short lease: a worker that died mid-send is replaced within a minute, not five.
    { pollMs: deps.config.jobs.pollMs, leaseSeconds: Math.min(60, deps.config.jobs.leaseSeconds) },
  );
}
