/**
 * Officers review registrations over the console API: sign-in with password and TOTP, the queue
 * ordered by the working-hours deadline, claims, approve / reject / resubmit, four-eyes for fraud
 * rejections, and the citizen learning the decision at once (status stream, SMS, e-mail).
 */
import { normalizePhone } from '@camdigikey/core/identity/phone';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfficer as createTestOfficer, signInOfficer, totpCode } from '../support/officers';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
const officers: Record<string, { token: string; id: string }> = {};
const secrets: Record<string, string> = {};
let seed = 9700;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const post = (path: string, token: string, body: unknown = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: json(token), body: JSON.stringify(body) });
const otp = () => ({ sms: (p: string) => server.smsCode(p), email: (a: string) => server.emailCode(a) });
const e164 = (phone: string) => {
  const r = normalizePhone(phone);
  return r.ok ? r.value.e164 : '';
};

const createOfficer = (username: string, role = 'officer') => createTestOfficer(server, username, role);
const code = (secret: string, username: string) => totpCode(server, secret, username);
const signIn = (username: string, password: string, totp: string) =>
  signInOfficer(server, username, password, totp);

/** Sessions end after 30 idle minutes: sign in again after moving the clock. */
async function relogin() {
  server.clock.advance(30_000); // a new TOTP time step
  for (const name of ['dara', 'sopheap']) {
    const r = await signIn(name, 'correct horse battery', code(secrets[name]!, name));
    officers[name]!.token = ((await r.json()) as { token: string }).token;
  }
}

async function pendingCitizen() {
  const citizen = makeCitizen(seed++);
  const device = await server.device();
  const flow = await walkRegistration(device, citizen, { otp: otp() });
  return { citizen, device, accountId: flow.account!.id };
}

describe('officer sign-in', () => {
  it('needs the password and a fresh TOTP code, answers the same for unknown officers, and locks after 5 failures', async () => {
    const created = await createOfficer('dara');
    expect(created.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const unknown = await signIn('nobody', 'correct horse battery', '123456');
    const wrongPassword = await signIn('dara', 'wrong password!!', code(created.totpSecret, 'dara'));
    expect([unknown.status, wrongPassword.status]).toEqual([401, 401]);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('officer_login_failed');
    const good = code(created.totpSecret, 'dara');
    const ok = await signIn('dara', 'correct horse battery', good);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/cdk_console=.*HttpOnly; SameSite=Strict/);
    const { token } = (await ok.json()) as { token: string };
    officers.dara = { token, id: created.id };
    // A TOTP code is accepted once.
    expect((await signIn('dara', 'correct horse battery', good)).status).toBe(401);
    for (let i = 0; i < 4; i++) await signIn('dara', 'wrong password!!', '000000');
    server.clock.advance(30_000);
    const locked = await signIn('dara', 'correct horse battery', code(created.totpSecret, 'dara'));
    expect(locked.status).toBe(429);
    server.clock.advance(15 * 60_000);
    const again = await signIn('dara', 'correct horse battery', code(created.totpSecret, 'dara'));
    expect(again.status).toBe(200);
    officers.dara = { token: ((await again.json()) as { token: string }).token, id: created.id };
    secrets.dara = created.totpSecret;
    const sopheap = await createOfficer('sopheap', 'supervisor');
    secrets.sopheap = sopheap.totpSecret;
    const s = await signIn('sopheap', 'correct horse battery', code(sopheap.totpSecret, 'sopheap'));
    officers.sopheap = { token: ((await s.json()) as { token: string }).token, id: sopheap.id };
    expect((await fetch(`${server.url}/api/console/v1/queue`)).status).toBe(401);
  });
});

