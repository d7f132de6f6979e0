/**
 * Consent and submission (user guide 1.9–1.10). Submission creates, in one transaction, the
 * account in `pending_review` with its review deadline (8 working hours on the Cambodian
 * calendar), the device, the Face ID credential, the consent record, and hands the flow's
 * encrypted media to the account. A unique index makes a document, phone or e-mail impossible
 * to register twice even under concurrency; any failure rolls everything back.
 */
import { randomUUID } from 'node:crypto';
import { publishAccountStatus } from '../../accounts/account-status';
import { insertAccount } from '../../accounts/create-account';
import { reviewDeadline } from '../../calendar/review-calendar';
import type { Deps } from '../../deps';
import { AppError, fieldIssue } from '../../errors';
import { enqueueJob, JOBS_CHANNEL } from '../../jobs/job-queue';
import { EVIDENCE_JOB } from '../../proofing/evidence-jobs';
import { CONSENT_PURPOSE, CONSENT_VERSION } from './consent';
import { sealContext, submittedFlowData } from './flow-data';
import { loadFlow, type RegistrationFlow, type RequestContext, saveFlow } from './flow-store';

export async function acceptConsent(
  deps: Deps,
  flowId: string,
  body: { accepted: boolean; consentVersion: string },
  ctx: RequestContext,
): Promise<RegistrationFlow> {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'accept_consent');
  if (!body.accepted)
    throw new AppError('consent_required', { fields: [fieldIssue('accepted', 'consent_required')] });
  if (body.consentVersion !== CONSENT_VERSION) {
    throw new AppError('consent_version_outdated', { details: { currentVersion: CONSENT_VERSION } });
  }
  const acceptedAt = deps.clock.now().toISOString();
  return saveFlow(deps, flow, {
    action: 'accept_consent',
    state: 'awaiting_submission',
    data: { ...flow.data, consent: { version: CONSENT_VERSION, acceptedAt, language: flow.language } },
    ctx,
    audit: { consentVersion: CONSENT_VERSION },
  });
}

const UNIQUE_VIOLATION = '23505';

export async function submitRegistration(
  deps: Deps,
  flowId: string,
  jwk: Record<string, unknown>,
  ctx: RequestContext,
) {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'submit');
  const { phone, email, pinVerifier, faceId, liveness, document, details, consent } = flow.data;
  if (
    !phone?.verified ||
    !email?.verified ||
    !pinVerifier ||
    !faceId ||
    faceId.status === 'pending' ||
    !liveness?.recordingBlobId ||
    !document ||
    !details?.complete ||
    !consent
  ) {
    throw new AppError('registration_incomplete');
  }
  const submittedAt = deps.clock.now();
  const deadline = await reviewDeadline(deps.db, deps.config.review, submittedAt);
  const accountId = randomUUID();
  const documentNumber = deps.envelope.openText(
    document.documentNumberSealed,
    sealContext.mrzDocumentNumber(flow.id),
  );
  const mrzText = deps.envelope.openText(document.mrzSealed, sealContext.mrz(flow.id));
  const reviewFlags: unknown[] = [];
  if (details.mrzMismatches.length > 0)
    reviewFlags.push({ type: 'mrz_mismatch', fields: details.mrzMismatches });

  try {
    const saved = await saveFlow(deps, flow, {
      action: 'submit',
      state: 'submitted',
      // The personal data is the account's now (sealed there): the flow keeps none of it.
      data: submittedFlowData(flow.data),
      accountId,
      ctx,
      audit: { accountId, reviewDeadline: deadline.toISOString(), flags: reviewFlags.length },
      also: async (trx, now) => {
        await insertAccount(
          trx,
          deps,
          {
            id: accountId,
            status: 'pending_review',
            language: flow.language,
            phoneE164: phone.e164,
            email: email.address,
            khmerSurname: details.khmerSurname ?? null,
            khmerGivenName: details.khmerGivenName ?? null,
            latinSurname: details.latinSurname!,
            latinGivenName: details.latinGivenName!,
            gender: details.gender!,
            birthDate: details.birthDate!,
            nationality: document.nationality,
            documentType: document.documentType,
            issuingState: document.issuingState,
            documentNumber,
            issueDate: details.issueDate ?? null,
            expiryDate: details.expiryDate!,
            mrz: mrzText,
            reviewFlags,
            pinVerifier,
            submittedAt: now,
            reviewDeadline: deadline,
            device: { thumbprint: flow.deviceThumbprint, jwk },
            ...(faceId.status === 'registered'
              ? {
                  faceId: {
                    credentialId: faceId.credentialId,
                    publicKey: Buffer.from(faceId.publicKey, 'base64url'),
                    counter: faceId.counter,
                    transports: faceId.transports,
                  },
                }
              : {}),
            consent: {
              purpose: CONSENT_PURPOSE,
              version: consent.version,
              language: consent.language,
              acceptedAt: new Date(consent.acceptedAt),
            },
          },
          now,
        );
        await enqueueJob(trx, EVIDENCE_JOB, { accountId }, now);
        await trx
          .updateTable('blobs')
          .set({ owner_type: 'account', owner_id: accountId })
          .where('owner_type', '=', 'flow')
          .where('owner_id', '=', flow.id)
          .execute();
      },
    });
    await publishAccountStatus(deps, accountId);
    await deps.hot.publish(JOBS_CHANNEL, EVIDENCE_JOB);
    // This answer still shows what was submitted; the stored flow no longer holds it.
    return {
      flow: { ...saved, data: flow.data },
      account: { id: accountId, status: 'pending_review', reviewDeadline: deadline },
    };
  } catch (error) {
    const pgError = error as { code?: string; constraint?: string; message?: string };
    if (pgError.code === UNIQUE_VIOLATION || /duplicate key/.test(pgError.message ?? '')) {
      const constraint = `${pgError.constraint ?? ''} ${pgError.message ?? ''}`;
      if (constraint.includes('document'))
        throw new AppError('document_already_registered', { cause: error });
      throw new AppError('conflict', { cause: error });
    }
    throw error;
  }
}
