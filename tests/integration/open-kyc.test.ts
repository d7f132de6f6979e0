/**
 * Open KYC APIs for banks and MFIs (rp-protocol.md §8) over HTTP: institution credentials, a
 * stated purpose, the civil-registry comparison with incorrectFields, face scores against the
 * registry portrait and the ID card, bad input, and the audit trail.
 */
import { sharedFaceEngine } from '@camdigikey/face-engine';
import { cropSampleFaces, idCardVersion, type SampleFace } from '@camdigikey/face-engine/testing/samples';
import { startRegistrySimulator } from '@camdigikey/server/dev/registry-simulator';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { renderDocument } from '@camdigikey/testkit/document-image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRelyingParty } from '../support/citizens';
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
  const engine = sharedFaceEngine();
  await engine.init();
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
    server.clock.advance(61_000); // a fresh rate-limit window
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
