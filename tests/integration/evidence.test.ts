/**
 * Identity-proofing evidence computed by the server after submission, in a durable job queue:
 * MRZ against the form, the selfie against the document portrait (face engine), the liveness
 * recording against its challenge, and duplicate faces across accounts. Real faces come from
 * the face-engine's sample photos (read from node_modules, never committed).
 */

import { DEFAULT_THRESHOLDS } from '@camdigikey/face-engine/config';
import { cropSampleFaces, idCardVersion, type SampleFace } from '@camdigikey/face-engine/testing/samples';
import { startRegistrySimulator } from '@camdigikey/server/dev/registry-simulator';
import { claimJob } from '@camdigikey/server/jobs/job-queue';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { renderDocument } from '@camdigikey/testkit/document-image';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgedEvidence } from '../support/evidence';
import { warmFaceEngines } from '../support/faces';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let faces: SampleFace[];
let registry: Awaited<ReturnType<typeof startRegistrySimulator>>;

beforeAll(async () => {
  registry = await startRegistrySimulator();
  server = await startTestServer({
    env: { EVIDENCE_WORKER: 'true', EVIDENCE_POLL_MS: '200', CIVIL_REGISTRY_URL: registry.url },
  });
  const engine = await warmFaceEngines();
  faces = await cropSampleFaces(engine, [1]);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await registry?.close();
});

const otp = () => ({ sms: (p: string) => server.smsCode(p), email: (a: string) => server.emailCode(a) });

const evidenceOf = (accountId: string, kinds = 4, required: string[] = []) =>
  judgedEvidence(server, accountId, kinds, 60_000, required);
/** A registration with a real selfie has every kind but the registry's (no Khmer ID card here). */
const ALL_KINDS = 6;

describe('evidence for a registration', () => {
  it('is computed in the background after submission, with model and threshold versions', async () => {
    const face = faces[0]!;
    const flow = await walkRegistration(await server.device(), makeCitizen(9101), {
      otp: otp(),
      media: { selfie: face.crop, portrait: await idCardVersion(face.crop) },
    });
    const evidence = await evidenceOf(flow.account!.id, ALL_KINDS);
    expect(evidence.mrz_form).toMatchObject({ status: 'pass', score: 1 });
    expect(evidence.face_match?.status).toBe('pass');
    expect(evidence.face_match?.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.match);
    expect(evidence.face_match?.provenance).toMatchObject({ engine: 'human@3.3.6', model: 'fr_feature' });
    // The drawn liveness frames are not a real head turning: the recording is judged against its
    // timed challenge of 3-5 actions and fails, saying why.
    expect(evidence.liveness).toMatchObject({ status: 'fail' });
    const liveness = evidence.liveness?.details as {
      reason: string | null;
      actions: string[];
      challengeId: string;
    };
    expect(liveness.reason).toBeTruthy();
    expect(liveness.actions.length).toBeGreaterThanOrEqual(3);
    expect(liveness.actions.length).toBeLessThanOrEqual(5);
    // The selfie and a frame were compared with every earlier upload: nothing near-identical.
    expect(evidence.replay).toMatchObject({ status: 'pass', details: { fired: false } });
    expect(evidence.duplicate_face).toMatchObject({ status: 'pass' });
    const job = await server.deps.db
      .selectFrom('jobs')
      .select(['state', 'attempts'])
      .where('kind', '=', 'registration.evidence')
      .executeTakeFirstOrThrow();
    expect(job).toEqual({ state: 'done', attempts: 1 });
  });

  it('flags disagreements between the form and the MRZ', async () => {
    const citizen = makeCitizen(9102);
    const flow = await walkRegistration(await server.device(), citizen, {
      otp: otp(),
      details: {
        khmerSurname: citizen.khmerSurname,
        khmerGivenName: citizen.khmerGivenName,
        latinSurname: citizen.latinSurname,
        latinGivenName: `${citizen.latinGivenName}A`,
        documentNumber: citizen.documentNumber,
        birthDate: citizen.birthDate,
        issueDate: citizen.issueDate,
        expiryDate: citizen.expiryDate,
        gender: citizen.gender,
      },
    });
    const evidence = await evidenceOf(flow.account!.id, 3, ['mrz_form']);
    expect(evidence.mrz_form?.status).toBe('review');
    expect((evidence.mrz_form!.details as { incorrectFields: string[] }).incorrectFields).toEqual([
      'latinGivenName',
    ]);
    // The card's grey silhouette is no face: an error the officer sees, not a silent pass.
    expect(evidence.face_match).toMatchObject({
      status: 'error',
      details: { error: 'no_face_in_reference' },
    });
  });

  it('links a registration whose face matches another account', async () => {
    const face = faces[2]!;
    const first = await walkRegistration(await server.device(), makeCitizen(9103), {
      otp: otp(),
      media: { selfie: face.crop, portrait: await idCardVersion(face.crop) },
    });
    await evidenceOf(first.account!.id, 4, ['duplicate_face']);
    const second = await walkRegistration(await server.device(), makeCitizen(9104), {
      otp: otp(),
      media: { selfie: face.crop, portrait: await idCardVersion(face.crop) },
    });
    const evidence = await evidenceOf(second.account!.id, 4, ['duplicate_face']);
    expect(evidence.duplicate_face?.status).toBe('review');
    const matches = (
      evidence.duplicate_face!.details as { matches: { accountId: string; similarity: number }[] }
    ).matches;
    expect(matches[0]?.accountId).toBe(first.account!.id);
  });
});

