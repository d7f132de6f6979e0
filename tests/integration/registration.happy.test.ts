/**
 * Happy paths of the registration flow over HTTP against a real server, real PostgreSQL and
 * Redis (in CI; PGlite and memory locally) and a real SMTP server: a synthetic citizen goes
 * from start to `pending_review`, with a Khmer ID card (Face ID on) and with a foreign passport
 * (Face ID skipped, English), and the status stream reports the officer's decision at once.
 */
import { changeAccountStatus } from '@camdigikey/server/accounts/account-status';
import { openPersonal } from '@camdigikey/server/accounts/personal-data';
import { verifyAuditLog } from '@camdigikey/server/audit/verify';
import { CITIZENS } from '@camdigikey/testkit/citizens';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import { SoftAuthenticator } from '@camdigikey/testkit/webauthn-authenticator';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const otp = () => ({ sms: (p: string) => server.smsCode(p), email: (a: string) => server.emailCode(a) });
const khmerCard = CITIZENS.find((c) => c.documentType === 'id_card')!;
const passport = CITIZENS.find((c) => c.documentType === 'passport')!;

describe('registration with a Khmer ID card and Face ID', () => {
  let flow: Awaited<ReturnType<typeof walkRegistration>>;
  let device: Awaited<ReturnType<TestServer['device']>>;

  beforeAll(async () => {
    device = await server.device();
    flow = await walkRegistration(device, khmerCard, {
      otp: otp(),
      authenticator: { device: new SoftAuthenticator(), origin: server.url },
    });
  });

  it('ends submitted, with an account pending review and its deadline', () => {
    expect(flow.state).toBe('submitted');
    expect(flow.account?.status).toBe('pending_review');
    // Monday 09:00 in Phnom Penh + 8 working hours = Tuesday 10:00 (03:00 UTC).
    expect(flow.account?.reviewDeadline).toBe('2026-12-01T03:00:00.000Z');
  });

  it('stored the account with the citizen data and nothing secret in clear', async () => {
    const account = await server.deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', flow.account!.id)
      .executeTakeFirstOrThrow();
    expect(account).toMatchObject({
      status: 'pending_review',
      language: 'km',
      document_type: 'id_card',
      document_issuing_state: 'KHM',
    });
    // The citizen data is there, sealed (personal-data.ts); none of it in clear.
    expect(openPersonal(server.deps.envelope, account)).toMatchObject({
      khmerSurname: khmerCard.khmerSurname,
      khmerGivenName: khmerCard.khmerGivenName,
      latinSurname: khmerCard.latinSurname,
      birthDate: khmerCard.birthDate,
    });
    const row = JSON.stringify(account);
    for (const value of [
      khmerCard.latinSurname,
      khmerCard.khmerSurname,
      khmerCard.email,
      khmerCard.birthDate,
    ])
      expect(row).not.toContain(value);
    expect(row).not.toContain(khmerCard.documentNumber);
    expect(row).not.toContain(khmerCard.pin);
    expect(account.pin_verifier).toMatch(/^\$argon2id\$/);
    expect(account.review_flags).toEqual([]);
  });

  it('bound the device key and the Face ID credential to the account', async () => {
    const devices = await server.deps.db
      .selectFrom('devices')
      .selectAll()
      .where('account_id', '=', flow.account!.id)
      .execute();
    expect(devices.map((d) => d.thumbprint)).toEqual([device.thumbprint]);
    const credentials = await server.deps.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('account_id', '=', flow.account!.id)
      .execute();
    expect(credentials).toHaveLength(1);
  });

  it('kept the document photo, selfie and recording encrypted under the account', async () => {
    const blobs = await server.deps.db
      .selectFrom('blobs')
      .selectAll()
      .where('owner_id', '=', flow.account!.id)
      .execute();
    expect(blobs.map((b) => b.purpose).sort()).toEqual(['document_photo', 'liveness_recording', 'selfie']);
    for (const blob of blobs) {
      expect(blob.owner_type).toBe('account');
      expect(blob.sealed.startsWith('v1.')).toBe(true);
      expect(blob.sealed).not.toContain('/9j/'); // base64 of a JPEG header
    }
  });

  it('recorded the consent text version', async () => {
    const consent = await server.deps.db
      .selectFrom('consents')
      .selectAll()
      .where('account_id', '=', flow.account!.id)
      .executeTakeFirstOrThrow();
    expect(consent.text_version).toBe('registration.v2');
  });

  it('sent the codes in Khmer, the SMS through the gateway port and the e-mail over SMTP', async () => {
    await server.notified();
    const sms = await server.deps.outbox.latest(
      `+855${khmerCard.phone.replace(/\D/g, '').replace(/^0/, '')}`,
    );
    expect(sms?.text).toMatch(/លេខកូដ CamDigiKey/);
    const mail = server.inbox.messages.find((m) => m.to.includes(khmerCard.email));
    expect(mail?.subject).toBe('លេខកូដផ្ទៀងផ្ទាត់ CamDigiKey របស់លោកអ្នក');
  });

  it('wrote an audit event for every step, in an intact chain, without secrets', async () => {
    const events = await server.deps.db
      .selectFrom('audit_events')
      .select(['action', 'details'])
      .where('subject_id', '=', flow.id)
      .orderBy('seq')
      .execute();
    const actions = events.map((e) => e.action);
    for (const action of [
      'registration.started',
      'registration.submit_phone',
      'registration.verify_phone_code',
      'registration.verify_email_code',
      'registration.set_pin',
      'registration.register_face_id',
      'registration.submit_liveness',
      'registration.submit_document',
      'registration.submit_details',
      'registration.accept_consent',
      'registration.submit',
    ]) {
      expect(actions).toContain(action);
    }
    const text = JSON.stringify(events);
    expect(text).not.toContain(khmerCard.documentNumber);
    expect(text).not.toContain(khmerCard.pin);
    expect(await verifyAuditLog(server.deps.db, server.deps.config.audit.keys, undefined)).toMatchObject({
      ok: true,
    });
  });

  it('lets the app resume the submitted flow and read the status', async () => {
    const resumed = await device.call<{ state: string; account: { status: string } }>(
      'GET',
      `/api/device/v1/registration/${flow.id}`,
    );
    expect(resumed.status).toBe(200);
    expect(resumed.body.state).toBe('submitted');
    const status = await device.call<{ status: string; messageId: string }>(
      'GET',
      '/api/device/v1/account/status',
    );
    expect(status.body).toMatchObject({
      status: 'pending_review',
      messageId: 'account.status.pending_review',
    });
  });

  it('streams the officer decision to the app without polling', async () => {
    const stream = await device.openStatusStream();
    try {
      expect(await stream.next()).toMatchObject({ status: 'pending_review' });
      await changeAccountStatus(server.deps, flow.account!.id, 'active', {
        actorType: 'officer',
        actorId: 'test-officer',
      });
      expect(await stream.next()).toMatchObject({ status: 'active', accountId: flow.account!.id });
    } finally {
      stream.close();
    }
  });
});

describe('registration with a foreign passport, in English, without Face ID', () => {
  it('goes from start to pending_review', async () => {
    const device = await server.device();
    const flow = await walkRegistration(device, passport, { otp: otp(), language: 'en' });
    expect(flow.state).toBe('submitted');
    expect(flow.account?.status).toBe('pending_review');
    const account = await server.deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', flow.account!.id)
      .executeTakeFirstOrThrow();
    expect(account).toMatchObject({ document_type: 'passport', language: 'en' });
    expect(openPersonal(server.deps.envelope, account).nationality).toBe(passport.nationality);
    const credentials = await server.deps.db
      .selectFrom('webauthn_credentials')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('account_id', '=', flow.account!.id)
      .executeTakeFirstOrThrow();
    expect(credentials.n).toBe(0);
    await server.notified();
    const mail = server.inbox.messages.find((m) => m.to.includes(passport.email));
    expect(mail?.subject).toBe('Your CamDigiKey verification code');
  });
});
