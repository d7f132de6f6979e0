/**
 * Evidence the server computes for each registration (identity-proofing issue §1), so officers
 * decide on what the server measured, not on what the app claimed:
 *  - mrz_form:       the MRZ re-parsed (check digits, dates) and compared field by field with the form;
 *  - face_match:     the selfie against the document photo's portrait (similarity, decision);
 *  - liveness:       the recording judged against the challenge the server issued;
 *  - document_ocr:   the MRZ read by the server from the document photo against the MRZ the app sent;
 *  - duplicate_face: the selfie's embedding against every other live account's.
 * Each row records the engine, model and threshold versions that produced it, and is rewritten
 * (upsert) when the job runs again, so the job is idempotent.
 */
import { diffAgainstMrz, parseIdentityMrz } from '@camdigikey/core/identity/mrz';
import { type Database, type EvidenceStatus, LIVE_ACCOUNT_STATUSES } from '@camdigikey/db';
import type { FaceEngine, Provenance } from '@camdigikey/face-engine';
import type { Kysely } from 'kysely';
import type { Deps } from '../deps';
import { sealContext } from '../flows/registration/flow-data';
import { readBlob, unpackRecording } from '../uploads/blobs';
import { COMPARED_FIELDS, compareMrz, MRZ_READER_VERSION, readDocumentMrz } from './document-ocr';
import { compareWithRegistry } from './registry-compare';

export interface EvidenceRow {
  kind: 'mrz_form' | 'document_ocr' | 'face_match' | 'liveness' | 'duplicate_face' | 'registry_match';
  status: EvidenceStatus;
  score: number | null;
  details: Record<string, unknown>;
  provenance: Record<string, unknown>;
}

async function save(db: Kysely<Database>, accountId: string, row: EvidenceRow, now: Date) {
  const values = {
    account_id: accountId,
    kind: row.kind,
    status: row.status,
    score: row.score,
    details: JSON.stringify(row.details),
    provenance: JSON.stringify(row.provenance),
    computed_at: now,
  };
  await db
    .insertInto('evidence')
    .values(values)
    .onConflict((oc) => oc.columns(['account_id', 'kind']).doUpdateSet({ ...values }))
    .execute();
}

const faceProvenance = (p: Provenance) => ({
  engine: p.engine,
  model: p.model,
  modelDigest: p.modelDigest,
  thresholdsVersion: p.thresholdsVersion,
  thresholds: p.thresholds,
});

async function mediaOf(deps: Deps, accountId: string) {
  const rows = await deps.db
    .selectFrom('blobs')
    .select(['id', 'purpose'])
    .where('owner_type', '=', 'account')
    .where('owner_id', '=', accountId)
    .execute();
  const load = async (purpose: string) => {
    const row = rows.find((r) => r.purpose === purpose);
    return row ? (await readBlob(deps.db, deps.envelope, row.id))?.bytes : undefined;
  };
  return {
    selfie: await load('selfie'),
    document: await load('document_photo'),
    recording: await load('liveness_recording'),
  };
}

export function mrzFormEvidence(deps: Deps, account: Awaited<ReturnType<typeof loadAccount>>): EvidenceRow {
  const mrzText = deps.envelope.openText(account.mrz_enc, sealContext.accountMrz(account.id));
  const documentNumber = deps.envelope.openText(
    account.document_number_enc,
    sealContext.accountDocumentNumber(account.id),
  );
  const parsed = parseIdentityMrz(mrzText, { today: account.submitted_at });
  const provenance = { rule: 'icao-9303', parser: 'mrz@5 + @camdigikey/core' };
  if (!parsed.ok)
    return {
      kind: 'mrz_form',
      status: 'fail',
      score: 0,
      details: { error: parsed.code, ...(parsed.detail ?? {}) },
      provenance,
    };
  const form = {
    latinSurname: account.latin_surname,
    latinGivenName: account.latin_given_name,
    documentNumber,
    birthDate: account.birth_date,
    expiryDate: account.document_expiry_date,
    gender: account.gender,
  };
  const incorrectFields = diffAgainstMrz(form, parsed.value).map((d) => d.field);
  const score = 1 - incorrectFields.length / Object.keys(form).length;
  return {
    kind: 'mrz_form',
    status: incorrectFields.length === 0 ? 'pass' : 'review',
    score,
    details: { incorrectFields, checkDigits: 'valid' },
    provenance,
  };
}