describe('the MRZ read from the document photo', () => {
  it('agrees with the MRZ the app sent when the photo is of the same card', async () => {
    const flow = await walkRegistration(await server.device(), makeCitizen(9111), { otp: otp() });
    const evidence = await evidenceOf(flow.account!.id, 4, ['document_ocr']);
    expect(evidence.document_ocr).toMatchObject({
      status: 'pass',
      score: 1,
      details: { mismatchedFields: [], checkDigitsValid: true },
      provenance: { reader: expect.stringContaining('@camdigikey/mrz-reader') },
    });
    expect((evidence.document_ocr!.details as { readLines: string[] }).readLines).toEqual(
      makeCitizen(9111).mrz,
    );
  });

  it("fails with the fields that differ when the photo shows another person's card", async () => {
    const citizen = makeCitizen(9112, { documentType: 'id_card' });
    const other = makeCitizen(9113, { documentType: 'id_card' });
    const flow = await walkRegistration(await server.device(), citizen, {
      otp: otp(),
      media: { documentPhoto: renderDocument(other, { format: 'jpeg' }) },
    });
    const evidence = await evidenceOf(flow.account!.id, 4, ['document_ocr']);
    expect(evidence.document_ocr?.status).toBe('fail');
    const fields = (evidence.document_ocr!.details as { mismatchedFields: string[] }).mismatchedFields;
    expect(fields).toEqual(expect.arrayContaining(['documentNumber', 'birthDate']));
    expect(evidence.document_ocr!.score).toBeLessThan(1);
  });

  it('fails when the app sends an MRZ that differs from the photographed card (tampered birth date)', async () => {
    const card = makeCitizen(9115, { documentType: 'id_card' });
    const tampered = makeCitizen(9115, { documentType: 'id_card', birthDate: '1990-01-01' });
    expect(tampered.mrz).not.toEqual(card.mrz);
    // The app sends the tampered MRZ and form (consistent with each other) with the genuine card's photo.
    const flow = await walkRegistration(await server.device(), tampered, {
      otp: otp(),
      media: { documentPhoto: renderDocument(card, { format: 'jpeg' }) },
    });
    const evidence = await evidenceOf(flow.account!.id, 4, ['document_ocr', 'mrz_form']);
    expect(evidence.mrz_form).toMatchObject({ status: 'pass' });
    expect(evidence.document_ocr).toMatchObject({
      status: 'fail',
      details: { mismatchedFields: ['birthDate'], checkDigitsValid: true, readLines: card.mrz },
    });
    expect(evidence.document_ocr!.score).toBeCloseTo(6 / 7);
    expect(
      (evidence.document_ocr!.details as { characterAgreement: number }).characterAgreement,
    ).toBeGreaterThan(0.9);
  });

  it('sends a photo without a readable MRZ to the officer', async () => {
    const blank = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#d8d8d8' } })
      .jpeg()
      .toBuffer();
    const flow = await walkRegistration(await server.device(), makeCitizen(9114), {
      otp: otp(),
      media: { documentPhoto: blank },
    });
    const evidence = await evidenceOf(flow.account!.id, 4, ['document_ocr']);
    expect(evidence.document_ocr).toMatchObject({
      status: 'review',
      score: null,
      details: { unreadable: true, reason: 'mrz_not_found', readLines: [], mismatchedFields: [] },
    });
  });
});

