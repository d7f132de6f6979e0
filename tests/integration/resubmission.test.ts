/**
 * Resubmission of one part of a registration over HTTP: an officer asks for the document photo
 * or the liveness check again; the account waits in `resubmission_requested` (status endpoint and
 * stream, SMS and e-mail in the citizen's language); the registered device redoes only that part;
 * the account is back in the queue with a new deadline and fresh evidence; the officer approves.
 * Every refusal leaves the account, its media and the queue exactly as they were.
 */
import { normalizePhone } from '@camdigikey/core/identity/phone';
import { reviewDeadline } from '@camdigikey/server/calendar/review-calendar';
import { totpFor } from '@camdigikey/server/console/officers';
import { makeCitizen, type SyntheticCitizen } from '@camdigikey/testkit/citizens';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import {
  documentPhotoBody,
  livenessBody,
  performResubmission,
  RESUBMISSION,
  sendDocumentPhoto,
  sendLiveness,
  startResubmission,
} from '@camdigikey/testkit/resubmission';
import type { DeviceResponse, TestDevice } from '@camdigikey/testkit/test-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let officer: { username: string; secret: string; id: string };
let seed = 9800;

beforeAll(async () => {
  // The evidence worker runs here: a resubmission must recompute the evidence.
  server = await startTestServer({ env: { EVIDENCE_WORKER: 'true', EVIDENCE_POLL_MS: '200' } });
  const r = await fetch(`${server.url}/api/admin/v1/officers`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      username: 'vannak',
      displayName: 'Officer Vannak',
      role: 'officer',
      password: 'correct horse battery',
    }),
  });
  expect(r.status).toBe(201);
  const created = (await r.json()) as { id: string; totpSecret: string };
  officer = { username: 'vannak', secret: created.totpSecret, id: created.id };
}, 120_000);
afterAll(async () => server?.close());

const otp = () => ({ sms: (p: string) => server.smsCode(p), email: (a: string) => server.emailCode(a) });
const e164 = (phone: string) => {
  const r = normalizePhone(phone);
  return r.ok ? r.value.e164 : '';
};