/**
 * The MRZ the server reads from the document photo against the MRZ the app sent: a photo whose MRZ
 * cannot be read goes to the officer (`review`, unreadable), a disagreement fails with the fields.
 */
export async function documentOcrEvidence(
  deps: Deps,
  account: Awaited<ReturnType<typeof loadAccount>>,
  photo: Buffer,
): Promise<EvidenceRow> {
  const sentText = deps.envelope.openText(account.mrz_enc, sealContext.accountMrz(account.id));
  const sentLines = sentText.split(/\r?\n/);
  const sent = parseIdentityMrz(sentText, { today: account.submitted_at });
  const read = await readDocumentMrz(photo, account.submitted_at);
  const provenance: Record<string, unknown> = { reader: MRZ_READER_VERSION };
  if (!read.ok || !read.mrz) {
    // No MRZ found, or read without every check digit holding: the officer looks at the photo.
    return {
      kind: 'document_ocr',
      status: 'review',
      score: null,
      details: {
        readLines: read.ok ? read.lines : [],
        mismatchedFields: [],
        checkDigitsValid: false,
        unreadable: true,
        reason: read.ok ? 'check_digits' : read.reason,
      },
      provenance,
    };
  }
  Object.assign(provenance, { confidence: read.confidence, corrected: read.corrected });
  const characterAgreement = agreement(read.lines, sentLines);
  if (!sent.ok) {
    // The app sent an MRZ that does not parse (mrz_form fails too): only the characters compare.
    return {
      kind: 'document_ocr',
      status: 'fail',
      score: characterAgreement,
      details: {
        readLines: read.lines,
        mismatchedFields: ['mrz'],
        checkDigitsValid: true,
        characterAgreement,
        sentMrzError: sent.code,
      },
      provenance,
    };
  }
  const mismatchedFields = compareMrz(read.mrz, sent.value);
  return {
    kind: 'document_ocr',
    status: mismatchedFields.length === 0 ? 'pass' : 'fail',
    score: 1 - mismatchedFields.length / COMPARED_FIELDS,
    details: { readLines: read.lines, mismatchedFields, checkDigitsValid: true, characterAgreement },
    provenance,
  };
}

/** Share of MRZ characters (position by position, line by line) on which two readings agree. */
function agreement(a: string[], b: string[]): number {
  const total = Math.max(a.join('').length, b.join('').length);
  if (total === 0) return 0;
  let same = 0;
  for (let l = 0; l < Math.max(a.length, b.length); l++) {
    const x = a[l] ?? '';
    const y = b[l] ?? '';
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] === y[i]) same++;
  }
  return Math.round((same / total) * 1000) / 1000;
}

async function loadAccount(deps: Deps, accountId: string) {
  return deps.db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
}

