/**
 * The replay signal (identity-proofing issue, item 3): a selfie or frame that is near-identical to
 * an enrolled face or to an earlier upload of ANY account is a replayed picture (a stolen selfie,
 * an animated copy of the enrolment photo), a presentation-attack signal, never a match.
 *
 * Two tests, either fires:
 * - the same picture: the dHash (64 bits) of the face box differs in at most
 *   REPLAY_THRESHOLDS.maxHashDistance bits. Measured on the test faces (replay.test.ts): the same
 *   photo re-cropped, re-scaled, re-compressed or mesh-animated 0-8 bits; different faces and
 *   different photos of one person 18-40;
 * - the same face as if photographed twice at once: embedding similarity >= minSimilarity (0.97,
 *   the number). Two genuine captures of one person rarely get there (the calibration
 *   set's best genuine pair of different photos scored 0.79 with the current model).
 *
 * Every upload's signatures (embedding + hash) are kept in `face_signatures`, sealed with the
 * envelope key (biometric data) under the context `face-signature:<id>`; the legacy
 * `face_embeddings` (enrolled faces kept by the evidence job) are compared by embedding too.
 * The comparison is a scan over all kept signatures, like the duplicate-face search.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '@camdigikey/db';
import { type FaceSignature, hashDistance } from '@camdigikey/face-engine';
import type { Kysely } from 'kysely';
import type { Deps } from '../deps';
import type { ServerFaceEngine } from './face';

export const REPLAY_THRESHOLDS = Object.freeze({ maxHashDistance: 10, minSimilarity: 0.97 });

export type SignatureSource = 'registration' | 'recovery' | 'resubmission' | 'enrolment';

export interface ReplayMatch {
  /** Which of the new pictures: the selfie or a frame. */
  what: string;
  /** Whose earlier upload it matched (the same account's enrolled face is a replay too). */
  sameAccount: boolean;
  source: SignatureSource | 'enrolled_face';
  similarity: number;
  hashDistance: number | null;
}

export interface ReplayResult {
  fired: boolean;
  matches: ReplayMatch[];
  /** Earlier signatures compared. */
  compared: number;
  thresholds: typeof REPLAY_THRESHOLDS;
}

export const context = (id: string) => `face-signature:${id}`;
const round = (v: number) => Math.round(v * 1000) / 1000;

/**
 * Compares the new pictures' signatures with every kept one. `ownRegistration: 'skip'` leaves out
 * the account's own registration pictures (the evidence job judging that very registration again);
 * a recovery compares with them, since a copy of the enrolment photo is the attack to catch.
 */
export async function replayCheck(
  deps: Deps,
  engine: Pick<ServerFaceEngine, 'compare'>,
  accountId: string,
  pictures: { what: string; signature: FaceSignature }[],
  ownRegistration: 'skip' | 'compare' = 'compare',
  /** Pictures not kept in face_signatures to compare with too (the enrolled selfie itself). */
  also: { accountId: string; signature: FaceSignature }[] = [],
): Promise<ReplayResult> {
  const kept = await deps.db.selectFrom('face_signatures').selectAll().execute();
  const enrolled = await deps.db.selectFrom('face_embeddings').select(['account_id', 'embedding']).execute();
  const matches: ReplayMatch[] = [];
  let compared = 0;
  for (const row of kept) {
    if (ownRegistration === 'skip' && row.account_id === accountId && row.source === 'registration') continue;
    const old = JSON.parse(deps.envelope.openText(row.signature_enc, context(row.id))) as FaceSignature;
    compared++;
    for (const p of pictures) {
      const similarity = engine.compare(p.signature.embedding, old.embedding);
      const distance = hashDistance(p.signature.hash, old.hash);
      if (distance <= REPLAY_THRESHOLDS.maxHashDistance || similarity >= REPLAY_THRESHOLDS.minSimilarity)
        matches.push({
          what: p.what,
          sameAccount: row.account_id === accountId,
          source: row.source,
          similarity: round(similarity),
          hashDistance: distance,
        });
    }
  }
  for (const other of also) {
    compared++;
    for (const p of pictures) {
      const similarity = engine.compare(p.signature.embedding, other.signature.embedding);
      const distance = hashDistance(p.signature.hash, other.signature.hash);
      if (distance <= REPLAY_THRESHOLDS.maxHashDistance || similarity >= REPLAY_THRESHOLDS.minSimilarity)
        matches.push({
          what: p.what,
          sameAccount: other.accountId === accountId,
          source: 'enrolled_face',
          similarity: round(similarity),
          hashDistance: distance,
        });
    }
  }
  for (const row of enrolled) {
    if (ownRegistration === 'skip' && row.account_id === accountId) continue;
    compared++;
    const embedding = row.embedding as unknown as number[];
    for (const p of pictures) {
      const similarity = engine.compare(p.signature.embedding, embedding);
      if (similarity >= REPLAY_THRESHOLDS.minSimilarity)
        matches.push({
          what: p.what,
          sameAccount: row.account_id === accountId,
          source: 'enrolled_face',
          similarity: round(similarity),
          hashDistance: null,
        });
    }
  }
  return {
    fired: matches.length > 0,
    matches: matches.slice(0, 10),
    compared,
    thresholds: REPLAY_THRESHOLDS,
  };
}

/** Keeps this upload's signatures (sealed) for later replay checks; answers their ids. */
export async function keepSignatures(
  db: Kysely<Database>,
  deps: Pick<Deps, 'envelope'>,
  accountId: string | null,
  source: SignatureSource,
  signatures: FaceSignature[],
  model: string,
  now: Date,
): Promise<string[]> {
  const ids: string[] = [];
  for (const signature of signatures) {
    const id = randomUUID();
    ids.push(id);
    await db
      .insertInto('face_signatures')
      .values({
        id,
        account_id: accountId,
        source,
        signature_enc: deps.envelope.sealText(JSON.stringify(signature), context(id)),
        model,
        created_at: now,
      })
      .execute();
  }
  return ids;
}
