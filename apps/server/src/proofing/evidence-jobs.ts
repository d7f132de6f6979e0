/**
 * The job that computes a registration's evidence after submission, and the worker that runs it.
 * The face engine (about 230 MB, 0.5 s to load) is the process-wide one (tfjs is a process
 * singleton), loaded on the first job only and released when the process ends.
 */
import { sharedFaceEngine } from '@camdigikey/face-engine';
import type { Deps } from '../deps';
import { JobWorker } from '../jobs/job-worker';
import { computeRegistrationEvidence } from './evidence';

export const EVIDENCE_JOB = 'registration.evidence';

export function evidenceWorker(deps: Deps): JobWorker {
  const worker = new JobWorker(
    deps,
    {
      [EVIDENCE_JOB]: async (job) => {
        const engine = sharedFaceEngine();
        await engine.init();
        await computeRegistrationEvidence(deps, engine, String(job.payload.accountId));
      },
    },
    { pollMs: deps.config.jobs.pollMs, leaseSeconds: deps.config.jobs.leaseSeconds },
  );
  return worker;
}
