/**
 * Resubmission of one part of a registration. An officer's `resubmit` decision (console/review.ts)
 * moves the account to `resubmission_requested` with one open request naming the part. The
 * account's registered device then:
 *
 *  1. starts the resubmission: learns the part and, for liveness, gets a fresh challenge (each
 *     start replaces the previous one, and the registration's old challenge is never accepted);
 *  2. sends that part, checked exactly as the registration step checks it (same helpers).
 *
 * The second call does everything in one transaction, or nothing: the request is consumed (only
 * once, even under concurrency), the old media of that part is deleted and the new one stored,
 * the account returns to `pending_review` with a new review deadline (8 working hours from now,
 * as at submission), the evidence job is queued again, and every step is audited. The status is
 * announced on the stream at once.
 */
import { randomUUID } from 'node:crypto';
import type { ResubmissionPart, ResubmissionStart } from '@camdigikey/contracts/resubmission';
import type { Database } from '@camdigikey/db';
import { sql, type Transaction } from 'kysely';
import { appendAudit } from '../audit/audit-log';
import { reviewDeadline } from '../calendar/review-calendar';
import type { Deps } from '../deps';
import { deviceAuditEntry, recordDeviceAudit } from '../device/device-audit';
import { AppError } from '../errors';
import { decodeDocumentPhoto } from '../flows/registration/document.steps';
import {
  checkLivenessUpload,
  type LivenessChallenge,
  type LivenessUpload,
  newLivenessChallenge,
  storeLivenessBlobs,
} from '../flows/registration/liveness.steps';
import { enqueueJob, JOBS_CHANNEL } from '../jobs/job-queue';
import { EVIDENCE_JOB } from '../proofing/evidence-jobs';
import { takeChallengeSlot } from '../proofing/liveness-challenge';
import { storeBlob } from '../uploads/blobs';
import { type AccountStatusView, changeAccountStatus } from './account-status';

export interface DeviceContext {
  accountId: string;
  deviceId: string;
  ip: string;
  requestId: string;
}

/** The request side of an audit entry (ip, request id) from a device context. */
const actorOf = (ctx: DeviceContext) => ({ ip: ctx.ip, id: ctx.requestId });

const PURPOSES: Record<ResubmissionPart, ('document_photo' | 'selfie' | 'liveness_recording')[]> = {
  document_photo: ['document_photo'],
  liveness: ['liveness_recording', 'selfie'],
};

