/**
 * Evidence the server computes for each registration (identity-proofing issue §1), so officers
 * decide on what the server measured, not on what the app claimed:
 *  - mrz_form:       the MRZ re-parsed (check digits, dates) and compared field by field with the form;
 *  - face_match:     the selfie against the document photo's portrait (similarity, decision);
 *  - liveness:       the recording judged against the challenge the server issued, bound to the
 *                    selfie (every compared frame is the selfie's person: the frames the verdicts
 *                    rely on and a random share of the rest, face-engine framesToEmbed; the selfie
 *                    is a picture of the recording's scene) and the passive signal (pad.ts);
 *  - replay:         the selfie and the most frontal frame against every earlier upload of any
 *                    account (near-identical = a replayed picture: fails, never a match);
 *  - document_ocr:   the MRZ read by the server from the document photo against the MRZ the app sent;
 *  - duplicate_face: the selfie's embedding against every other live account's;
 *  - registry_match: the form and the MRZ's names against the civil register (Khmer ID cards).
 * Each row records the engine, model and threshold versions that produced it, and is rewritten
 * (upsert) when the job runs again, so the job is idempotent.
 */
import { diffAgainstMrz, parseIdentityMrz } from '@camdigikey/core/identity/mrz';
import { type Database, type EvidenceStatus, LIVE_ACCOUNT_STATUSES } from '@camdigikey/db';
import { type FaceAnalysis, faceHash, ImageDecodeError, type Provenance } from '@camdigikey/face-engine';
import type { Kysely } from 'kysely';
import { openPersonal } from '../accounts/personal-data';
import type { Deps } from '../deps';
import { sealContext } from '../flows/registration/flow-data';
import { readBlob, unpackRecording } from '../uploads/blobs';
import { COMPARED_FIELDS, compareMrz, MRZ_READER_VERSION, readDocumentMrz } from './document-ocr';
import type { ServerFaceEngine } from './face';
import { compareMrzNamesWithRegistry, compareWithRegistry } from './registry-compare';
import { keepSignatures, replayCheck } from './replay';

export interface EvidenceRow {
  kind:
    | 'mrz_form'
    | 'document_ocr'
    | 'face_match'
    | 'liveness'
    | 'replay'
    | 'duplicate_face'
    | 'registry_match';
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
    latinSurname: account.personal.latinSurname,
    latinGivenName: account.personal.latinGivenName,
    documentNumber,
    birthDate: account.personal.birthDate,
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
    // No MRZ found, read without every check digit holding, or read with unsure characters
    // (mrz_uncertain, never used as a reading): the officer looks at the photo.
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
        ...(!read.ok && read.unsureCharacters !== undefined
          ? { unsureCharacters: read.unsureCharacters }
          : {}),
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
  const row = await deps.db
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return { ...row, personal: openPersonal(deps.envelope, row) };
}

