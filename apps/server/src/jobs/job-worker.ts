/**
 * Runs queued jobs in the server process: woken at once by the hot-state bus when a job is
 * enqueued (on any instance), and by a slow poll otherwise (for retries and expired leases).
 * One job at a time per instance; handlers must be idempotent (a job can run again after a crash).
 * Any number of processes may run one: `claimJob` hands each due job to exactly one of them
 * (`FOR UPDATE SKIP LOCKED`), so N workers share the PostgreSQL queue without double work.
 */
import type { Deps } from '../deps';
import { workContext } from '../observability/context';
import { SPAN_KIND } from '../observability/tracing';
import { type ClaimedJob, claimJob, completeJob, failJob, JOBS_CHANNEL } from './job-queue';

export type JobHandler = (job: ClaimedJob) => Promise<void>;

export class JobWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'hot' | 'clock' | 'logger' | 'metrics' | 'tracer'>,
    private readonly handlers: Record<string, JobHandler>,
    private readonly options: { pollMs: number; leaseSeconds: number },
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.deps.hot.subscribe(JOBS_CHANNEL, () => this.wake());
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Run jobs until none is due. */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const job = await claimJob(
        this.deps.db,
        this.deps.clock.now(),
        this.options.leaseSeconds,
        Object.keys(this.handlers),
      ).catch((err: unknown) => {
        this.deps.logger.error({ err }, 'job claim failed');
        return undefined;
      });
      if (!job) return;
      const handler = this.handlers[job.kind];
      // With tracing on, each job is a trace of its own; its database statements are under it.
      const span = this.deps.tracer?.enabled
        ? this.deps.tracer.start(
            `job ${job.kind}`,
            SPAN_KIND.internal,
            { 'job.id': job.id, 'job.kind': job.kind },
            null,
          )
        : undefined;
      const context = {
        jobId: job.id,
        ...(span ? { span: { traceId: span.traceId, spanId: span.spanId } } : {}),
      };
      try {
        if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
        await workContext.run(context, () => this.deps.metrics.timeJob(job.kind, () => handler(job)));
        span?.end({ 'job.attempt': job.attempts });
        await completeJob(this.deps.db, job.id, this.deps.clock.now());
        this.deps.logger.info({ jobId: job.id, kind: job.kind }, 'job done');
      } catch (err) {
        span?.end({ 'job.attempt': job.attempts }, { error: true });
        this.deps.logger.warn({ err, jobId: job.id, kind: job.kind, attempt: job.attempts }, 'job failed');
        await failJob(
          this.deps.db,
          job,
          err instanceof Error ? err.message : String(err),
          this.deps.clock.now(),
        );
      }
    }
  }

  /**
   * Run every job due when called (and queued before): a drain already under way may have made
   * its last claim before that job was committed, so a second drain follows it.
   */
  async settle(): Promise<void> {
    await this.wake();
    await this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.unsubscribe?.();
    await this.running;
  }
}