/** The open request of an account waiting for a part, or `resubmission_not_requested`. */
async function openRequest(deps: Deps, accountId: string) {
  const row = await deps.db
    .selectFrom('accounts')
    .innerJoin('resubmission_requests', 'resubmission_requests.account_id', 'accounts.id')
    .select([
      'resubmission_requests.id',
      'resubmission_requests.part',
      'resubmission_requests.decision_id',
      'resubmission_requests.challenge',
    ])
    .where('accounts.id', '=', accountId)
    .where('accounts.status', '=', 'resubmission_requested')
    .where('resubmission_requests.completed_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new AppError('resubmission_not_requested');
  return row;
}

function requirePart(requested: ResubmissionPart, sent: ResubmissionPart) {
  if (requested !== sent) {
    throw new AppError('resubmission_part_mismatch', { details: { requestedPart: requested } });
  }
}

export async function startResubmission(deps: Deps, ctx: DeviceContext): Promise<ResubmissionStart> {
  const request = await openRequest(deps, ctx.accountId);
  const now = deps.clock.now();
  if (request.part === 'liveness') await takeChallengeSlot(deps, `resubmission:${request.id}`, now);
  const challenge = request.part === 'liveness' ? newLivenessChallenge(deps, now) : undefined;
  await deps.db.transaction().execute(async (trx) => {
    if (challenge) {
      const updated = await trx
        .updateTable('resubmission_requests')
        .set({ challenge: JSON.stringify(challenge) })
        .where('id', '=', request.id)
        .where('completed_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!updated) throw new AppError('resubmission_not_requested');
    }
    await appendAudit(
      trx,
      deviceAuditEntry(actorOf(ctx), ctx, 'resubmission.started', {
        part: request.part,
        decisionId: request.decision_id,
        ...(challenge
          ? { challengeId: challenge.id, actions: challenge.actions, steps: challenge.steps }
          : {}),
      }),
      now,
    );
  });
  return { part: request.part, messageId: `part.${request.part}`, ...(challenge ? { challenge } : {}) };
}

/**
 * Consume the request and put the account back in the queue, with `store` writing the new
 * media, all in the status change's transaction.
 */
async function complete(
  deps: Deps,
  ctx: DeviceContext,
  request: { id: string; part: ResubmissionPart; decision_id: string },
  store: (trx: Transaction<Database>, now: Date) => Promise<string[]>,
): Promise<AccountStatusView> {
  const now = deps.clock.now();
  const deadline = await reviewDeadline(deps.db, deps.config.review, now);
  const view = await changeAccountStatus(
    deps,
    ctx.accountId,
    'pending_review',
    {
      actorType: 'device',
      actorId: ctx.deviceId,
      ip: ctx.ip,
      requestId: ctx.requestId,
      reason: 'resubmission_received',
    },
    async (trx, at) => {
      const consumed = await trx
        .updateTable('resubmission_requests')
        .set({ completed_at: at })
        .where('id', '=', request.id)
        .where('completed_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!consumed) throw new AppError('resubmission_not_requested');
      await trx
        .updateTable('accounts')
        .set({
          review_deadline: deadline,
          decided_at: null,
          // The officer sees which part came again (and can filter the queue by it).
          review_flags: sql`${sql.ref('review_flags')} || ${JSON.stringify([
            { type: 'resubmitted', part: request.part, decisionId: request.decision_id },
          ])}::jsonb`,
        })
        .where('id', '=', ctx.accountId)
        .execute();
      const replaced = await trx
        .deleteFrom('blobs')
        .where('owner_type', '=', 'account')
        .where('owner_id', '=', ctx.accountId)
        .where('purpose', 'in', PURPOSES[request.part])
        .returning('id')
        .execute();
      const stored = await store(trx, at);
      await trx.deleteFrom('case_claims').where('account_id', '=', ctx.accountId).execute();
      const jobId = await enqueueJob(trx, EVIDENCE_JOB, { accountId: ctx.accountId }, at);
      await appendAudit(
        trx,
        deviceAuditEntry(actorOf(ctx), ctx, 'resubmission.completed', {
          part: request.part,
          decisionId: request.decision_id,
          reviewDeadline: deadline.toISOString(),
          replacedBlobs: replaced.map((r) => r.id),
          storedBlobs: stored,
          jobId,
        }),
        at,
      );
    },
  );
  await deps.hot.publish(JOBS_CHANNEL, EVIDENCE_JOB);
  return view;
}

/** Record a refused attempt (wrong part, nothing pending) in the audit log, outside any transaction. */
async function auditRefusal(deps: Deps, ctx: DeviceContext, part: ResubmissionPart, error: unknown) {
  if (!(error instanceof AppError)) return;
  await recordDeviceAudit(deps, actorOf(ctx), ctx, 'resubmission.refused', {
    part,
    reason: error.code,
  }).catch((err: unknown) => deps.logger.warn({ err }, 'audit of a refused resubmission failed'));
}

export async function resubmitDocumentPhoto(
  deps: Deps,
  ctx: DeviceContext,
  body: { photo: string },
): Promise<AccountStatusView> {
  try {
    const request = await openRequest(deps, ctx.accountId);
    requirePart(request.part, 'document_photo');
    const photo = await decodeDocumentPhoto(deps, body.photo);
    return await complete(deps, ctx, request, async (trx, now) => {
      const id = randomUUID();
      await storeBlob(trx, deps.envelope, {
        id,
        ownerType: 'account',
        ownerId: ctx.accountId,
        purpose: 'document_photo',
        mediaType: photo.mediaType,
        bytes: photo.bytes,
        now,
      });
      return [id];
    });
  } catch (error) {
    await auditRefusal(deps, ctx, 'document_photo', error);
    throw error;
  }
}

export async function resubmitLiveness(
  deps: Deps,
  ctx: DeviceContext,
  body: LivenessUpload,
): Promise<AccountStatusView> {
  try {
    const request = await openRequest(deps, ctx.accountId);
    requirePart(request.part, 'liveness');
    const challenge = (request.challenge ?? undefined) as LivenessChallenge | undefined;
    const upload = await checkLivenessUpload(deps, challenge, body, deps.clock.now());
    return await complete(deps, ctx, request, async (trx, now) => {
      const ids = { recordingBlobId: randomUUID(), selfieBlobId: randomUUID() };
      await storeLivenessBlobs(trx, deps, { ownerType: 'account', ownerId: ctx.accountId, now }, upload, ids);
      return [ids.recordingBlobId, ids.selfieBlobId];
    });
  } catch (error) {
    await auditRefusal(deps, ctx, 'liveness', error);
    throw error;
  }
}
