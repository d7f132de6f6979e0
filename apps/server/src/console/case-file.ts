/**
 * What an officer sees of one registration: the citizen's form next to the MRZ the app read and
 * the civil register's record (looked up live, so the officer sees the register as it is now),
 * every piece of evidence with the thresholds it was judged against, the decisions, the account's
 * history from the audit log, and the media (document photo, selfie, liveness recording with its
 * challenge, registry portrait). Opening a case or its media is itself audited: officers see
 * personal data only for a reason the log can show.
 */
import { parseIdentityMrz } from '@camdigikey/core/identity/mrz';
import { sql } from 'kysely';
import { openPersonal } from '../accounts/personal-data';
import { recordAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { sealContext } from '../flows/registration/flow-data';
import { RegistryUnavailable } from '../ports/civil-registry';
import { readBlob, unpackRecording } from '../uploads/blobs';
import type { Officer } from './review';

export const MEDIA_KINDS = ['document_photo', 'selfie', 'liveness', 'registry_portrait'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

interface Ctx {
  ip: string;
  requestId: string;
}

const viewed = (
  deps: Deps,
  officer: Officer,
  accountId: string,
  ctx: Ctx,
  details: Record<string, unknown>,
) =>
  recordAudit(
    deps.db,
    {
      actorType: 'officer',
      actorId: officer.id,
      action: 'review.case_viewed',
      subjectType: 'account',
      subjectId: accountId,
      ip: ctx.ip,
      requestId: ctx.requestId,
      details,
    },
    deps.clock.now(),
  );

async function accountOf(deps: Deps, accountId: string) {
  const account = await deps.db
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!account) throw new AppError('not_found');
  return account;
}

async function registryRecord(deps: Deps, account: Awaited<ReturnType<typeof accountOf>>, number: string) {
  if (!deps.registry || account.document_type !== 'id_card' || account.document_issuing_state !== 'KHM')
    return { registry: null, registryStatus: 'not_applicable' as const };
  try {
    const record = await deps.registry.lookup(number);
    if (!record) return { registry: null, registryStatus: 'not_found' as const };
    const { portrait, ...fields } = record;
    return { registry: { ...fields, hasPortrait: Boolean(portrait) }, registryStatus: 'found' as const };
  } catch (error) {
    if (error instanceof RegistryUnavailable)
      return { registry: null, registryStatus: 'unavailable' as const };
    throw error;
  }
}

/** The MRZ's fields under the form's names, for the officer's side-by-side comparison. */
function mrzFieldsOf(text: string, today: Date): Record<string, string> | null {
  const parsed = parseIdentityMrz(text, { today });
  if (!parsed.ok) return null;
  const m = parsed.value;
  return {
    latinSurname: m.surname,
    latinGivenName: m.givenNames,
    gender: m.sex,
    birthDate: m.birthDate,
    nationality: m.nationality,
    documentType: m.documentType,
    documentNumber: m.documentNumber,
    expiryDate: m.expiryDate,
  };
}

export async function caseFile(deps: Deps, officer: Officer, accountId: string, ctx: Ctx) {
  const a = await accountOf(deps, accountId);
  const documentNumber = deps.envelope.openText(
    a.document_number_enc,
    sealContext.accountDocumentNumber(a.id),
  );
  const mrzText = deps.envelope.openText(a.mrz_enc, sealContext.accountMrz(a.id));
  const personal = openPersonal(deps.envelope, a);
  const [evidence, decisions, history, media, registry] = await Promise.all([
    deps.db.selectFrom('evidence').selectAll().where('account_id', '=', accountId).orderBy('kind').execute(),
    deps.db
      .selectFrom('review_decisions')
      .leftJoin('officers', 'officers.id', 'review_decisions.officer_id')
      .selectAll('review_decisions')
      .select('officers.display_name as officer_name')
      .where('account_id', '=', accountId)
      .orderBy('review_decisions.created_at')
      .execute(),
    deps.db
      .selectFrom('audit_events')
      .select(['seq', 'occurred_at', 'action', 'actor_type'])
      .where((w) =>
        w.or([
          w.and([w('subject_type', '=', 'account'), w('subject_id', '=', accountId)]),
          w.and([
            w('subject_type', '=', 'registration_flow'),
            w(
              'subject_id',
              'in',
              w
                .selectFrom('flows')
                .select(sql<string>`id::text`.as('id'))
                .where('account_id', '=', accountId),
            ),
          ]),
        ]),
      )
      .where('action', '!=', 'review.case_viewed')
      .orderBy('seq')
      .limit(200)
      .execute(),
    deps.db
      .selectFrom('blobs')
      .select('purpose')
      .where('owner_type', '=', 'account')
      .where('owner_id', '=', accountId)
      .execute(),
    registryRecord(deps, a, documentNumber),
  ]);
  await viewed(deps, officer, accountId, ctx, { part: 'case' });
  const present = new Set(media.map((m) => m.purpose));
  const base = `/api/console/v1/cases/${accountId}/media`;
  return {
    accountId,
    status: a.status,
    language: a.language,
    submittedAt: a.submitted_at.toISOString(),
    reviewDeadline: a.review_deadline.toISOString(),
    form: {
      khmerSurname: personal.khmerSurname,
      khmerGivenName: personal.khmerGivenName,
      latinSurname: personal.latinSurname,
      latinGivenName: personal.latinGivenName,
      gender: a.gender,
      birthDate: personal.birthDate,
      nationality: personal.nationality,
      documentType: a.document_type,
      issuingState: a.document_issuing_state,
      documentNumber,
      issueDate: a.document_issue_date,
      expiryDate: a.document_expiry_date,
    },
    mrz: mrzText.split('\n'),
    mrzFields: mrzFieldsOf(mrzText, a.submitted_at),
    flags: a.review_flags,
    ...registry,
    evidence: evidence.map((e) => ({
      kind: e.kind,
      status: e.status,
      score: e.score,
      details: e.details,
      provenance: e.provenance,
      computedAt: e.computed_at.toISOString(),
    })),
    decisions: decisions.map((d) => ({
      id: d.id,
      decision: d.decision,
      reasonCode: d.reason_code,
      part: d.part,
      note: d.note,
      state: d.state,
      officerId: d.officer_id,
      officerName: d.officer_name,
      secondOfficerId: d.second_officer_id,
      createdAt: d.created_at.toISOString(),
      decidedAt: d.decided_at?.toISOString() ?? null,
    })),
    history: history.map((h) => ({
      at: h.occurred_at.toISOString(),
      action: h.action,
      actorType: h.actor_type,
    })),
    media: {
      documentPhoto: present.has('document_photo') ? `${base}/document_photo` : null,
      selfie: present.has('selfie') ? `${base}/selfie` : null,
      liveness: present.has('liveness_recording') ? `${base}/liveness` : null,
      registryPortrait: registry.registry?.hasPortrait ? `${base}/registry_portrait` : null,
    },
  };
}

/** One medium of a case: image bytes with their type, or the liveness recording as JSON. */
export async function caseMedia(
  deps: Deps,
  officer: Officer,
  accountId: string,
  kind: MediaKind,
  ctx: Ctx,
): Promise<{ type: string; body: Buffer } | { json: unknown }> {
  const account = await accountOf(deps, accountId);
  let result: { type: string; body: Buffer } | { json: unknown } | undefined;
  if (kind === 'registry_portrait') {
    const number = deps.envelope.openText(
      account.document_number_enc,
      sealContext.accountDocumentNumber(account.id),
    );
    const record = await deps.registry?.lookup(number).catch(() => undefined);
    if (record?.portrait) result = { type: 'image/jpeg', body: Buffer.from(record.portrait, 'base64') };
  } else {
    const purpose = kind === 'liveness' ? 'liveness_recording' : kind;
    const row = await deps.db
      .selectFrom('blobs')
      .select('id')
      .where('owner_type', '=', 'account')
      .where('owner_id', '=', accountId)
      .where('purpose', '=', purpose)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    const blob = row && (await readBlob(deps.db, deps.envelope, row.id));
    if (blob && kind === 'liveness') {
      const { manifest, frames } = unpackRecording(blob.bytes);
      result = {
        json: {
          challenge: {
            challengeId: manifest.challengeId,
            actions: manifest.actions,
            issuedAt: manifest.issuedAt,
            receivedAt: manifest.receivedAt,
          },
          frames: frames.map((f) => ({
            t: f.t,
            mediaType: f.mediaType,
            data: Buffer.from(f.bytes).toString('base64'),
          })),
        },
      };
    } else if (blob) result = { type: blob.media_type, body: blob.bytes };
  }
  if (!result) throw new AppError('not_found');
  await viewed(deps, officer, accountId, ctx, { part: kind });
  return result;
}
