/**
 * Open KYC APIs for banks and MFIs (rp-protocol.md §8) over HTTP: institution credentials, a
 * stated purpose, the civil-registry comparison with incorrectFields, face scores against the
 * registry portrait and the ID card, bad input, and the audit trail. Liveness videos are built from
 * real face crops whose face mesh is turned and nodded (face-engine's synthetic motion), encoded
 * with the same ffmpeg binary the server decodes with.
 */
import { sharedFaceEngine } from '@camdigikey/face-engine';
import { cropSampleFaces, idCardVersion, type SampleFace } from '@camdigikey/face-engine/testing/samples';
import {
  LEFT_RIGHT_NOD_PLAN,
  motionSource,
  type Pose,
  renderPose,
} from '@camdigikey/face-engine/testing/synthetic-motion';
import { startRegistrySimulator } from '@camdigikey/server/dev/registry-simulator';
import { encodeVideo } from '@camdigikey/server/proofing/video-testing';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { renderDocument } from '@camdigikey/testkit/document-image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRelyingParty } from '../support/citizens';
import { warmFaceEngines } from '../support/faces';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let registry: Awaited<ReturnType<typeof startRegistrySimulator>>;
let bank: { clientId: string; clientSecret: string };
let faces: SampleFace[];
const citizen = makeCitizen(9901);

beforeAll(async () => {
  registry = await startRegistrySimulator();
  server = await startTestServer({ env: { CIVIL_REGISTRY_URL: registry.url, KYC_CALLS_PER_MINUTE: '20' } });
  bank = await registerRelyingParty(server, {
    organisation: 'ACLEDA Bank',
    appName: 'Bank onboarding',
    domain: 'bank.example.com.kh',
    allowedScopes: ['openid', 'open_kyc'],
  });
  const engine = await warmFaceEngines();
  faces = await cropSampleFaces(engine, [1]);
  registry.add(citizen, faces[0]!.crop);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await registry?.close();
});

const info = (overrides: Record<string, string> = {}) => ({
  idNumber: citizen.documentNumber,
  firstNameKh: citizen.khmerGivenName,
  lastNameKh: citizen.khmerSurname,
  firstNameEn: citizen.latinGivenName,
  lastNameEn: citizen.latinSurname,
  gender: citizen.gender === 'male' ? 'M' : 'F',
  dob: citizen.birthDate,
  issuedDate: citizen.issueDate,
  expiredDate: citizen.expiryDate,
  ...overrides,
});

const call = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/2.0/kyc/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${bank.clientId}:${bank.clientSecret}`).toString('base64')}`,
      'x-purpose': 'account opening',
      ...headers,
    },
    body: JSON.stringify(body),
  }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as { error: number; message: string; data: Record<string, unknown> | null },
  }));

describe('POST /api/2.0/kyc/info', () => {
  it('scores the claimed identity against the civil register', async () => {
    expect(await call('info', info())).toEqual({
      status: 200,
      body: {
        error: 0,
        message: 'Successfully',
        data: { idNumber: citizen.documentNumber, score: 1, incorrectFields: [] },
      },
    });
    const wrong = await call('info', info({ firstNameKh: 'សុភា', dob: '1970-01-01' }));
    expect(wrong.body.data).toMatchObject({ score: 0.75, incorrectFields: ['firstNameKh', 'dob'] });
  });

  it('answers an unknown ID number, bad input, and unauthorised callers with their codes', async () => {
    expect((await call('info', info({ idNumber: '999999999' }))).body).toMatchObject({ error: 2 });
    expect((await call('info', { ...info(), gender: 'X' })).body).toMatchObject({ error: 1 });
    expect((await call('info', { idNumber: citizen.documentNumber })).status).toBe(400);
    expect((await call('info', info(), { authorization: 'Basic bm9ib2R5OnNlY3JldA==' })).body).toMatchObject({
      error: 3,
    });
    expect((await call('info', info(), { 'x-purpose': '' })).body).toMatchObject({ error: 1 });
  });

  it('refuses a relying party that is not allowed the Open KYC APIs', async () => {
    const portal = await registerRelyingParty(server, {
      appName: 'Some portal',
      domain: 'portal.example.gov.kh',
    });
    const r = await call('info', info(), {
      authorization: `Basic ${Buffer.from(`${portal.clientId}:${portal.clientSecret}`).toString('base64')}`,
    });
    expect(r.body).toMatchObject({ error: 3 });
  });
});