export async function computeRegistrationEvidence(
  deps: Deps,
  engine: ServerFaceEngine,
  accountId: string,
): Promise<EvidenceRow[]> {
  const account = await loadAccount(deps, accountId);
  const media = await mediaOf(deps, accountId);
  const rows: EvidenceRow[] = [mrzFormEvidence(deps, account)];
  if (media.document) rows.push(await documentOcrEvidence(deps, account, media.document));

  // The selfie is analysed once (detection, mesh, embedding): the face match, the liveness binding,
  // the replay check and the registry portrait all take this analysis, the numbers they would get
  // by analysing it again (face-engine recording-reuse.test.ts). An unreadable selfie is left to each
  // of them, as before: the face match throws, the binding says `invalid_selfie`.
  const selfieAnalysis: FaceAnalysis | undefined = media.selfie
    ? await engine.detect(media.selfie).catch((e: unknown) => {
        if (e instanceof ImageDecodeError) return undefined;
        throw e;
      })
    : undefined;
  const selfieInput = selfieAnalysis ?? media.selfie;

  // Face match: selfie against the document photo (its largest face is the portrait).
  let selfieEmbedding: number[] | undefined;
  if (selfieInput && media.document) {
    const match = await engine.matchFaces(selfieInput, media.document);
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
  let recording: Awaited<ReturnType<ServerFaceEngine['judgeRecording']>> | undefined;
  if (media.recording) {
    const { manifest, frames } = unpackRecording(media.recording);
    const receivedAt = new Date(manifest.receivedAt);
    const start = receivedAt.getTime() - (frames.at(-1)?.t ?? 0);
    // Each frame is copied out of the recording once, and that copy moves to the face thread.
    const judged = await engine.judgeRecording(
      frames.map((f) => ({ t: start + f.t, image: Buffer.from(f.bytes) })),
      {
        actions: manifest.actions as never,
        ...(manifest.steps ? { steps: manifest.steps as never } : {}),
        issuedAt: manifest.issuedAt,
        timeLimitSeconds: deps.config.flows.livenessTimeLimitSeconds,
      },
      {
        receivedAt,
        ...(media.selfie ? { selfie: media.selfie } : {}),
        ...(selfieAnalysis ? { selfieAnalysis } : {}),
        handOver: true,
      },
    );
    const result = judged.liveness;
    const bound = judged.binding?.passed ?? false;
    rows.push({
      kind: 'liveness',
      // Not bound to the selfie = not this person's liveness; a passive attack signal = an officer looks.
      status: !result.passed || !bound ? 'fail' : judged.pad?.fired ? 'review' : 'pass',
      score: result.score,
      details: {
        challengeId: manifest.challengeId,
        actions: manifest.actions,
        steps: manifest.steps ?? null,
        failedAction: result.failedAction ?? null,
        reason: result.reason ?? (bound ? null : (judged.binding?.reason ?? 'no_selfie')),
        perAction: result.perAction,
        observedActions: result.observedActions,
        sameFace: result.sameFace,
        antispoof: result.antispoof,
        live: result.live,
        binding: judged.binding,
        pad: judged.pad,
      },
      provenance: faceProvenance(result.provenance),
    });
    recording = judged;
  }

  // Replay: the selfie and the most frontal frame against every earlier upload (any account). A
  // recording refused before its frames were analysed still has its selfie checked.
  let selfieSignature = recording?.selfie ?? null;
  if (!selfieSignature && media.selfie && selfieAnalysis) {
    const face = selfieAnalysis.faces.length === 1 ? selfieAnalysis.faces[0] : undefined;
    if (face)
      selfieSignature = {
        embedding: face.embedding,
        hash: await faceHash(media.selfie, face, selfieAnalysis.image),
      };
  }
  const pictures = [
    ...(selfieSignature ? [{ what: 'selfie', signature: selfieSignature }] : []),
    ...(recording?.frontal
      ? [{ what: `frame ${recording.frontal.index}`, signature: recording.frontal }]
      : []),
  ];
  if (pictures.length > 0) {
    // A job that runs again replaces this registration's own signatures instead of matching them.
    await deps.db
      .deleteFrom('face_signatures')
      .where('account_id', '=', accountId)
      .where('source', '=', 'registration')
      .execute();
    const replay = await replayCheck(deps, engine, accountId, pictures, 'skip');
    await keepSignatures(
      deps.db,
      deps,
      accountId,
      'registration',
      pictures.map((p) => p.signature),
      engine.provenance().model,
      deps.clock.now(),
    );
    rows.push({
      kind: 'replay',
      status: replay.fired ? 'fail' : 'pass',
      score: replay.matches[0]?.similarity ?? null,
      details: {
        fired: replay.fired,
        matches: replay.matches,
        compared: replay.compared,
        thresholds: replay.thresholds,
      },
      provenance: faceProvenance(engine.provenance()),
    });
  }

  // Duplicates: a face too similar to another live account's face.
  if (selfieEmbedding) {
    // Embeddings of different models are not comparable: each row says which model made it.
    const p = engine.provenance();
    const model = `${p.engine}/${p.model}`;
    await deps.db
      .insertInto('face_embeddings')
      .values({
        account_id: accountId,
        embedding: JSON.stringify(selfieEmbedding),
        model,
        created_at: deps.clock.now(),
      })
      .onConflict((oc) =>
        oc
          .column('account_id')
          .doUpdateSet({ embedding: JSON.stringify(selfieEmbedding), model, created_at: deps.clock.now() }),
      )
      .execute();
    const others = await deps.db
      .selectFrom('face_embeddings')
      .innerJoin('accounts', 'accounts.id', 'face_embeddings.account_id')
      .select(['face_embeddings.account_id', 'face_embeddings.embedding'])
      .where('face_embeddings.account_id', '!=', accountId)
      .where('face_embeddings.model', '=', model)
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

  const registry = await registryEvidence(deps, engine, account, selfieInput);
  if (registry) rows.push(registry);

  const now = deps.clock.now();
  // All of one judgement or none: an officer (or a reader polling) never sees half of it.
  await deps.db.transaction().execute(async (trx) => {
    for (const row of rows) await save(trx, accountId, row, now);
  });
  return rows;
}

/**
 * The civil-registry match (Khmer ID cards only): every field of the citizen's form against the
 * register (Khmer names after Unicode NFC normalisation), and the selfie against the registry
 * portrait when there is one. An unreachable registry throws, so the job is retried later.
 */
async function registryEvidence(
  deps: Deps,
  engine: ServerFaceEngine,
  account: Awaited<ReturnType<typeof loadAccount>>,
  selfie: Buffer | FaceAnalysis | undefined,
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
      khmerSurname: account.personal.khmerSurname,
      khmerGivenName: account.personal.khmerGivenName,
      latinSurname: account.personal.latinSurname,
      latinGivenName: account.personal.latinGivenName,
      gender: account.gender,
      birthDate: account.personal.birthDate,
      issueDate: account.document_issue_date,
      expiryDate: account.document_expiry_date,
    },
    record,
  );
  // The document's own MRZ names against the register (no check digit protects them).
  const mrz = parseIdentityMrz(deps.envelope.openText(account.mrz_enc, sealContext.accountMrz(account.id)), {
    today: account.submitted_at,
  });
  const mrzNameMismatches = mrz.ok ? compareMrzNamesWithRegistry(mrz.value, record) : [];
  const details: Record<string, unknown> = { found: true, incorrectFields, mrzNameMismatches };
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
  // A card whose MRZ names are not the register's names for its number is not this register entry's
  // card as issued (altered, or read wrong): that fails, whatever the form says.
  return {
    kind: 'registry_match',
    status:
      mrzNameMismatches.length > 0 ? 'fail' : incorrectFields.length === 0 && portraitOk ? 'pass' : 'review',
    score,
    details,
    provenance,
  };
}
