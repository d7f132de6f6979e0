/**
 * The face check that decides a recovery (user guide §2): the liveness recording judged against
 * the fresh challenge, then the person in it matched against the face enrolled at registration
 * (the selfie's embedding kept in face_embeddings, or computed from the stored selfie when the
 * evidence job has not kept one) and, for Khmer ID cards, the civil registry's portrait.
 *
 * Decided here, synchronously: the citizen waits for the answer on the phone. The account comes
 * back automatically only when everything is confident (identity-proofing issue, item 4): the
 * liveness passes and is bound to the selfie, the selfie and the most frontal frame match the
 * enrolled face in the confident band, and no replay or passive attack signal fired; anything
 * weaker or suspicious is referred to an officer with the evidence (console: Recovery referrals).
 * An unreachable registry does not block recovery (the enrolled face already bound the account
 * to this person at registration).
 */
import { type FaceSignature, faceHash, type Thresholds } from '@camdigikey/face-engine';
import type { Deps } from '../../deps';
import { type ServerFaceEngine, serverFaceEngine } from '../../proofing/face';
import { keepSignatures, replayCheck } from '../../proofing/replay';
import { latestAccountBlob } from '../../uploads/blobs';
import { sealContext } from '../registration/flow-data';
import type { LivenessChallenge } from '../registration/liveness.steps';

export type FaceCheckOutcome =
  | { outcome: 'passed'; details: Record<string, unknown> }
  | { outcome: 'liveness_failed' | 'face_mismatch'; details: Record<string, unknown> }
  | { outcome: 'referred'; details: Record<string, unknown> }
  | { outcome: 'no_enrolled_face'; details: Record<string, unknown> };