describe('face APIs', () => {
  it('scores a face against the registry portrait and the ID card', async () => {
    const card = renderDocument(citizen, {
      format: 'jpeg',
      portrait: await idCardVersion(faces[0]!.crop),
    }).toString('base64');
    const r = await call('info-face-idcard', {
      userInfo: info(),
      faceImg: faces[0]!.crop.toString('base64'),
      idImage: card,
    });
    expect(r.body.error).toBe(0);
    expect(r.body.data?.faceMoiScore).toBeGreaterThan(0.8);
    expect(r.body.data?.faceDocumentScore).toBeGreaterThan(0.65);
    const other = await call('info-face', { userInfo: info(), faceImg: faces[1]!.crop.toString('base64') });
    expect(other.body.data?.faceMoiScore).toBeLessThan(0.5);
  });

  it('answers a non-face image, bad base64 and an oversized body with clear errors', async () => {
    const card = renderDocument(citizen, { format: 'jpeg' }).toString('base64'); // a card with no real face
    expect((await call('info-face', { userInfo: info(), faceImg: card })).body).toMatchObject({ error: 5 });
    expect((await call('info-face', { userInfo: info(), faceImg: '%%%not-base64%%%' })).body).toMatchObject({
      error: 1,
    });
    const huge = await call('info-face', {
      userInfo: info(),
      faceImg: 'A'.repeat(server.deps.config.http.maxBodyBytes),
    });
    expect(huge.status).toBe(413);
  });

  it('audits every call with the institution and purpose, and rate-limits per institution', async () => {
    const audit = await server.deps.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('subject_id', '=', bank.clientId)
      .where('action', 'like', 'kyc.%')
      .execute();
    expect(audit.length).toBeGreaterThan(5);
    expect(audit[0]?.details).toMatchObject({ purpose: 'account opening' });
    expect(JSON.stringify(audit)).not.toContain(citizen.documentNumber);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await call('info', info())).status);
    expect(statuses).toContain(429);
  });
});

describe('POST /api/2.0/kyc/ocr-idcard', () => {
  it('reads the MRZ of an ID card photo on the server and returns its fields and lines', async () => {
    server.clock.advance(121_000); // two windows: a fresh sliding rate-limit count
    const card = makeCitizen(9911, { documentType: 'id_card' });
    const r = await call('ocr-idcard', {
      idImage: renderDocument(card, { format: 'jpeg' }).toString('base64'),
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      error: 0,
      data: {
        idNumber: card.documentNumber,
        lastNameEn: card.latinSurname,
        firstNameEn: card.latinGivenName,
        gender: card.gender === 'male' ? 'M' : 'F',
        dob: card.birthDate,
        expiredDate: card.expiryDate,
        firstNameKh: null,
        issuedDate: null,
        MRZ1: card.mrz[0],
        MRZ2: card.mrz[1],
        MRZ3: card.mrz[2],
      },
    });
  });

  it('answers an image without an MRZ, a non-image and bad base64 with clear errors', async () => {
    const sharp = (await import('sharp')).default;
    const blank = await sharp({ create: { width: 800, height: 500, channels: 3, background: '#eeeeee' } })
      .png()
      .toBuffer();
    expect(await call('ocr-idcard', { idImage: blank.toString('base64') })).toMatchObject({
      status: 422,
      body: { error: 7, data: null },
    });
    expect(
      await call('ocr-idcard', { idImage: Buffer.from('not an image at all, just text').toString('base64') }),
    ).toMatchObject({ status: 400, body: { error: 1 } });
    expect(await call('ocr-idcard', { idImage: '***not base64***' })).toMatchObject({
      status: 400,
      body: { error: 1 },
    });
    expect(await call('ocr-idcard', {})).toMatchObject({ status: 400, body: { error: 1 } });
  });
});

/** Neutral, then each action (1 turn left, 2 turn right, 3 nod) as in LEFT_RIGHT_NOD_PLAN, then neutral. */
function planFor(actions: string[]): Pose[] {
  const segment: Record<string, Pose[]> = {
    '1': LEFT_RIGHT_NOD_PLAN.slice(2, 6),
    '2': LEFT_RIGHT_NOD_PLAN.slice(6, 10),
    '3': LEFT_RIGHT_NOD_PLAN.slice(10, 14),
  };
  return [...LEFT_RIGHT_NOD_PLAN.slice(0, 2), ...actions.flatMap((a) => segment[a]!), { yaw: -1, pitch: 0 }];
}

