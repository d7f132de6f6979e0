/**
 * Web Push to the citizen's registered devices, through a local push service that checks the
 * VAPID signature and decrypts the payload like a real one: a device subscribes, a relying party's
 * backchannel (CIBA) request reaches it as an encrypted push naming the RP and the binding message
 * (and nothing personal), a gone subscription is forgotten, and push-bombing is stopped: at most
 * APPROVALS_MAX_PENDING waiting requests, and "I did not ask for this" blocks that RP for a while.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { type PushService, startPushService } from '../support/push-service';
import { qrLoginCallback } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

let push: PushService;
let server: TestServer;
let sophal: ActiveCitizen;
let bank: { clientId: string; clientSecret: string };

beforeAll(async () => {
  push = await startPushService();
  server = await startTestServer({ pushAgent: push.agent, env: { APPROVALS_MAX_PENDING: '2' } });
  sophal = await activeCitizen(server, 8701);
  bank = await registerRelyingParty(server, {
    appName: 'Bank teller desk',
    domain: 'teller.example.com.kh',
    allowedScopes: ['openid', 'profile', 'ciba'],
    // Names citizens by account id: the sub of a public client.
    subjectType: 'public',
  });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await push?.close();
});

const start = (bindingMessage: string) =>
  fetch(`${server.url}/oidc/backchannel`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${bank.clientId}:${bank.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      scope: 'openid',
      login_hint: sophal.accountId,
      binding_message: bindingMessage,
    }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));

describe('Web Push', () => {
  it('refuses an http or malformed subscription and gives the VAPID key', async () => {
    const key = await sophal.device.call<{ publicKey: string }>('GET', '/api/device/v1/push/key');
    expect(Buffer.from(key.body.publicKey, 'base64url')).toHaveLength(65);
    const http = await sophal.device.call('PUT', '/api/device/v1/push/subscription', {
      endpoint: 'http://10.0.0.1/push',
      keys: { p256dh: 'A'.repeat(87), auth: 'B'.repeat(22) },
    });
    expect(http.status).toBe(400);
  });

  it('delivers a backchannel request to the device as an encrypted, VAPID-signed push', async () => {
    const sub = push.subscribe();
    const put = await sophal.device.call('PUT', '/api/device/v1/push/subscription', {
      endpoint: sub.endpoint,
      keys: sub.keys,
    });
    expect(put.status).toBe(200);
    const key = await sophal.device.call<{ publicKey: string }>('GET', '/api/device/v1/push/key');
    const started = await start('TELLER 1001');
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    await expect.poll(() => push.messages.length, { timeout: 5000 }).toBe(1);
    const message = push.messages[0]!;
    expect(push.refused).toEqual([]);
    expect(message).toMatchObject({
      subscriptionId: sub.id,
      urgency: 'high',
      payload: {
        type: 'approval_request',
        relyingParty: { name: 'Bank teller desk', domain: 'teller.example.com.kh' },
        bindingMessage: 'TELLER 1001',
      },
      vapid: { aud: push.url, publicKey: key.body.publicKey },
    });
    expect(JSON.stringify(message.payload)).not.toContain(sophal.citizen.latinSurname);
    const listed = await sophal.device.call<{ approvals: { id: string }[] }>(
      'GET',
      '/api/device/v1/approvals',
    );
    expect(listed.body.approvals.map((a) => a.id)).toContain(message.payload.id);
  });

  it('stops push-bombing: a cap on waiting requests, and "I did not ask for this" blocks the RP', async () => {
    // One request is already waiting from the previous test; the cap is 2.
    expect((await start('TELLER 1002')).status).toBe(200);
    const third = await start('TELLER 1003');
    expect([third.status, third.body.error]).toEqual([400, 'access_denied']);
    const listed = await sophal.device.call<{ approvals: { id: string }[] }>(
      'GET',
      '/api/device/v1/approvals',
    );
    for (const [i, approval] of listed.body.approvals.entries()) {
      const answer = await sophal.device.call('POST', `/api/device/v1/approvals/${approval.id}/reject`, {
        notMe: i === 0,
      });
      expect(answer.status).toBe(200);
    }
    const blocked = await start('TELLER 1004');
    expect(blocked.body.error).toBe('access_denied');
    const audit = await server.deps.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'login.backchannel_not_me')
      .execute();
    expect(audit).toHaveLength(1);
    server.clock.advance(121 * 60_000); // two windows: the sliding count forgets the last hour
    expect((await start('TELLER 1005')).status).toBe(200);
  });

  it('streams new requests to the open app, and pushes a security notice when the PIN locks', async () => {
    const stream = await sophal.device.openStatusStream('/api/device/v1/approvals/stream', 'approval');
    expect(await stream.next()).toEqual({ pending: expect.any(Array) });
    const started = await start('TELLER 2001');
    expect(started.status).toBe(200);
    expect(await stream.next()).toEqual({ id: expect.any(String) });
    stream.close();
    const before = push.messages.length;
    const wrong = '000000' === sophal.citizen.pin ? '111222' : '000000';
    for (let i = 0; i < 5; i++)
      await sophal.device.call('POST', '/api/device/v1/me/pin', {
        oldPin: wrong,
        newPin: '482915',
        newPinConfirmation: '482915',
      });
    await expect
      .poll(() => push.messages.slice(before).map((m) => m.payload.type))
      .toContain('security_notice');
    expect(push.messages.find((m) => m.payload.type === 'security_notice')?.payload).toEqual({
      type: 'security_notice',
      event: 'pin_locked',
    });
    const listed = await sophal.device.call<{ approvals: { id: string }[] }>(
      'GET',
      '/api/device/v1/approvals',
    );
    for (const approval of listed.body.approvals)
      await sophal.device.call('POST', `/api/device/v1/approvals/${approval.id}/reject`, {});
  });

  it('forgets a subscription the push service says is gone', async () => {
    const subscriptionId = push.messages[0]!.subscriptionId;
    push.expire(subscriptionId);
    await start('TELLER 1006').catch(() => undefined);
    await expect
      .poll(async () => (await server.deps.db.selectFrom('push_subscriptions').selectAll().execute()).length)
      .toBe(0);
  });

  it('pushes a new-login notice naming the relying party when a login completes', async () => {
    const nita = await activeCitizen(server, 8702);
    const sub = push.subscribe();
    await nita.device.call('PUT', '/api/device/v1/push/subscription', {
      endpoint: sub.endpoint,
      keys: sub.keys,
    });
    const portal = await registerRelyingParty(server, {
      appName: 'Licence Portal',
      domain: 'licence.example.gov.kh',
    });
    expect(await qrLoginCallback(server, nita, portal.clientId)).toContain('code=');
    await expect
      .poll(() => push.messages.filter((m) => m.subscriptionId === sub.id).map((m) => m.payload.event))
      .toContain('new_login');
    const notice = push.messages.find((m) => m.subscriptionId === sub.id && m.payload.event === 'new_login');
    expect(notice?.payload).toMatchObject({
      type: 'security_notice',
      relyingParty: { name: 'Licence Portal', domain: 'licence.example.gov.kh' },
    });
    expect(JSON.stringify(notice?.payload)).not.toContain(nita.citizen.latinSurname);
  });

  it('limits how many requests one relying party may send one citizen in an hour, even when each is answered', async () => {
    const vuthy = await activeCitizen(server, 8703);
    const ask = (message: string) =>
      fetch(`${server.url}/oidc/backchannel`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${bank.clientId}:${bank.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ scope: 'openid', login_hint: vuthy.accountId, binding_message: message }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
    const limit = server.deps.config.approvals.perAccountPerHour;
    for (let i = 0; i < limit; i++) {
      expect((await ask(`DESK ${i}`)).status).toBe(200);
      const listed = await vuthy.device.call<{ approvals: { id: string }[] }>(
        'GET',
        '/api/device/v1/approvals',
      );
      for (const a of listed.body.approvals)
        await vuthy.device.call('POST', `/api/device/v1/approvals/${a.id}/reject`, {});
    }
    expect((await ask('DESK over')).body.error).toBe('access_denied');
    server.clock.advance(121 * 60_000); // two windows: the sliding count forgets the last hour
    expect((await ask('DESK later')).status).toBe(200);
  });
});
