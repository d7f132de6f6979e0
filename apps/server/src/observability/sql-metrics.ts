/**
 * Metrics read from the database, registered only in processes that run the worker role (so N
 * web instances do not each run the same counting queries): registrations by state, the job
 * queue (depth by kind and state, age of the oldest due job), the review SLA (cases at risk and
 * breached on the working-hours clock), and what expires (the platform CA, its subordinate and
 * the token signer; the earliest relying-party client certificate; the age of the OIDC signing
 * keys). The queries run at scrape time; every one is an index scan or a small table, except the
 * registration count, which is cached for a minute (a national `accounts` table is large).
 */
import { sql } from 'kysely';
import { Gauge } from 'prom-client';
import { platformKeys } from '../client-api/platform-keys';
import { reviewQueue } from '../console/review';
import type { Deps } from '../deps';
import { expiries } from './expiries';

const REGISTRATION_CACHE_MS = 60_000;

export function registerDatabaseMetrics(deps: Deps): void {
  const registry = deps.metrics.registry;
  const log = (what: string) => (err: unknown) => deps.logger.warn({ err }, `metrics: ${what} failed`);

  let registrations: { at: number; rows: { status: string; n: number }[] } | undefined;
  new Gauge({
    name: 'cdk_accounts',
    help: 'Accounts (registrations) by status: pending_review, resubmission_requested, active, rejected, locked, suspended. Cached for a minute.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      // A cache age, not a date: the monotonic clock.
      const now = performance.now();
      if (!registrations || now - registrations.at > REGISTRATION_CACHE_MS) {
        const rows = await deps.db
          .selectFrom('accounts')
          .select(['status', sql<number>`count(*)::int`.as('n')])
          .groupBy('status')
          .execute()
          .catch(log('accounts'));
        if (rows) registrations = { at: now, rows };
      }
      this.reset();
      for (const r of registrations?.rows ?? []) this.set({ status: r.status }, r.n);
    },
  });

  new Gauge({
    name: 'cdk_jobs',
    help: 'Background jobs by kind and state (queued, running, failed; done jobs are not counted).',
    labelNames: ['kind', 'state'],
    registers: [registry],
    async collect() {
      const rows = await deps.db
        .selectFrom('jobs')
        .select(['kind', 'state', sql<number>`count(*)::int`.as('n')])
        .where('state', 'in', ['queued', 'running', 'failed'])
        .groupBy(['kind', 'state'])
        .execute()
        .catch(log('jobs'));
      this.reset();
      for (const r of rows ?? []) this.set({ kind: r.kind, state: r.state }, r.n);
    },
  });

  new Gauge({
    name: 'cdk_job_queue_age_seconds',
    help: 'Age of the oldest job that is due and not yet claimed, by kind (0 when none waits).',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const now = deps.clock.now();
      const rows = await deps.db
        .selectFrom('jobs')
        .select(['kind', sql<Date>`min(run_after)`.as('oldest')])
        .where('state', '=', 'queued')
        .where('run_after', '<=', now)
        .groupBy('kind')
        .execute()
        .catch(log('job queue age'));
      this.reset();
      for (const r of rows ?? []) {
        this.set({ kind: r.kind }, Math.max(0, (now.getTime() - new Date(r.oldest).getTime()) / 1000));
      }
    },
  });

  new Gauge({
    name: 'cdk_review_cases',
    help: 'Registrations waiting for an officer, by SLA status on the working-hours clock (on_time, at_risk, breached).',
    labelNames: ['sla'],
    registers: [registry],
    async collect() {
      const queue = await reviewQueue(deps, {}, 100_000).catch(log('review queue'));
      if (!queue) return;
      const counts = { on_time: 0, at_risk: 0, breached: 0 } as Record<string, number>;
      for (const c of queue) counts[c.sla] = (counts[c.sla] ?? 0) + 1;
      for (const [sla, n] of Object.entries(counts)) this.set({ sla }, n);
    },
  });

  new Gauge({
    name: 'cdk_certificate_expiry_seconds',
    help: 'Seconds until a certificate expires: the client-API platform root CA, subordinate CA and token signer, and the earliest relying-party client certificate. Alert well before 0.',
    labelNames: ['certificate'],
    registers: [registry],
    async collect() {
      const now = deps.clock.now().getTime();
      const keys = await platformKeys(deps).catch(log('platform keys'));
      if (keys) {
        for (const [name, cert] of [
          ['platform_root_ca', keys.root.certificate],
          ['platform_sub_ca', keys.subCa.certificate],
          ['token_signer', keys.signer.certificate],
        ] as const) {
          this.set({ certificate: name }, (Date.parse(cert.validTo) - now) / 1000);
        }
      }
      const earliest = await deps.db
        .selectFrom('api_clients')
        .select(sql<Date | null>`min(certificate_not_after)`.as('notAfter'))
        .executeTakeFirst()
        .catch(log('client certificates'));
      if (earliest?.notAfter)
        this.set({ certificate: 'earliest_client' }, (new Date(earliest.notAfter).getTime() - now) / 1000);
    },
  });

  new Gauge({
    name: 'cdk_expiring_items',
    help: "Certificates and keys by warning level, as the administrator's console shows them: ok, warning (under 30 days left), critical (under 7 days), expired. Signing keys count from their yearly rotation date.",
    labelNames: ['level'],
    registers: [registry],
    async collect() {
      const counts: Record<string, number> = { ok: 0, warning: 0, critical: 0, expired: 0 };
      for (const item of await expiries(deps)) counts[item.level] = (counts[item.level] ?? 0) + 1;
      for (const [level, n] of Object.entries(counts)) this.set({ level }, n);
    },
  });

  new Gauge({
    name: 'cdk_signing_key_age_seconds',
    help: 'Age of the active OpenID Connect signing key per algorithm (rotate on the schedule in docs/operations.md).',
    labelNames: ['alg'],
    registers: [registry],
    async collect() {
      const now = deps.clock.now().getTime();
      const rows = await deps.db
        .selectFrom('signing_keys')
        .select(['alg', sql<Date>`max(created_at)`.as('created')])
        .where('retired_at', 'is', null)
        .groupBy('alg')
        .execute()
        .catch(log('signing keys'));
      for (const r of rows ?? []) this.set({ alg: r.alg }, (now - new Date(r.created).getTime()) / 1000);
    },
  });
}
