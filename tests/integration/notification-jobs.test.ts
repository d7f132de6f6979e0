/**
 * SMS and e-mail as durable jobs (issue 15, item 2): a `web` instance queues the message in the
 * code's own transaction and sends nothing; workers sharing the queue send each message exactly
 * once; a failed send is retried after its backoff. On PGlite and on PostgreSQL (DATABASE_URL),
 * where the two workers claim on two connections at once.
 */
import { NOTIFY_JOB, notificationWorker } from '@camdigikey/server/notify/notification-jobs';
import type { OutgoingMessage } from '@camdigikey/server/ports/notifier';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { type FlowBody, REGISTRATION, startRegistration } from '@camdigikey/testkit/registration-walker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

let web: TestServer;

beforeAll(async () => {
  web = await startTestServer({ env: { SERVER_ROLE: 'web' } });
});

afterAll(async () => {
  await web?.close();
});

const notifyJobs = () =>
  web.deps.db
    .selectFrom('jobs')
    .select(['id', 'state', 'attempts', 'payload', 'last_error'])
    .where('kind', '=', NOTIFY_JOB)
    .orderBy('created_at')
    .execute();

/** Start a registration and ask for the phone code: the web instance answers at once. */
async function askPhoneCode(seed: number) {
  const device = await web.device();
  const flow = await startRegistration(device, 'en');
  const r = await device.call<FlowBody>('POST', `${REGISTRATION}/${flow.id}/phone`, {
    phone: makeCitizen(seed).phone,
  });
  expect(r.status).toBe(200);
  return { device, flow: r.body, phone: String(r.body.values.phone) };
}

describe('notifications on the job queue', () => {
  it('a web instance queues the code, sealed, and sends nothing itself', async () => {
    expect(web.deps.config.role.name).toBe('web');
    expect(web.app.notifications).toBeUndefined();
    const { phone } = await askPhoneCode(9301);
    const jobs = await notifyJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ state: 'queued', attempts: 0 });
    // Neither the number nor anything readable is stored: the message is sealed.
    const stored = JSON.stringify(jobs[0]?.payload);
    expect(stored).not.toContain(phone.replace('+', ''));
    expect(jobs[0]?.payload).toMatchObject({ channel: 'sms', message: expect.stringMatching(/^v1\./) });
    // No worker runs in this process: nothing has gone out.
    expect(web.deps.outbox.list()).toEqual([]);
  });

  it('two workers sharing the queue send every message exactly once', async () => {
    const asked = [await askPhoneCode(9302), await askPhoneCode(9303), await askPhoneCode(9304)];
    const sent: OutgoingMessage[] = [];
    const send = async (m: OutgoingMessage) => {
      sent.push(m);
      await web.deps.sendMessage(m);
    };
    const a = notificationWorker(web.deps, send);
    const b = notificationWorker(web.deps, send);
    await Promise.all([a.wake(), b.wake(), a.wake(), b.wake()]);
    // The first test's message and the three new ones, once each.
    expect(sent).toHaveLength(4);
    expect(new Set(sent.map((m) => m.to)).size).toBe(4);
    const jobs = await notifyJobs();
    expect(jobs.map((j) => [j.state, j.attempts])).toEqual(Array(4).fill(['done', 1]));
    // The code that went out is the one the flow accepts, and the queue never held it in clear.
    const first = asked[0] as Awaited<ReturnType<typeof askPhoneCode>>;
    const code = await web.smsCode(first.phone);
    for (const job of await notifyJobs()) expect(JSON.stringify(job.payload)).not.toContain(code);
    const verified = await first.device.call<FlowBody>(
      'POST',
      `${REGISTRATION}/${first.flow.id}/phone/verify`,
      { code },
    );
    expect(verified.status).toBe(200);
  });

  it('a failed send is retried after its backoff, then sent once', async () => {
    const { phone } = await askPhoneCode(9305);
    let calls = 0;
    const flaky = notificationWorker(web.deps, async (m) => {
      calls++;
      // The gateway's answer names the number: it is not kept.
      if (calls === 1) throw new Error(`SMS gateway refused ${m.to}`);
      await web.deps.sendMessage(m);
    });
    await flaky.wake();
    const [failed] = (await notifyJobs()).filter((j) => j.state !== 'done');
    expect(failed).toMatchObject({ state: 'queued', attempts: 1, last_error: 'sms not sent (Error)' });
    expect(await web.deps.outbox.latest(phone)).toBeUndefined();
    // Not before its backoff (10 s after the first try)…
    await flaky.wake();
    expect(calls).toBe(1);
    web.clock.advance(11_000);
    await flaky.wake();
    expect(calls).toBe(2);
    const job = (await notifyJobs()).find((j) => j.id === failed?.id);
    expect(job).toMatchObject({ state: 'done', attempts: 2 });
    expect(await web.smsCode(phone)).toMatch(/^\d{6}$/);
  });
});