describe('the civil registry match', () => {
  it('passes when the register agrees, comparing Khmer names after Unicode normalisation, and matches the portrait', async () => {
    const face = faces[0]!;
    const citizen = makeCitizen(9201);
    // The register spells the Khmer name in decomposed form (NFD): the same name.
    registry.add(citizen, face.crop, { khmerGivenName: citizen.khmerGivenName.normalize('NFD') });
    const flow = await walkRegistration(await server.device(), citizen, {
      otp: otp(),
      media: { selfie: face.crop, portrait: await idCardVersion(face.crop) },
    });
    const evidence = await evidenceOf(flow.account!.id, 5, ['registry_match']);
    expect(evidence.registry_match).toMatchObject({
      status: 'pass',
      score: 1,
      details: { found: true, incorrectFields: [], portraitDecision: 'match' },
    });
    expect(
      (evidence.registry_match!.details as { portraitSimilarity: number }).portraitSimilarity,
    ).toBeGreaterThan(0.8);
  });

  it('lists the fields that disagree with the register', async () => {
    const citizen = makeCitizen(9202);
    registry.add(citizen, undefined, { khmerGivenName: 'សុភា', birthDate: '1970-01-01' });
    const flow = await walkRegistration(await server.device(), citizen, { otp: otp() });
    const evidence = await evidenceOf(flow.account!.id, 3, ['registry_match']);
    expect(evidence.registry_match).toMatchObject({
      status: 'review',
      details: { found: true, incorrectFields: ['khmerGivenName', 'birthDate'], mrzNameMismatches: [] },
    });
    expect(evidence.registry_match?.score).toBeCloseTo(0.75);
  });

  it("fails a card whose MRZ names are not the register's names for its number (no check digit guards names)", async () => {
    const citizen = makeCitizen(9205, { documentType: 'id_card' });
    // The register knows this number under another given name: the card's MRZ (and the form, which
    // the app fills from it) say otherwise.
    registry.add(citizen, undefined, { latinGivenName: `${citizen.latinGivenName}A` });
    const flow = await walkRegistration(await server.device(), citizen, { otp: otp() });
    const evidence = await evidenceOf(flow.account!.id, 3, ['registry_match']);
    expect(evidence.registry_match).toMatchObject({
      status: 'fail',
      details: { found: true, incorrectFields: ['latinGivenName'], mrzNameMismatches: ['latinGivenName'] },
    });
  });

  it('fails an ID number the register does not know, and retries while the register is down', async () => {
    const unknown = makeCitizen(9203);
    const flow = await walkRegistration(await server.device(), unknown, { otp: otp() });
    const evidence = await evidenceOf(flow.account!.id, 3, ['registry_match']);
    expect(evidence.registry_match).toMatchObject({ status: 'fail', details: { found: false } });

    const later = makeCitizen(9204);
    registry.add(later);
    registry.failNext(3); // every retry of the adapter fails once: the job fails and is retried
    const second = await walkRegistration(await server.device(), later, { otp: otp() });
    await expect
      .poll(
        async () =>
          (
            await server.deps.db
              .selectFrom('jobs')
              .select('last_error')
              .where('state', '=', 'queued')
              .where('attempts', '>', 0)
              .execute()
          ).length,
        { timeout: 30_000 },
      )
      .toBe(1);
    server.clock.advance(60_000);
    await server.app.worker?.wake();
    const evidence2 = await evidenceOf(second.account!.id, 3, ['registry_match']);
    expect(evidence2.registry_match).toMatchObject({ status: 'pass' });
  });
});

// Last in the file: it stops the server's own worker.
describe('the job queue', () => {
  it('retries a job whose worker died (the lease runs out)', async () => {
    await server.app.worker?.stop();
    const flow = await walkRegistration(await server.device(), makeCitizen(9105), { otp: otp() });
    // A worker claims the job and dies before finishing.
    const claimed = await claimJob(server.deps.db, server.deps.clock.now(), 300);
    expect(claimed?.payload).toMatchObject({ accountId: flow.account!.id });
    const { evidenceWorker } = await import('@camdigikey/server/proofing/evidence-jobs');
    const worker = evidenceWorker(server.deps);
    await worker.start();
    await worker.wake();
    expect(
      await server.deps.db
        .selectFrom('evidence')
        .select('kind')
        .where('account_id', '=', flow.account!.id)
        .execute(),
    ).toEqual([]);
    server.clock.advance(301_000);
    await worker.wake();
    const evidence = await evidenceOf(flow.account!.id, 3, ['mrz_form']);
    expect(evidence.mrz_form?.status).toBe('pass');
    const job = await server.deps.db
      .selectFrom('jobs')
      .select(['state', 'attempts'])
      .where('id', '=', claimed!.id)
      .executeTakeFirstOrThrow();
    expect(job).toEqual({ state: 'done', attempts: 2 });
    await worker.stop();
  });
});
