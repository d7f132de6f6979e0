/**
 * The platform around the flows: health and readiness, the error body on unknown routes,
 * request ids, the bootstrap admin API for the holiday calendar (and its effect on review
 * deadlines), and the status event fanned out between two instances through Redis.
 */
import { changeAccountStatus } from '@camdigikey/server/accounts/account-status';
import { CITIZENS, makeCitizen } from '@camdigikey/testkit/citizens';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, redisForTest } from '../support/own-redis';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ start: '2026-04-10T09:00:00Z' }); // Friday 16:00 in Phnom Penh
});
afterAll(async () => server?.close());

describe('health', () => {
  it('is live and ready, and says on what', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as {
      checks: { database: { status: string; kind: string }; hotState: { kind: string } };
    };
    expect(body.checks.database).toEqual({
      status: 'ok',
      kind: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    });
    expect(body.checks.hotState.kind).toBe(process.env.REDIS_URL ? 'redis' : 'database');
  });

  it('gives every answer a request id', async () => {
    const r = await fetch(`${server.url}/healthz`);
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('holiday calendar administration', () => {
  const admin = () => ({
    authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
    'content-type': 'application/json',
  });

  it('refuses callers without the admin token', async () => {
    expect((await fetch(`${server.url}/api/admin/v1/holidays/2026`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/api/admin/v1/holidays/2026`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
  });

  it('ships Khmer New Year 2026 and lists a year', async () => {
    const r = await fetch(`${server.url}/api/admin/v1/holidays/2026`, { headers: admin() });
    const body = (await r.json()) as { holidays: { date: string; nameKm: string }[] };
    expect(body.holidays.map((h) => h.date)).toEqual(
      expect.arrayContaining(['2026-04-14', '2026-04-15', '2026-04-16']),
    );
  });

  it('refuses an invalid table and keeps the old one', async () => {
    const bad = await fetch(`${server.url}/api/admin/v1/holidays/2026`, {
      method: 'PUT',
      headers: admin(),
      body: JSON.stringify({ holidays: [{ date: '2027-01-01', nameKm: 'ថ្ងៃ', nameEn: 'Wrong year' }] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('holiday_invalid');
    const r = await fetch(`${server.url}/api/admin/v1/holidays/2026`, { headers: admin() });
    expect(((await r.json()) as { holidays: unknown[] }).holidays.length).toBeGreaterThan(15);
  });

  it('moves review deadlines: Khmer New Year is skipped, and an added holiday is too', async () => {
    // Friday 10 April 2026 16:00 + 8 working hours: 1 h on Friday, 7 h on Monday 13 April.
    const first = await walkRegistration(await server.device(), makeCitizen(7001), {
      otp: { sms: (p) => server.smsCode(p), email: (a) => server.emailCode(a) },
    });
    expect(first.account?.reviewDeadline).toBe('2026-04-13T10:00:00.000Z'); // Monday 17:00

    const current = (await (
      await fetch(`${server.url}/api/admin/v1/holidays/2026`, { headers: admin() })
    ).json()) as {
      holidays: { date: string; nameKm: string; nameEn: string }[];
    };
    const put = await fetch(`${server.url}/api/admin/v1/holidays/2026`, {
      method: 'PUT',
      headers: admin(),
      body: JSON.stringify({
        holidays: [
          ...current.holidays,
          { date: '2026-04-13', nameKm: 'ថ្ងៃឈប់សម្រាកបន្ថែម', nameEn: 'Extra day off' },
        ],
      }),
    });
    expect(put.status).toBe(200);
    const audit = await server.deps.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'calendar.holidays_replaced')
      .execute();
    expect(audit).toHaveLength(1);

    const second = await walkRegistration(await server.device(), makeCitizen(7002), {
      otp: { sms: (p) => server.smsCode(p), email: (a) => server.emailCode(a) },
    });
    // 13–16 April are now all holidays: 1 h on Friday 10th, then 7 h on Friday 17th (until 17:00).
    expect(second.account?.reviewDeadline).toBe('2026-04-17T10:00:00.000Z');
  });
});

// Two instances share events and nonces through Redis: the run's REDIS_URL, or a Redis of this
// test's own when the run has none (the embedded default), so the check runs on every machine.
describe.runIf(Boolean(process.env.REDIS_URL) || hasRedisServer())(
  'two instances behind one load balancer',
  () => {
    let redis: Awaited<ReturnType<typeof redisForTest>>;
    let server: TestServer;
    let other: TestServer;
    beforeAll(async () => {
      redis = await redisForTest();
      server = await startTestServer({ start: '2026-04-10T09:00:00Z', env: { REDIS_URL: redis?.url ?? '' } });
      other = await startTestServer({ shareWith: server });
    });
    afterAll(async () => {
      await other?.close();
      await server?.close();
      await redis?.close();
    });

    it('streams a decision taken on one instance to the app connected to the other', async () => {
      const device = await server.device();
      const flow = await walkRegistration(device, CITIZENS[5]!, {
        otp: { sms: (p) => server.smsCode(p), email: (a) => server.emailCode(a) },
      });
      const stream = await device.openStatusStream();
      try {
        expect(await stream.next()).toMatchObject({ status: 'pending_review' });
        await changeAccountStatus(other.deps, flow.account!.id, 'active', {
          actorType: 'officer',
          actorId: 'officer-b',
        });
        expect(await stream.next()).toMatchObject({ status: 'active' });
      } finally {
        stream.close();
      }
    });

    it('shares nonces: a nonce issued by one instance is accepted once by the other', async () => {
      const nonce = (
        (await (await fetch(`${server.url}/api/device/v1/nonce`, { method: 'POST' })).json()) as {
          nonce: string;
        }
      ).nonce;
      const otherDevice = await other.device();
      const first = await otherDevice.call(
        'POST',
        '/api/device/v1/registration',
        { language: 'km' },
        { nonce },
      );
      expect(first.status).toBe(201);
      const again = await otherDevice.call(
        'POST',
        '/api/device/v1/registration',
        { language: 'km' },
        { nonce },
      );
      expect(again.status).toBe(401);
    });
  },
);
