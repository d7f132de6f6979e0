/**
 * The job that computes a registration's evidence after submission, and the worker that runs it.
 * The face engine (about 230 MB, 0.5 s to load) is the process's face pool (face.ts): its models
 * load in a worker thread on the first job only, and the judgements never run on the event loop.
 */
import type { Deps } from '../deps';
import { JobWorker } from '../jobs/job-worker';
import { computeRegistrationEvidence } from './evidence';
import { serverFaceEngine } from './face';

export const EVIDENCE_JOB = 'registration.evidence';

export function evidenceWorker(deps: Deps): JobWorker {
  const worker = new JobWorker(
    deps,
    {
      [EVIDENCE_JOB]: async (job) => {
        const engine = serverFaceEngine();
        await engine.init();
        await computeRegistrationEvidence(deps, engine, String(job.payload.accountId));
      },
    },
    { pollMs: deps.config.jobs.pollMs, leaseSeconds: deps.config.jobs.leaseSeconds },
  );
  return worker;
}
