/**
 * The console API beyond the review itself: the session cookie and `me`, queue filters, the case
 * file (registry record looked up live, history, media with the liveness challenge, each view
 * audited), roles (officer, supervisor, administrator; the administration API accepts an
 * administrator's console session and refuses an officer's), the supervisor dashboard, the list
 * of fraud rejections waiting for a second officer, and the settings in force.
 */
import { DEFAULT_THRESHOLDS, sharedFaceEngine } from '@camdigikey/face-engine';
import { startRegistrySimulator } from '@camdigikey/server/dev/registry-simulator';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warmFaceEngines } from '../support/faces';
import { createOfficer, OFFICER_PASSWORD, signInOfficer, totpCode } from '../support/officers';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let registry: Awaited<ReturnType<typeof startRegistrySimulator>>;
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};

beforeAll(async () => {
  registry = await startRegistrySimulator();
  server = await startTestServer({ env: { CIVIL_REGISTRY_URL: registry.url } });
  await warmFaceEngines();
  for (const [username, role] of [
    ['vanna', 'officer'],
    ['bopha', 'officer'],
    ['sokha', 'supervisor'],
    ['chenda', 'administrator'],
  ] as const) {
    const { id, totpSecret } = await createOfficer(server, username, role);
    const r = await signInOfficer(server, username, OFFICER_PASSWORD, totpCode(server, totpSecret, username));
    expect(r.status).toBe(200);
    cookies[username] = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
    ids[username] = id;
  }
}, 120_000);
afterAll(async () => {
  await server?.close();
  await registry?.close();
});

const as = (who: string, init: RequestInit = {}) => ({
  ...init,
  headers: { cookie: cookies[who]!, 'content-type': 'application/json', ...(init.headers ?? {}) },
});
const get = (who: string, path: string) => fetch(`${server.url}${path}`, as(who));
const post = (who: string, path: string, body: unknown = {}) =>
  fetch(`${server.url}${path}`, as(who, { method: 'POST', body: JSON.stringify(body) }));
const otp = () => ({ sms: (p: string) => server.smsCode(p), email: (a: string) => server.emailCode(a) });
const errorCode = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code;

async function pending(seed: number, inRegistry = true) {
  const citizen = inRegistry
    ? makeCitizen(seed, { documentType: 'id_card' })
    : makeCitizen(seed, { documentType: 'passport', nationality: 'FRA' });
  if (inRegistry)
    registry.add(
      citizen,
      await sharp({ create: { width: 60, height: 80, channels: 3, background: '#888' } })
        .jpeg()
        .toBuffer(),
    );
  const flow = await walkRegistration(await server.device(), citizen, { otp: otp() });
  return { citizen, accountId: flow.account!.id };
}

describe('the console session', () => {
  it('is an HttpOnly cookie for the whole API, tells who is signed in, and ends on sign-out', async () => {
    expect(cookies.vanna).toMatch(/^cdk_console=/);
    const me = await get('vanna', '/api/console/v1/me');
    expect(await me.json()).toEqual({
      id: ids.vanna,
      username: 'vanna',
      displayName: 'Officer vanna',
      role: 'officer',
    });
    expect((await fetch(`${server.url}/api/console/v1/me`)).status).toBe(401);
  });
});

