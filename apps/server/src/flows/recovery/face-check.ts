/**
 * The face check that decides a recovery (user guide §2): the liveness recording judged against
 * the fresh challenge, then the person in it matched against the face enrolled at registration
 * (the selfie's embedding kept in face_embeddings, or computed from the stored selfie when the
 * evidence job has not kept one) and, for Khmer ID cards, the civil registry's portrait.
 *
 * Decided here, synchronously: the citizen waits for the answer on the phone. Both the selfie and
 * the most frontal frame of the recording must match the enrolled face; a registry portrait that
 * clearly shows someone else fails too. An unreachable registry does not block recovery (the
 * enrolled face already bound the account to this person at registration).
 */
import { type FaceEngine, sharedFaceEngine } from '@camdigikey/face-engine';
import type { Deps } from '../../deps';
import { latestAccountBlob } from '../../uploads/blobs';
import { sealContext } from '../registration/flow-data';
import type { LivenessChallenge } from '../registration/liveness.steps';

export type FaceCheckOutcome =
  | { outcome: 'passed'; details: Record<string, unknown> }
  | { outcome: 'liveness_failed' | 'face_mismatch'; details: Record<string, unknown> }
  | { outcome: 'no_enrolled_face'; details: Record<string, unknown> };

export interface FaceCheckInput {
  accountId: string;
  challenge: LivenessChallenge;
  selfie: Buffer;
  /** Frame times in ms from the first frame, as the app recorded them. */
  frames: { t: number; image: Buffer }[];
}

const frontalness = (pose: { yaw: number; pitch: number }) => Math.abs(pose.yaw) + Math.abs(pose.pitch);
const round = (n: number) => Math.round(n * 1000) / 1000;

async function enrolledEmbedding(deps: Deps, engine: FaceEngine, accountId: string) {
  const kept = await deps.db
    .selectFrom('face_embeddings')
    .select('embedding')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (kept) return kept.embedding as unknown as number[];
  const selfie = await latestAccountBlob(deps.db, deps.envelope, accountId, 'selfie');
  if (!selfie) return undefined;
  const detected = await engine.detect(Buffer.from(selfie.bytes));
  return detected.faces.length === 1 ? detected.faces[0]!.embedding : undefined;
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

export async function checkRecoveryFace(deps: Deps, input: FaceCheckInput): Promise<FaceCheckOutcome> {
  const engine = sharedFaceEngine();
  const receivedAt = deps.clock.now();
  const start = receivedAt.getTime() - (input.frames.at(-1)?.t ?? 0);
  const frames = input.frames.map((f) => ({ t: start + f.t, image: f.image }));
  const liveness = await engine.judgeLiveness(
    frames,
    {
      actions: input.challenge.actions,
      issuedAt: input.challenge.issuedAt,
      timeLimitSeconds: deps.config.flows.livenessTimeLimitSeconds,
    },
    { receivedAt },
  );
  const livenessDetails = {
    challengeId: input.challenge.id,
    actions: input.challenge.actions,
    livenessScore: round(liveness.score),
    failedAction: liveness.failedAction ?? null,
    reason: liveness.reason ?? null,
  };
  if (!liveness.passed) return { outcome: 'liveness_failed', details: livenessDetails };

  const enrolled = await enrolledEmbedding(deps, engine, input.accountId);
  if (!enrolled) return { outcome: 'no_enrolled_face', details: livenessDetails };

  const threshold = engine.thresholds.match;
  const similarityTo = async (image: Buffer | undefined) => {
    if (!image) return 0;
    const detected = await engine.detect(image);
    return detected.faces.length === 1 ? engine.compare(detected.faces[0]!.embedding, enrolled) : 0;
  };
  const frontal = liveness.frames
    .map((d, i) => ({ d, i }))
    .filter(({ d }) => d.faces === 1 && d.pose)
    .sort((p, q) => frontalness(p.d.pose!) - frontalness(q.d.pose!))[0];
  const selfieSimilarity = await similarityTo(input.selfie);
  const frameSimilarity = await similarityTo(frames[frontal?.i ?? 0]?.image);
  const details: Record<string, unknown> = {
    ...livenessDetails,
    threshold,
    selfieSimilarity: round(selfieSimilarity),
    recordingSimilarity: round(frameSimilarity),
  };
  if (selfieSimilarity < threshold || frameSimilarity < threshold)
    return { outcome: 'face_mismatch', details };

  const portrait = await registryPortrait(deps, input.accountId);
  if (portrait === 'unavailable') details.registry = 'unavailable';
  else if (portrait) {
    const match = await engine.matchFaces(input.selfie, portrait);
    if ('error' in match) details.registry = match.error;
    else {
      details.registry = match.decision;
      details.registrySimilarity = round(match.similarity);
      if (match.decision === 'no_match') return { outcome: 'face_mismatch', details };
    }
  }
  return { outcome: 'passed', details };
}