describe('POST /api/2.0/kyc/info-idcard-liveness', () => {
  const person = makeCitizen(9921, { documentType: 'id_card' });
  const personInfo = {
    idNumber: person.documentNumber,
    firstNameKh: person.khmerGivenName,
    lastNameKh: person.khmerSurname,
    firstNameEn: person.latinGivenName,
    lastNameEn: person.latinSurname,
    gender: person.gender === 'male' ? 'M' : 'F',
    dob: person.birthDate,
    issuedDate: person.issueDate,
    expiredDate: person.expiryDate,
  };
  let genuine: string; // right, left, nod
  let genuineWebm: string;
  let still: string;
  let idImage: string;

  beforeAll(async () => {
    const engine = sharedFaceEngine();
    // s3f2: the sample face whose synthetic pose response is strong (see face-engine's liveness tests).
    const crop = (await cropSampleFaces(engine, [3])).find((f) => f.id === 's3f2')!.crop;
    registry.add(person, crop);
    const src = await motionSource(crop, (await engine.detect(crop)).faces[0]!);
    const frames = planFor(['2', '1', '3']).map((p) => renderPose(src, p));
    genuine = (await encodeVideo(frames, { fps: 8, codec: 'h264' })).toString('base64');
    genuineWebm = (await encodeVideo(frames, { fps: 8, codec: 'vp8' })).toString('base64');
    still = (await encodeVideo(Array(16).fill(crop), { fps: 8, codec: 'h264' })).toString('base64');
    idImage = renderDocument(person, { format: 'jpeg', portrait: await idCardVersion(crop) }).toString(
      'base64',
    );
  }, 120_000);

  it('passes the video made for the requested actions, with face scores against the card and the register', async () => {
    server.clock.advance(121_000); // two windows: a fresh sliding rate-limit count
    const r = await call('info-idcard-liveness', {
      actions: ['2', '1', '3'],
      userInfo: personInfo,
      idImage,
      liveness: genuine,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      error: 0,
      message: 'Successfully',
      data: {
        userInfo: { idNumber: person.documentNumber, score: 1, incorrectFields: [] },
        failedAction: null,
        livenessPassed: true,
      },
    });
    expect(r.body.data?.livenessScore).toBeGreaterThan(0.6);
    // The frontal frame went through mesh re-texturing and H.264; the card portrait is a degraded
    // print: about the match threshold, well above another person's (< 0.5, see the face APIs).
    expect(r.body.data?.faceDocumentScore).toBeGreaterThan(0.55);
    expect(r.body.data?.faceMoiScore).toBeGreaterThan(0.7);
  }, 120_000);

  it('accepts the same recording as a WebM (VP8) video', async () => {
    const r = await call('info-idcard-liveness', {
      actions: ['2', '1', '3'],
      userInfo: personInfo,
      idImage,
      liveness: genuineWebm,
    });
    expect(r.body).toMatchObject({ error: 0, data: { livenessPassed: true, failedAction: null } });
  }, 120_000);

  it('fails the same video for another order of actions, naming the action that was not seen', async () => {
    const r = await call('info-idcard-liveness', {
      actions: ['1', '2', '3'],
      userInfo: personInfo,
      idImage,
      liveness: genuine,
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ failedAction: '1', livenessPassed: false });
    expect(r.body.data?.livenessScore).toBeLessThan(0.6);
  }, 120_000);

  it('fails a still photo encoded as a video', async () => {
    const r = await call('info-idcard-liveness', {
      actions: ['1'],
      userInfo: personInfo,
      idImage,
      liveness: still,
    });
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ livenessPassed: false, livenessScore: 0 });
    expect(r.body.data?.livenessReason).toBeTruthy();
  }, 120_000);

  it('answers bad input with error 1 and no data, never a server error', async () => {
    const body = { actions: ['1'], userInfo: personInfo, idImage, liveness: genuine };
    const cases: [unknown, number][] = [
      [{ ...body, liveness: '%%% not base64 %%%' }, 400],
      [{ ...body, liveness: undefined }, 400],
      [{ ...body, actions: [] }, 400],
      [{ ...body, actions: ['1', '2', '3', '1', '2'] }, 400],
      [{ ...body, actions: ['4'] }, 400],
      [{ ...body, liveness: idImage }, 400], // a JPEG, not a video
      [{ ...body, liveness: Buffer.from('not a video, just words in a row').toString('base64') }, 400],
      // An MP4 header followed by noise: ffmpeg cannot decode it.
      [
        {
          ...body,
          liveness: Buffer.concat([
            Buffer.from(genuine, 'base64').subarray(0, 32),
            Buffer.alloc(20_000, 7),
          ]).toString('base64'),
        },
        400,
      ],
      // More than 8 MB of video.
      [
        {
          ...body,
          liveness: Buffer.concat([
            Buffer.from(genuine, 'base64').subarray(0, 32),
            Buffer.alloc(8_100_000, 7),
          ]).toString('base64'),
        },
        413,
      ],
    ];
    for (const [request, status] of cases) {
      const r = await call('info-idcard-liveness', request);
      expect({ status: r.status, error: r.body.error, data: r.body.data }).toEqual({
        status,
        error: 1,
        data: null,
      });
      expect(r.body.message).toMatch(/liveness|actions|Invalid request/);
    }
    // A body beyond the server's limit, and a body that is not JSON, in the API's envelope too.
    const huge = await call('info-idcard-liveness', {
      ...body,
      liveness: 'A'.repeat(server.deps.config.http.maxBodyBytes),
    });
    expect(huge).toMatchObject({ status: 413, body: { error: 1, data: null } });
    const text = await fetch(`${server.url}/api/2.0/kyc/info-idcard-liveness`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${bank.clientId}:${bank.clientSecret}`).toString('base64')}`,
        'x-purpose': 'account opening',
      },
      body: '{not json',
    });
    expect(text.status).toBe(400);
    expect(await text.json()).toMatchObject({ error: 1, data: null });
  }, 120_000);
});