export async function computeRegistrationEvidence(
  deps: Deps,
  engine: FaceEngine,
  accountId: string,
): Promise<EvidenceRow[]> {
  const account = await loadAccount(deps, accountId);
  const media = await mediaOf(deps, accountId);
  const rows: EvidenceRow[] = [mrzFormEvidence(deps, account)];
  if (media.document) rows.push(await documentOcrEvidence(deps, account, media.document));

  // Face match: selfie against the document photo (its largest face is the portrait).
  let selfieEmbedding: number[] | undefined;
  if (media.selfie && media.document) {
    const match = await engine.matchFaces(media.selfie, media.document);
    if ('error' in match) {
      rows.push({
        kind: 'face_match',
        status: 'error',
        score: null,
        details: { error: match.error },
        provenance: faceProvenance(match.provenance),
      });
    } else {
      selfieEmbedding = match.selfieFace.embedding;
      const status = match.decision === 'match' ? 'pass' : match.decision === 'review' ? 'review' : 'fail';
      rows.push({
        kind: 'face_match',
        status,
        score: match.similarity,
        details: { decision: match.decision, reference: 'document_photo' },
        provenance: faceProvenance(match.provenance),
      });
    }
  }

  // Liveness: the recording against its challenge; frame times are offsets from the first frame.
  if (media.recording) {
    const { manifest, frames } = unpackRecording(media.recording);
    const receivedAt = new Date(manifest.receivedAt);
    const start = receivedAt.getTime() - (frames.at(-1)?.t ?? 0);
    const result = await engine.judgeLiveness(
      frames.map((f) => ({ t: start + f.t, image: Buffer.from(f.bytes) })),
      {
        actions: manifest.actions as never,
        issuedAt: manifest.issuedAt,
        timeLimitSeconds: deps.config.flows.livenessTimeLimitSeconds,
      },
      { receivedAt },
    );
    rows.push({
      kind: 'liveness',
      status: result.passed ? 'pass' : 'fail',
      score: result.score,
      details: {
        challengeId: manifest.challengeId,
        actions: manifest.actions,
        failedAction: result.failedAction ?? null,
        reason: result.reason ?? null,
        perAction: result.perAction,
        sameFace: result.sameFace,
        antispoof: result.antispoof,
        live: result.live,
      },
      provenance: faceProvenance(result.provenance),
    });
  }

  // Duplicates: a face too similar to another live account's face.
  if (selfieEmbedding) {
    await deps.db
      .insertInto('face_embeddings')
      .values({
        account_id: accountId,
        embedding: JSON.stringify(selfieEmbedding),
        model: 'human@3.3.6/faceres',
        created_at: deps.clock.now(),
      })
      .onConflict((oc) =>
        oc
          .column('account_id')
          .doUpdateSet({ embedding: JSON.stringify(selfieEmbedding), created_at: deps.clock.now() }),
      )
      .execute();
    const others = await deps.db
      .selectFrom('face_embeddings')
      .innerJoin('accounts', 'accounts.id', 'face_embeddings.account_id')
      .select(['face_embeddings.account_id', 'face_embeddings.embedding'])
      .where('face_embeddings.account_id', '!=', accountId)
      .where('accounts.status', 'in', [...LIVE_ACCOUNT_STATUSES])
      .execute();
    const matches = others
      .map((o) => ({ accountId: o.account_id, similarity: engine.compare(selfieEmbedding!, o.embedding) }))
      .filter((m) => m.similarity >= engine.thresholds.match)
      .sort((a, b) => b.similarity - a.similarity);
    rows.push({
      kind: 'duplicate_face',
      status: matches.length ? 'review' : 'pass',
      score: matches[0]?.similarity ?? 0,
      details: { matches: matches.slice(0, 5), compared: others.length },
      provenance: faceProvenance(engine.provenance()),
    });
  }

  const registry = await registryEvidence(deps, engine, account, media.selfie);
  if (registry) rows.push(registry);

  const now = deps.clock.now();
  for (const row of rows) await save(deps.db, accountId, row, now);
  return rows;
}

/**
 * The civil-registry match (Khmer ID cards only): every field of the citizen's form against the
 * register (Khmer names after Unicode NFC normalisation), and the selfie against the registry
 * portrait when there is one. An unreachable registry throws, so the job is retried later.
 */
async function registryEvidence(
  deps: Deps,
  engine: FaceEngine,
  account: Awaited<ReturnType<typeof loadAccount>>,
  selfie: Buffer | undefined,
): Promise<EvidenceRow | undefined> {
  if (!deps.registry || account.document_type !== 'id_card' || account.document_issuing_state !== 'KHM')
    return undefined;
  const idNumber = deps.envelope.openText(
    account.document_number_enc,
    sealContext.accountDocumentNumber(account.id),
  );
  const record = await deps.registry.lookup(idNumber);
  const provenance = { source: 'civil-registry', comparison: 'nfc-normalised-exact' };
  if (!record)
    return {
      kind: 'registry_match',
      status: 'fail',
      score: 0,
      details: { found: false, incorrectFields: [] },
      provenance,
    };
  const { incorrectFields, score } = compareWithRegistry(
    {
      khmerSurname: account.khmer_surname,
      khmerGivenName: account.khmer_given_name,
      latinSurname: account.latin_surname,
      latinGivenName: account.latin_given_name,
      gender: account.gender,
      birthDate: account.birth_date,
      issueDate: account.document_issue_date,
      expiryDate: account.document_expiry_date,
    },
    record,
  );
  const details: Record<string, unknown> = { found: true, incorrectFields };
  if (record.portrait && selfie) {
    const match = await engine.matchFaces(selfie, Buffer.from(record.portrait, 'base64'));
    Object.assign(
      details,
      'error' in match
        ? { portraitError: match.error }
        : { portraitSimilarity: match.similarity, portraitDecision: match.decision },
    );
    Object.assign(provenance, { face: faceProvenance(match.provenance) });
  }
  const portraitOk = details.portraitDecision === undefined || details.portraitDecision === 'match';
  return {
    kind: 'registry_match',
    status: incorrectFields.length === 0 && portraitOk ? 'pass' : 'review',
    score,
    details,
    provenance,
  };
}