describe('the review', () => {
  it('lists pending registrations by deadline with the working time left', async () => {
    const first = await pendingCitizen();
    server.clock.advance(3_600_000);
    const second = await pendingCitizen();
    await relogin();
    const r = await fetch(`${server.url}/api/console/v1/queue`, { headers: json(officers.dara!.token) });
    const { cases } = (await r.json()) as {
      cases: { accountId: string; workingMsLeft: number; sla: string }[];
    };
    const ids = cases.map((c) => c.accountId);
    expect(ids.indexOf(first.accountId)).toBeLessThan(ids.indexOf(second.accountId));
    const mine = cases.find((c) => c.accountId === second.accountId)!;
    expect(mine.workingMsLeft).toBe(8 * 3_600_000 - 30_000);
    expect(mine.sla).toBe('on_time');
  });

  it('lets one officer claim a case and approve it; the citizen learns it at once', async () => {
    const { citizen, device, accountId } = await pendingCitizen();
    const stream = await device.openStatusStream();
    expect(await stream.next()).toMatchObject({ status: 'pending_review' });
    expect((await post(`/api/console/v1/cases/${accountId}/claim`, officers.dara!.token)).status).toBe(200);
    const other = await post(`/api/console/v1/cases/${accountId}/claim`, officers.sopheap!.token);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('case_claimed_by_other');
    const view = (await (
      await fetch(`${server.url}/api/console/v1/cases/${accountId}`, { headers: json(officers.dara!.token) })
    ).json()) as {
      form: { documentNumber: string };
      mrz: string[];
    };
    expect(view.form.documentNumber).toBe(citizen.documentNumber);
    expect(view.mrz).toEqual(citizen.mrz);
    const decided = await post(`/api/console/v1/cases/${accountId}/decision`, officers.dara!.token, {
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
    expect(await stream.next()).toMatchObject({ status: 'active' });
    stream.close();
    await server.notified();
    const sms = await server.deps.outbox.latest(e164(citizen.phone));
    expect(sms?.text).toContain('គណនី CamDigiKey របស់លោកអ្នកអាចប្រើប្រាស់បានហើយ');
    const audit = await server.deps.db
      .selectFrom('audit_events')
      .select('action')
      .where('subject_id', '=', accountId)
      .where('action', 'like', 'review.%')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['review.case_viewed', 'review.approve']);
  });

  it('rejects with a reason code the citizen is told, and refuses a decision without a claim', async () => {
    const { citizen, accountId } = await pendingCitizen();
    const unclaimed = await post(`/api/console/v1/cases/${accountId}/decision`, officers.dara!.token, {
      decision: 'reject',
      reasonCode: 'face_mismatch',
    });
    expect(((await unclaimed.json()) as { error: { code: string } }).error.code).toBe('case_not_claimed');
    await post(`/api/console/v1/cases/${accountId}/claim`, officers.dara!.token);
    expect(
      (
        await post(`/api/console/v1/cases/${accountId}/decision`, officers.dara!.token, {
          decision: 'reject',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await post(`/api/console/v1/cases/${accountId}/decision`, officers.dara!.token, {
          decision: 'reject',
          reasonCode: 'face_mismatch',
        })
      ).status,
    ).toBe(200);
    const row = await server.deps.db
      .selectFrom('accounts')
      .select('status')
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('rejected');
    await server.notified();
    expect((await server.deps.outbox.latest(e164(citizen.phone)))?.text).toContain('មុខមិនត្រូវនឹងឯកសារ');
  });

  it('needs a second, different officer to reject for suspected fraud', async () => {
    const { accountId } = await pendingCitizen();
    await post(`/api/console/v1/cases/${accountId}/claim`, officers.dara!.token);
    const first = (await (
      await post(`/api/console/v1/cases/${accountId}/decision`, officers.dara!.token, {
        decision: 'reject',
        reasonCode: 'suspected_fraud',
        note: 'photo of a screen',
      })
    ).json()) as {
      decisionId: string;
      state: string;
    };
    expect(first.state).toBe('awaiting_second_officer');
    expect(
      (
        await server.deps.db
          .selectFrom('accounts')
          .select('status')
          .where('id', '=', accountId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('pending_review');
    const self = await post(
      `/api/console/v1/decisions/${first.decisionId}/second-opinion`,
      officers.dara!.token,
      { confirm: true },
    );
    expect(((await self.json()) as { error: { code: string } }).error.code).toBe('second_officer_required');
    const confirmed = await post(
      `/api/console/v1/decisions/${first.decisionId}/second-opinion`,
      officers.sopheap!.token,
      { confirm: true },
    );
    expect(confirmed.status).toBe(200);
    expect(
      (
        await server.deps.db
          .selectFrom('accounts')
          .select('status')
          .where('id', '=', accountId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('rejected');
  });

  it('asks for one part again (the case leaves the queue), and shows breached deadlines', async () => {
    const { citizen, accountId } = await pendingCitizen();
    const waiting = await pendingCitizen();
    await post(`/api/console/v1/cases/${accountId}/claim`, officers.dara!.token);
    expect(
      (
        await post(`/api/console/v1/cases/${accountId}/decision`, officers.dara!.token, {
          decision: 'resubmit',
          part: 'document_photo',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await server.deps.db
          .selectFrom('accounts')
          .select('status')
          .where('id', '=', accountId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('resubmission_requested');
    await server.notified();
    expect((await server.deps.outbox.latest(e164(citizen.phone)))?.text).toContain('ថតរូបឯកសារ');
    server.clock.advance(7 * 24 * 3_600_000);
    await relogin();
    const { cases } = (await (
      await fetch(`${server.url}/api/console/v1/queue`, { headers: json(officers.dara!.token) })
    ).json()) as {
      cases: { accountId: string; sla: string; workingMsLeft: number }[];
    };
    expect(cases.map((c) => c.accountId)).not.toContain(accountId);
    const late = cases.find((c) => c.accountId === waiting.accountId)!;
    expect(late.sla).toBe('breached');
    expect(late.workingMsLeft).toBeLessThan(0);
  });
});