/** A fresh officer session (a new TOTP time step each time, as a code is accepted once). */
async function officerToken(): Promise<string> {
  server.clock.advance(30_000);
  const code = totpFor(officer.secret, officer.username).generate({
    timestamp: server.clock.now().getTime(),
  });
  const r = await fetch(`${server.url}/api/console/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: officer.username, password: 'correct horse battery', totp: code }),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { token: string }).token;
}

const consoleCall = async (path: string, body?: unknown) => {
  const token = await officerToken();
  const r = await fetch(`${server.url}/api/console/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

/** Claim and decide with one session. */
async function decide(accountId: string, decision: Record<string, unknown>) {
  const token = await officerToken();
  const post = (path: string, body: unknown) =>
    fetch(`${server.url}/api/console/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  expect((await post(`/cases/${accountId}/claim`, {})).status).toBe(200);
  const r = await post(`/cases/${accountId}/decision`, decision);
  expect(r.status).toBe(200);
}

async function queueIds(): Promise<string[]> {
  const r = await consoleCall('/queue');
  expect(r.status).toBe(200);
  return (r.body.cases as { accountId: string }[]).map((c) => c.accountId);
}

async function pendingCitizen(language: 'km' | 'en' = 'km') {
  const citizen = makeCitizen(seed++);
  const device = await server.device();
  const flow = await walkRegistration(device, citizen, { otp: otp(), language });
  return { citizen, device, accountId: flow.account!.id };
}

async function accountRow(accountId: string) {
  return server.deps.db
    .selectFrom('accounts')
    .select(['status', 'review_deadline', 'review_flags'])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
}

async function blobsOf(accountId: string) {
  const rows = await server.deps.db
    .selectFrom('blobs')
    .select(['id', 'purpose'])
    .where('owner_type', '=', 'account')
    .where('owner_id', '=', accountId)
    .orderBy('id')
    .execute();
  return rows.map((r) => `${r.purpose}:${r.id}`).sort();
}

/** What must not change when a call is refused. */
async function snapshot(accountId: string) {
  const account = await accountRow(accountId);
  const requests = await server.deps.db
    .selectFrom('resubmission_requests')
    .select(['id', 'completed_at'])
    .where('account_id', '=', accountId)
    .execute();
  const jobs = await evidenceJobs(accountId);
  return {
    status: account.status,
    deadline: account.review_deadline.toISOString(),
    blobs: await blobsOf(accountId),
    requests: requests.map((r) => `${r.id}:${r.completed_at?.toISOString() ?? 'open'}`),
    jobs: jobs.length,
  };
}

async function evidenceJobs(accountId: string) {
  const rows = await server.deps.db
    .selectFrom('jobs')
    .select(['id', 'payload', 'created_at'])
    .where('kind', '=', 'registration.evidence')
    .execute();
  return rows.filter((r) => (r.payload as { accountId?: string }).accountId === accountId);
}

async function evidenceComputedAfter(accountId: string, kind: string, after: Date | null) {
  let row: { computed_at: Date; details: unknown } | undefined;
  await expect
    .poll(
      async () => {
        row = await server.deps.db
          .selectFrom('evidence')
          .select(['computed_at', 'details'])
          .where('account_id', '=', accountId)
          .where('kind', '=', kind)
          .executeTakeFirst();
        return row !== undefined && (after === null || row.computed_at.getTime() > after.getTime());
      },
      { timeout: 90_000, interval: 250 },
    )
    .toBe(true);
  return row!;
}

function expectError(r: DeviceResponse, status: number, code: string) {
  expect({ status: r.status, code: (r.body as { error?: { code?: string } }).error?.code }).toEqual({
    status,
    code,
  });
}

async function askFor(accountId: string, part: 'document_photo' | 'liveness') {
  await decide(accountId, { decision: 'resubmit', part });
}

describe('resubmission of the document photo', () => {
  it('asks the citizen, takes the new photo, puts the case back in the queue with fresh evidence, then approves', async () => {
    const { citizen, device, accountId } = await pendingCitizen('en');
    const first = await evidenceComputedAfter(accountId, 'mrz_form', null);
    const stream = await device.openStatusStream();
    expect(await stream.next()).toMatchObject({ status: 'pending_review', resubmission: null });
    const before = await blobsOf(accountId);

    await askFor(accountId, 'document_photo');
    expect(await stream.next()).toMatchObject({
      status: 'resubmission_requested',
      messageId: 'account.status.resubmission_requested',
      resubmission: { part: 'document_photo', messageId: 'part.document_photo' },
    });
    const status = await device.call('GET', '/api/device/v1/account/status');
    expect(status.body).toMatchObject({
      status: 'resubmission_requested',
      resubmission: { part: 'document_photo' },
    });
    expect(await queueIds()).not.toContain(accountId);
    // Told in the citizen's language (English here), by SMS and by e-mail.
    await server.notified();
    const sms = await server.deps.outbox.latest(e164(citizen.phone));
    expect(sms?.text).toBe(
      'To finish your CamDigiKey registration, please open the app and take a new photo of your document.',
    );
    const mail = await server.inbox.waitFor(
      (m) => m.to.includes(citizen.email.toLowerCase()) && m.text.includes('take a new photo'),
    );
    expect(mail.subject).toBe('Your CamDigiKey registration');

    server.clock.advance(3_600_000);
    const expectedDeadline = await reviewDeadline(
      server.deps.db,
      server.deps.config.review,
      server.clock.now(),
    );
    const done = await performResubmission(device, citizen);
    expect(done.part).toBe('document_photo');
    expect(done.status).toMatchObject({
      status: 'pending_review',
      resubmission: null,
      reviewDeadline: expectedDeadline.toISOString(),
    });
    expect(await stream.next()).toMatchObject({ status: 'pending_review', resubmission: null });

    const after = await blobsOf(accountId);
    const photoBefore = before.filter((b) => b.startsWith('document_photo:'));
    const photoAfter = after.filter((b) => b.startsWith('document_photo:'));
    expect(photoAfter).toHaveLength(1);
    expect(photoAfter).not.toEqual(photoBefore);
    expect(after.filter((b) => !b.startsWith('document_photo:'))).toEqual(
      before.filter((b) => !b.startsWith('document_photo:')),
    );
    const row = await accountRow(accountId);
    expect(row.review_deadline.toISOString()).toBe(expectedDeadline.toISOString());
    expect(row.review_flags).toContainEqual(
      expect.objectContaining({ type: 'resubmitted', part: 'document_photo' }),
    );
    expect(await queueIds()).toContain(accountId);
    expect(await evidenceJobs(accountId)).toHaveLength(2);
    await evidenceComputedAfter(accountId, 'mrz_form', first.computed_at);

    const audit = await server.deps.db
      .selectFrom('audit_events')
      .select('action')
      .where('subject_id', '=', accountId)
      .where((eb) =>
        eb.or([eb('action', 'like', 'resubmission.%'), eb('action', '=', 'account.status_changed')]),
      )
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'account.status_changed',
      'resubmission.started',
      'account.status_changed',
      'resubmission.completed',
    ]);

    // Consumed: a second resubmission is refused and changes nothing.
    const unchanged = await snapshot(accountId);
    expectError(await startResubmission(device), 409, 'resubmission_not_requested');
    expectError(
      await sendDocumentPhoto(device, documentPhotoBody(citizen)),
      409,
      'resubmission_not_requested',
    );
    expect(await snapshot(accountId)).toEqual(unchanged);

    await decide(accountId, { decision: 'approve' });
    expect(await stream.next()).toMatchObject({ status: 'active' });
    stream.close();
  }, 180_000);
});

describe('resubmission of the liveness check', () => {
  it('gives a fresh challenge, refuses a recording for an old one, and takes the new recording', async () => {
    const { citizen, device, accountId } = await pendingCitizen('km');
    const original = await evidenceComputedAfter(accountId, 'liveness', null);
    const oldChallengeId = (original.details as { challengeId: string }).challengeId;
    const before = await blobsOf(accountId);

    await askFor(accountId, 'liveness');
    await server.notified();
    const sms = await server.deps.outbox.latest(e164(citizen.phone));
    expect(sms?.text).toBe('ដើម្បីបញ្ចប់ការចុះឈ្មោះ CamDigiKey សូមបើកកម្មវិធី ហើយស្កែនមុខម្តងទៀត។');

    const started = await startResubmission(device);
    expect(started.status).toBe(200);
    expect(started.body.part).toBe('liveness');
    const firstChallenge = started.body.challenge!;
    expect(firstChallenge.id).not.toBe(oldChallengeId);
    expect(firstChallenge.actions.length).toBeGreaterThanOrEqual(server.deps.config.flows.livenessMinActions);
    expect(firstChallenge.actions.length).toBeLessThanOrEqual(server.deps.config.flows.livenessMaxActions);

    // Starting again replaces the challenge: the registration's and the first one are refused.
    const again = await startResubmission(device);
    expect(again.body.challenge!.id).not.toBe(firstChallenge.id);
    // A challenge has a time limit, as at registration.
    server.clock.advance((server.deps.config.flows.livenessTimeLimitSeconds + 1) * 1000);
    expectError(
      await sendLiveness(device, await livenessBody(again.body.challenge!)),
      400,
      'liveness_challenge_expired',
    );
    const latest = await startResubmission(device);
    const challenge = latest.body.challenge!;
    const unchanged = await snapshot(accountId);
    expectError(
      await sendLiveness(device, await livenessBody({ ...challenge, id: oldChallengeId })),
      400,
      'liveness_challenge_invalid',
    );
    expectError(
      await sendLiveness(device, await livenessBody(firstChallenge)),
      400,
      'liveness_challenge_invalid',
    );
    // The other part is not what the officer asked for.
    expectError(
      await sendDocumentPhoto(device, documentPhotoBody(citizen)),
      409,
      'resubmission_part_mismatch',
    );
    expect(await snapshot(accountId)).toEqual(unchanged);

    const sent = await sendLiveness(device, await livenessBody(challenge));
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'pending_review', resubmission: null });
    const after = await blobsOf(accountId);
    const media = (list: string[], purpose: string) => list.filter((b) => b.startsWith(`${purpose}:`));
    for (const purpose of ['selfie', 'liveness_recording']) {
      expect(media(after, purpose)).toHaveLength(1);
      expect(media(after, purpose)).not.toEqual(media(before, purpose));
    }
    expect(media(after, 'document_photo')).toEqual(media(before, 'document_photo'));
    expect(await queueIds()).toContain(accountId);
    const recomputed = await evidenceComputedAfter(accountId, 'liveness', original.computed_at);
    expect((recomputed.details as { challengeId: string }).challengeId).toBe(challenge.id);

    await decide(accountId, { decision: 'approve' });
    expect((await accountRow(accountId)).status).toBe('active');
  }, 180_000);
});

describe('refusals write nothing', () => {
  let c: { citizen: SyntheticCitizen; device: TestDevice; accountId: string };

  beforeAll(async () => {
    c = await pendingCitizen();
  }, 60_000);

  it('refuses a device whose account has no request pending', async () => {
    const before = await snapshot(c.accountId);
    expectError(await startResubmission(c.device), 409, 'resubmission_not_requested');
    expectError(
      await sendDocumentPhoto(c.device, documentPhotoBody(c.citizen)),
      409,
      'resubmission_not_requested',
    );
    expect(await snapshot(c.accountId)).toEqual(before);
  });

  it('refuses the wrong part, a replayed proof, other devices and accounts, oversized and non-images', async () => {
    await askFor(c.accountId, 'document_photo');
    const started = await startResubmission(c.device);
    expect(started.body).toEqual({ part: 'document_photo', messageId: 'part.document_photo' });
    const before = await snapshot(c.accountId);
    expect(before.status).toBe('resubmission_requested');

    // The wrong part.
    const wrongPart = await livenessBody({
      id: '00000000-0000-4000-8000-000000000000',
      actions: ['nod', 'blink', 'turn_left'],
    });
    expectError(await sendLiveness(c.device, wrongPart), 409, 'resubmission_part_mismatch');
    // A replayed proof: the same call again with the same proof.
    expectError(
      await c.device.call('POST', `${RESUBMISSION}/liveness`, wrongPart, { proof: c.device.lastProof }),
      401,
      'device_proof_replayed',
    );
    // An unregistered device, and the device of another (pending) account.
    const stranger = await server.device();
    expectError(await sendDocumentPhoto(stranger, documentPhotoBody(c.citizen)), 401, 'device_key_unknown');
    const other = await pendingCitizen();
    expectError(
      await sendDocumentPhoto(other.device, documentPhotoBody(c.citizen)),
      409,
      'resubmission_not_requested',
    );
    // An oversized photo and a file that is not an image.
    const huge = Buffer.alloc(server.deps.config.http.maxImageBytes + 1024, 0xff);
    expectError(
      await sendDocumentPhoto(c.device, { photo: huge.toString('base64') }),
      413,
      'upload_too_large',
    );
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'.repeat(20));
    expectError(
      await sendDocumentPhoto(c.device, { photo: pdf.toString('base64') }),
      415,
      'upload_not_image',
    );
    // A body of the wrong shape (the liveness fields at the photo's address).
    expectError(await sendDocumentPhoto(c.device, { photo: 'abc', mrz: 'x' }), 400, 'validation_failed');

    expect(await snapshot(c.accountId)).toEqual(before);
    expect(await queueIds()).not.toContain(c.accountId);
    const refused = await server.deps.db
      .selectFrom('audit_events')
      .select('details')
      .where('subject_id', '=', c.accountId)
      .where('action', '=', 'resubmission.refused')
      .orderBy('seq')
      .execute();
    expect(refused.map((r) => (r.details as { reason: string }).reason)).toEqual([
      'resubmission_not_requested', // the previous test, before the officer asked
      'resubmission_part_mismatch',
      'upload_too_large',
      'upload_not_image',
    ]);

    // Still possible afterwards, once: of two photos sent at the same time, one is taken.
    const answers = await Promise.all([
      sendDocumentPhoto(c.device, documentPhotoBody(c.citizen)),
      sendDocumentPhoto(c.device, documentPhotoBody(c.citizen)),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const after = await snapshot(c.accountId);
    expect(after.status).toBe('pending_review');
    expect(after.blobs.filter((b) => b.startsWith('document_photo:'))).toHaveLength(1);
    expect(after.jobs).toBe(before.jobs + 1);
  }, 120_000);
});