describe('the queue and the case file', () => {
  it('filters the queue by document type, nationality and flag, and refuses unknown filters', async () => {
    const khmer = await pending(9801); // a Khmer ID card holder
    const foreign = await pending(9806, false); // a French passport holder
    const all = (await (await get('vanna', '/api/console/v1/queue')).json()) as {
      cases: { accountId: string }[];
    };
    expect(all.cases.map((c) => c.accountId)).toEqual(
      expect.arrayContaining([khmer.accountId, foreign.accountId]),
    );
    const ids = async (query: string) =>
      (
        (await (await get('vanna', `/api/console/v1/queue?${query}`)).json()) as {
          cases: { accountId: string }[];
        }
      ).cases.map((c) => c.accountId);
    const passports = await ids('documentType=passport');
    expect(passports).toContain(foreign.accountId);
    expect(passports).not.toContain(khmer.accountId);
    const french = await ids('nationality=FRA');
    expect(french).toEqual([foreign.accountId]);
    await server.deps.db
      .updateTable('accounts')
      .set({
        review_flags: JSON.stringify([{ type: 'duplicate_document', otherAccountId: foreign.accountId }]),
      })
      .where('id', '=', khmer.accountId)
      .execute();
    expect(await ids('flag=duplicate_document')).toEqual([khmer.accountId]);
    const bad = await get('vanna', '/api/console/v1/queue?documentType=library_card');
    expect(bad.status).toBe(400);
  });

  it('shows the form, the MRZ, the live registry record, the history and the media, and audits each view', async () => {
    const { citizen, accountId } = await pending(9802);
    const r = await get('vanna', `/api/console/v1/cases/${accountId}`);
    expect(r.status).toBe(200);
    const file = (await r.json()) as {
      form: { documentNumber: string; latinSurname: string };
      registry: { idNumber: string; latinSurname: string; hasPortrait: boolean; portrait?: string };
      registryStatus: string;
      history: { action: string }[];
      media: Record<string, string | null>;
      thresholds: { match: number };
      mrz: string[];
      mrzFields: Record<string, string>;
    };
    expect(file.form).toMatchObject({
      documentNumber: citizen.documentNumber,
      latinSurname: citizen.latinSurname,
    });
    expect(file.registryStatus).toBe('found');
    expect(file.registry).toMatchObject({ idNumber: citizen.documentNumber, hasPortrait: true });
    expect(file.registry.portrait).toBeUndefined();
    expect(file.mrz).toHaveLength(3);
    expect(file.mrzFields).toMatchObject({
      documentNumber: citizen.documentNumber,
      latinSurname: citizen.latinSurname,
      birthDate: citizen.birthDate,
    });
    expect(file.history.map((h) => h.action)).toEqual(
      expect.arrayContaining(['registration.started', 'registration.submit_document']),
    );
    expect(file.thresholds.match).toBe(sharedFaceEngine().thresholds.match);
    expect(file.media.documentPhoto).toBe(`/api/console/v1/cases/${accountId}/media/document_photo`);

    const photo = await get('vanna', file.media.documentPhoto!);
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toMatch(/^image\//);
    expect((await sharp(Buffer.from(await photo.arrayBuffer())).metadata()).width).toBeGreaterThan(100);
    const selfie = await get('vanna', file.media.selfie!);
    expect(selfie.headers.get('content-type')).toMatch(/^image\//);
    const liveness = (await (await get('vanna', file.media.liveness!)).json()) as {
      challenge: { actions: string[] };
      frames: { t: number; data: string }[];
    };
    expect(liveness.challenge.actions.length).toBeGreaterThan(0);
    expect(liveness.frames.length).toBeGreaterThan(4);
    expect(Buffer.from(liveness.frames[0]!.data, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const portrait = await get('vanna', file.media.registryPortrait!);
    expect(portrait.headers.get('content-type')).toBe('image/jpeg');
    expect((await get('vanna', `/api/console/v1/cases/${accountId}/media/fingerprint`)).status).toBe(400);
    expect((await fetch(`${server.url}${file.media.selfie}`)).status).toBe(401);

    const views = await server.deps.db
      .selectFrom('audit_events')
      .select(['details', 'actor_id'])
      .where('action', '=', 'review.case_viewed')
      .where('subject_id', '=', accountId)
      .execute();
    expect(views.map((v) => (v.details as { part: string }).part).sort()).toEqual(
      ['case', 'document_photo', 'liveness', 'registry_portrait', 'selfie'].sort(),
    );
    expect(new Set(views.map((v) => v.actor_id))).toEqual(new Set([ids.vanna]));
    // The audit log never holds the document number or the names.
    expect(JSON.stringify(views)).not.toContain(citizen.documentNumber);
  });

  it('says when the registry is unavailable instead of failing the case view', async () => {
    const { accountId } = await pending(9803);
    registry.failNext(10);
    const file = (await (await get('vanna', `/api/console/v1/cases/${accountId}`)).json()) as {
      registryStatus: string;
      registry: unknown;
    };
    expect(file).toMatchObject({ registryStatus: 'unavailable', registry: null });
    registry.failNext(0);
  });
});

describe('roles', () => {
  it('gives the dashboard to supervisors and administrators only', async () => {
    expect(await errorCode(await get('vanna', '/api/console/v1/dashboard'))).toBe('forbidden');
    expect((await get('sokha', '/api/console/v1/dashboard')).status).toBe(200);
    expect((await get('chenda', '/api/console/v1/dashboard')).status).toBe(200);
  });

  it('lets an administrator manage officers, holidays and relying parties with the console session', async () => {
    expect(await errorCode(await get('sokha', '/api/console/v1/officers'))).toBe('forbidden');
    const list = (await (await get('chenda', '/api/console/v1/officers')).json()) as {
      officers: { username: string; role: string }[];
    };
    expect(list.officers.map((o) => o.username)).toEqual(
      expect.arrayContaining(['vanna', 'sokha', 'chenda']),
    );
    expect(JSON.stringify(list)).not.toMatch(/password|totp/i);
    const created = await post('chenda', '/api/console/v1/officers', {
      username: 'rathana',
      displayName: 'Rathana Keo',
      role: 'officer',
      password: 'another long password',
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { otpauthUri: string; totpSecret?: string };
    expect(body.otpauthUri).toMatch(/^otpauth:\/\/totp\/.*rathana/);
    expect(
      await errorCode(
        await post('vanna', '/api/console/v1/officers', {
          username: 'intruder',
          displayName: 'Not an admin',
          role: 'administrator',
          password: 'another long password',
        }),
      ),
    ).toBe('forbidden');

    expect((await get('chenda', '/api/admin/v1/holidays/2026')).status).toBe(200);
    expect((await get('chenda', '/api/admin/v1/relying-parties')).status).toBe(200);
    expect(await errorCode(await get('vanna', '/api/admin/v1/holidays/2026'))).toBe('forbidden');
    expect(await errorCode(await get('sokha', '/api/admin/v1/relying-parties'))).toBe('forbidden');
    expect((await fetch(`${server.url}/api/admin/v1/holidays/2026`)).status).toBe(401);
    const audit = await server.deps.db
      .selectFrom('audit_events')
      .select('actor_id')
      .where('action', '=', 'officer.created')
      .execute();
    expect(audit.map((a) => a.actor_id)).toContain(ids.chenda);
  });

  it('shows every officer the settings in force', async () => {
    const settings = (await (await get('vanna', '/api/console/v1/settings')).json()) as {
      slaWorkingHours: number;
      workingDays: number[];
      thresholds: Record<string, unknown>;
    };
    expect(settings.slaWorkingHours).toBe(8);
    expect(settings.workingDays).toEqual([1, 2, 3, 4, 5]);
    expect(settings.thresholds).toMatchObject({
      match: DEFAULT_THRESHOLDS.match,
      matchReview: DEFAULT_THRESHOLDS.matchReview,
    });
  });
});

describe('supervision', () => {
  it('counts decisions per day with the median working time, the workload and a sample of approvals', async () => {
    const { accountId } = await pending(9804);
    server.clock.advance(25 * 60_000);
    expect((await post('bopha', `/api/console/v1/cases/${accountId}/claim`)).status).toBe(200);
    const decided = await post('bopha', `/api/console/v1/cases/${accountId}/decision`, {
      decision: 'approve',
    });
    expect(decided.status).toBe(200);
    const board = (await (await get('sokha', '/api/console/v1/dashboard')).json()) as {
      pending: number;
      onTime: number;
      atRisk: number;
      breached: number;
      days: { day: string; decisions: number; medianWorkingMinutes: number | null }[];
      workload: { officerId: string; decisionsToday: number; decisions7d: number }[];
      approvalSample: { accountId: string; officerId: string }[];
    };
    expect(board.pending).toBe(board.onTime + board.atRisk + board.breached);
    expect(board.pending).toBeGreaterThan(0);
    expect(board.days).toHaveLength(7);
    const today = board.days.at(-1)!;
    expect(today).toEqual({ day: '2026-11-30', decisions: 1, medianWorkingMinutes: 25 });
    expect(board.workload.find((w) => w.officerId === ids.bopha)).toMatchObject({
      decisionsToday: 1,
      decisions7d: 1,
    });
    expect(board.approvalSample).toEqual([
      { accountId, officerId: ids.bopha, officerName: 'Officer bopha', decidedAt: expect.any(String) },
    ]);
  });

  it('lists fraud rejections waiting for a second officer until one decides', async () => {
    const { accountId } = await pending(9805);
    await post('bopha', `/api/console/v1/cases/${accountId}/claim`);
    const r = await post('bopha', `/api/console/v1/cases/${accountId}/decision`, {
      decision: 'reject',
      reasonCode: 'suspected_fraud',
      note: 'portrait pasted over the card',
    });
    const { decisionId } = (await r.json()) as { decisionId: string };
    const waiting = (await (await get('vanna', '/api/console/v1/second-opinions')).json()) as {
      items: { decisionId: string; accountId: string; officerId: string; note: string }[];
    };
    expect(waiting.items).toContainEqual(
      expect.objectContaining({
        decisionId,
        accountId,
        officerId: ids.bopha,
        note: 'portrait pasted over the card',
      }),
    );
    expect(
      (await post('vanna', `/api/console/v1/decisions/${decisionId}/second-opinion`, { confirm: true }))
        .status,
    ).toBe(200);
    const after = (await (await get('vanna', '/api/console/v1/second-opinions')).json()) as {
      items: { decisionId: string }[];
    };
    expect(after.items.map((i) => i.decisionId)).not.toContain(decisionId);
  });
});