export interface FaceCheckInput {
  accountId: string;
  challenge: LivenessChallenge;
  selfie: Buffer;
  /** Frame times in ms from the first frame, as the app recorded them. */
  frames: { t: number; image: Buffer }[];
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The band in which a face match may give an account back without an officer: the face engine's
 * `confident` threshold when it has one (face-engine config.ts), else its `match` threshold.
 */
export function confidentThreshold(engine: Pick<ServerFaceEngine, 'thresholds'>): number {
  const th = engine.thresholds as Readonly<Thresholds & { confident?: number }>;
  return typeof th.confident === 'number' ? th.confident : th.match;
}

/** The enrolled face: the embedding kept by the evidence job (else the stored selfie's) and the selfie's signature. */
async function enrolledFace(deps: Deps, engine: ServerFaceEngine, accountId: string) {
  const kept = await deps.db
    .selectFrom('face_embeddings')
    .select('embedding')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  const selfie = await latestAccountBlob(deps.db, deps.envelope, accountId, 'selfie');
  let signature: FaceSignature | undefined;
  if (selfie) {
    const bytes = Buffer.from(selfie.bytes);
    const detected = await engine.detect(bytes);
    const face = detected.faces.length === 1 ? detected.faces[0]! : undefined;
    if (face) signature = { embedding: face.embedding, hash: await faceHash(bytes, face, detected.image) };
  }
  // An embedding kept by an older model (1024-d faceres before fe-thresholds-2026.1) is not
  // comparable: the face computed again from the stored selfie is used instead.
  const keptEmbedding = kept?.embedding as unknown as number[] | undefined;
  const embedding =
    keptEmbedding && keptEmbedding.length === engine.embeddingSize ? keptEmbedding : signature?.embedding;
  return embedding ? { embedding, signature } : undefined;
}

async function registryPortrait(deps: Deps, accountId: string): Promise<Buffer | 'unavailable' | undefined> {
  if (!deps.registry) return undefined;
  const account = await deps.db
    .selectFrom('accounts')
    .select(['id', 'document_type', 'document_issuing_state', 'document_number_enc'])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  if (account.document_type !== 'id_card' || account.document_issuing_state !== 'KHM') return undefined;
  try {
    const idNumber = deps.envelope.openText(
      account.document_number_enc,
      sealContext.accountDocumentNumber(account.id),
    );
    const record = await deps.registry.lookup(idNumber);
    return record?.portrait ? Buffer.from(record.portrait, 'base64') : undefined;
  } catch (error) {
    deps.logger.warn({ err: error }, 'civil registry unavailable during a recovery; enrolled face only');
    return 'unavailable';
  }
}

/**
 * The decision, in this order (the first that applies):
 * 1. the recording fails its challenge, or is not bound to the selfie (a frame shows another
 *    person: face_mismatch; the selfie was not taken inside the recording: liveness_failed);
 * 2. no enrolled face: referred (no_enrolled_face);
 * 3. the selfie or the most frontal frame below the engine's review threshold against the
 *    enrolled face, or a registry portrait that clearly shows someone else: face_mismatch;
 * 4. anything short of full confidence goes to an officer (`referred`): a match below the
 *    confident band, a replayed picture (near-identical to an enrolled face or any earlier
 *    upload), the passive attack signal, a registry portrait only in the review band;
 * 5. otherwise passed.
 * Every judged attempt's pictures are kept (sealed) for later replay checks.
 */
export async function checkRecoveryFace(deps: Deps, input: FaceCheckInput): Promise<FaceCheckOutcome> {
  const engine = serverFaceEngine();
  const receivedAt = deps.clock.now();
  const start = receivedAt.getTime() - (input.frames.at(-1)?.t ?? 0);
  const frames = input.frames.map((f) => ({ t: start + f.t, image: f.image }));
  const judged = await engine.judgeRecording(
    frames,
    {
      actions: input.challenge.actions,
      ...(input.challenge.steps ? { steps: input.challenge.steps } : {}),
      issuedAt: input.challenge.issuedAt,
      timeLimitSeconds: deps.config.flows.livenessTimeLimitSeconds,
    },
    { receivedAt, selfie: input.selfie },
  );
  const liveness = judged.liveness;
  const details: Record<string, unknown> = {
    challengeId: input.challenge.id,
    actions: input.challenge.actions,
    livenessScore: round(liveness.score),
    failedAction: liveness.failedAction ?? null,
    reason: liveness.reason ?? null,
    binding: judged.binding,
    pad: judged.pad,
  };
  const pictures = [
    ...(judged.selfie ? [{ what: 'selfie', signature: judged.selfie }] : []),
    ...(judged.frontal ? [{ what: `frame ${judged.frontal.index}`, signature: judged.frontal }] : []),
  ];
  const keep = () =>
    keepSignatures(
      deps.db,
      deps,
      input.accountId,
      'recovery',
      pictures.map((p) => p.signature),
      liveness.provenance.model,
      deps.clock.now(),
    );
  if (!liveness.passed) {
    await keep();
    return { outcome: 'liveness_failed', details };
  }
  if (!judged.binding?.passed) {
    await keep();
    details.reason = judged.binding?.reason ?? 'no_face_in_selfie';
    return {
      outcome: judged.binding?.reason === 'frame_not_selfie_person' ? 'face_mismatch' : 'liveness_failed',
      details,
    };
  }

  const enrolledRecord = await enrolledFace(deps, engine, input.accountId);
  if (!enrolledRecord) return { outcome: 'no_enrolled_face', details };
  const enrolled = enrolledRecord.embedding;

  const confident = confidentThreshold(engine);
  const selfieSimilarity = engine.compare(judged.selfie!.embedding, enrolled);
  const frameSimilarity = engine.compare(judged.frontal!.embedding, enrolled);
  const replay = await replayCheck(
    deps,
    engine,
    input.accountId,
    pictures,
    'compare',
    enrolledRecord.signature ? [{ accountId: input.accountId, signature: enrolledRecord.signature }] : [],
  );
  await keep();
  Object.assign(details, {
    threshold: confident,
    reviewThreshold: engine.thresholds.matchReview,
    selfieSimilarity: round(selfieSimilarity),
    recordingSimilarity: round(frameSimilarity),
    replay: { fired: replay.fired, matches: replay.matches, thresholds: replay.thresholds },
  });
  const lowest = Math.min(selfieSimilarity, frameSimilarity);
  // Clearly someone else: a failure (it counts toward the daily cap), replayed picture or not.
  if (lowest < engine.thresholds.matchReview) return { outcome: 'face_mismatch', details };

  const referrals: string[] = [];
  if (replay.fired) referrals.push('replay');
  if (judged.pad?.fired) referrals.push(...judged.pad.signals);
  if (lowest < confident) referrals.push('match_not_confident');

  const portrait = await registryPortrait(deps, input.accountId);
  if (portrait === 'unavailable') details.registry = 'unavailable';
  else if (portrait) {
    const match = await engine.matchFaces(input.selfie, portrait);
    if ('error' in match) details.registry = match.error;
    else {
      details.registry = match.decision;
      details.registrySimilarity = round(match.similarity);
      if (match.decision === 'no_match' && referrals.length === 0)
        return { outcome: 'face_mismatch', details };
      if (match.decision !== 'match') referrals.push('registry_not_confident');
    }
  }
  if (referrals.length > 0) return { outcome: 'referred', details: { ...details, referrals } };
  return { outcome: 'passed', details };
}
