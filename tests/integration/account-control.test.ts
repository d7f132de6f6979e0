/**
 * The citizen's control over contact details and sessions, from the app: changing the phone
 * number or e-mail address (PIN first, a code to the new address, a notice with a lock link to the
 * old one; refused during the cooling-off after a recovery), and signing out of single-sign-on
 * sessions, which sends OpenID Connect back-channel logout tokens to the relying parties.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { personalOf } from '@camdigikey/server/accounts/personal-data';
import { SoftAuthenticator } from '@camdigikey/testkit/webauthn-authenticator';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { qrLoginCallback } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let logoutSink: Server;
const logoutTokens: string[] = [];
let sinkUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  logoutSink = createServer((request, response) => {
    let body = '';
    request.on('data', (c) => {
      body += c;
    });
    request.on('end', () => {
      const token = new URLSearchParams(body).get('logout_token');
      if (token) logoutTokens.push(token);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => logoutSink.listen(0, '127.0.0.1', resolve));
  sinkUrl = `http://127.0.0.1:${(logoutSink.address() as AddressInfo).port}/backchannel-logout`;
}, 60_000);
afterAll(async () => {
  await server?.close();
  logoutSink?.close();
});

const CONTACT = '/api/device/v1/me/contact';

describe('changing the phone number and the e-mail address', () => {
  let kosal: ActiveCitizen;
  beforeAll(async () => {
    kosal = await activeCitizen(server, 9601);
  });

  it('is refused during the cooling-off after a recovery', async () => {
    await server.deps.db
      .updateTable('accounts')
      .set({ recovered_at: server.clock.now() })
      .where('id', '=', kosal.accountId)
      .execute();
    const r = await kosal.device.call('POST', CONTACT, {
      channel: 'sms',
      value: '+85512345678',
      pin: kosal.citizen.pin,
    });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({
      error: { code: 'recovery_cooling_off', details: { until: expect.any(String) } },
    });
    await server.deps.db
      .updateTable('accounts')
      .set({ recovered_at: null })
      .where('id', '=', kosal.accountId)
      .execute();
  });

  it('needs the PIN, and a wrong one counts toward the lock', async () => {
    const r = await kosal.device.call('POST', CONTACT, {
      channel: 'sms',
      value: '+85512345678',
      pin: '000000',
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'pin_invalid' } });
    const account = await server.deps.db
      .selectFrom('accounts')
      .select('pin_failed_count')
      .where('id', '=', kosal.accountId)
      .executeTakeFirstOrThrow();
    expect(account.pin_failed_count).toBe(1);
  });

  it('changes the phone number after a code to the new one, and tells the old one', async () => {
    const newPhone = '+85517654321';
    const { phoneE164: oldPhone } = (await personalOf(
      server.deps.db,
      server.deps.envelope,
      kosal.accountId,
    ))!;
    const started = await kosal.device.call<{ id: string; state: string; target: string }>('POST', CONTACT, {
      channel: 'sms',
      value: '017 654 321',
      pin: kosal.citizen.pin,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body).toMatchObject({ state: 'awaiting_code', target: expect.stringContaining('321') });
    const code = await server.smsCode(newPhone);
    const done = await kosal.device.call('POST', `${CONTACT}/${started.body.id}/verify`, { code });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ state: 'changed' });
    const account = await personalOf(server.deps.db, server.deps.envelope, kosal.accountId);
    expect(account?.phoneE164).toBe(newPhone);
    await server.notified();
    const notice = await server.deps.outbox.latest(oldPhone, 2000);
    expect(notice?.text).toMatch(/\/account\/lock\/[A-Za-z0-9_-]{43}/);
    // The code was used once.
    const again = await kosal.device.call('POST', `${CONTACT}/${started.body.id}/verify`, { code });
    expect(again.status).toBe(409);
  });

  it('changes the e-mail address and tells the old address', async () => {
    const started = await kosal.device.call<{ id: string }>('POST', CONTACT, {
      channel: 'email',
      value: 'kosal.new@example.com',
      pin: kosal.citizen.pin,
    });
    expect(started.status).toBe(201);
    const code = await server.emailCode('kosal.new@example.com');
    const done = await kosal.device.call('POST', `${CONTACT}/${started.body.id}/verify`, { code });
    expect(done.status).toBe(200);
    const old = await server.inbox.waitFor(
      (m) => m.to.includes(kosal.citizen.email.toLowerCase()) && m.text.includes('kosal.new@example.com'),
      5000,
    );
    expect(old.text).toMatch(/\/account\/lock\/[A-Za-z0-9_-]{43}/);
  });

  it("answers the same for an address that is another account's, but sends no code", async () => {
    const other = await activeCitizen(server, 9602);
    const { phoneE164: taken } = (await personalOf(server.deps.db, server.deps.envelope, other.accountId))!;
    const r = await kosal.device.call<{ id: string; state: string }>('POST', CONTACT, {
      channel: 'sms',
      value: taken,
      pin: kosal.citizen.pin,
    });
    expect(r.status).toBe(201);
    expect(r.body.state).toBe('awaiting_code');
    await server.notified();
    const sent = server.deps.outbox.list('sms').filter((m) => m.to === taken);
    const wrong = await kosal.device.call('POST', `${CONTACT}/${r.body.id}/verify`, { code: '123456' });
    expect(wrong.body).toMatchObject({ error: { code: 'otp_invalid' } });
    // Only the registration code ever went to that number: no code for this change.
    expect(sent.length).toBe(1);
  });
});

describe('signing out of sessions', () => {
  it('lists the session with its relying parties and signs it out with a back-channel logout', async () => {
    const nary = await activeCitizen(server, 9603);
    const rp = await registerRelyingParty(server, {
      appName: 'Land Registry',
      domain: 'land.example.gov.kh',
      subjectType: 'public',
      backchannelLogoutUri: sinkUrl,
    });
    expect(await qrLoginCallback(server, nary, rp.clientId)).toContain('code=');

    const listed = await nary.device.call<{
      sessions: {
        id: string;
        amr: string[];
        relyingParties: { clientId: string; name: string; domain: string }[];
      }[];
    }>('GET', '/api/device/v1/me/sessions');
    expect(listed.body.sessions).toHaveLength(1);
    const session = listed.body.sessions[0]!;
    expect(session.relyingParties).toEqual([
      expect.objectContaining({
        clientId: rp.clientId,
        name: 'Land Registry',
        domain: 'land.example.gov.kh',
      }),
    ]);
    expect(session.amr).toContain('pin');

    const ended = await nary.device.call<{ ended: number; notified: string[] }>(
      'DELETE',
      `/api/device/v1/me/sessions/${session.id}`,
    );
    expect(ended.body).toEqual({ ended: 1, notified: [rp.clientId] });
    expect(logoutTokens).toHaveLength(1);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/oidc/jwks`));
    const { payload } = await jwtVerify(logoutTokens[0]!, jwks, {
      issuer: `${server.url}/oidc`,
      audience: rp.clientId,
    });
    expect(payload.sub).toBe(nary.accountId);
    expect(payload.sid).toEqual(expect.any(String));
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(payload.nonce).toBeUndefined();
    expect(
      (await nary.device.call<{ sessions: unknown[] }>('GET', '/api/device/v1/me/sessions')).body.sessions,
    ).toEqual([]);
  });

  it('signs out everywhere, and a foreign session id is not found', async () => {
    const bopha = await activeCitizen(server, 9604);
    const rp = await registerRelyingParty(server, {
      appName: 'Pension Office',
      domain: 'pension.example.gov.kh',
    });
    await qrLoginCallback(server, bopha, rp.clientId);
    await qrLoginCallback(server, bopha, rp.clientId);
    const mine = await bopha.device.call<{ sessions: { id: string }[] }>('GET', '/api/device/v1/me/sessions');
    expect(mine.body.sessions).toHaveLength(2);
    const stranger = await activeCitizen(server, 9605);
    const foreign = await stranger.device.call(
      'DELETE',
      `/api/device/v1/me/sessions/${mine.body.sessions[0]!.id}`,
    );
    expect(foreign.status).toBe(404);
    const all = await bopha.device.call<{ ended: number }>('DELETE', '/api/device/v1/me/sessions');
    expect(all.body.ended).toBe(2);
    expect(
      (await bopha.device.call<{ sessions: unknown[] }>('GET', '/api/device/v1/me/sessions')).body.sessions,
    ).toEqual([]);
  });
});

describe('devices and Face ID', () => {
  it('turns Face ID on with the PIN, approves a login with it, and turns it off', async () => {
    const dara = await activeCitizen(server, 9606);
    const devices = () =>
      dara.device.call<{ devices: { id: string; thisDevice: boolean; faceId: boolean }[] }>(
        'GET',
        '/api/device/v1/me/devices',
      );
    expect((await devices()).body.devices).toEqual([
      expect.objectContaining({ thisDevice: true, faceId: false }),
    ]);

    const wrong = await dara.device.call('POST', '/api/device/v1/me/face-id/options', { pin: '000000' });
    expect(wrong.body).toMatchObject({ error: { code: 'pin_invalid' } });
    const options = await dara.device.call<{ enrolmentId: string; publicKey: never }>(
      'POST',
      '/api/device/v1/me/face-id/options',
      { pin: dara.citizen.pin },
    );
    expect(options.status).toBe(200);
    const authenticator = new SoftAuthenticator();
    const credential = await authenticator.createCredential(options.body.publicKey, server.url);
    const on = await dara.device.call('POST', '/api/device/v1/me/face-id', {
      enrolmentId: options.body.enrolmentId,
      credential,
    });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect((await devices()).body.devices[0]).toMatchObject({ faceId: true });
    // The same options cannot enrol twice.
    const replay = await dara.device.call('POST', '/api/device/v1/me/face-id', {
      enrolmentId: options.body.enrolmentId,
      credential,
    });
    expect(replay.status).toBe(409);

    const withFace = { ...dara, authenticator };
    const rp = await registerRelyingParty(server, {
      appName: 'Health Portal',
      domain: 'health.example.gov.kh',
    });
    expect(await qrLoginCallback(server, withFace, rp.clientId, { method: 'face_id' })).toContain('code=');

    const off = await dara.device.call('DELETE', '/api/device/v1/me/face-id');
    expect(off.status).toBe(200);
    expect((await devices()).body.devices[0]).toMatchObject({ faceId: false });
    expect((await dara.device.call('DELETE', '/api/device/v1/me/face-id')).status).toBe(404);
  });

  it('does not let a device sign itself out through the device list, nor touch another account', async () => {
    const lina = await activeCitizen(server, 9607);
    const mine = await lina.device.call<{ devices: { id: string }[] }>('GET', '/api/device/v1/me/devices');
    const self = await lina.device.call('DELETE', `/api/device/v1/me/devices/${mine.body.devices[0]!.id}`, {
      pin: lina.citizen.pin,
    });
    expect(self.status).toBe(403);
    const other = await activeCitizen(server, 9608);
    const theirs = await other.device.call<{ devices: { id: string }[] }>('GET', '/api/device/v1/me/devices');
    const foreign = await lina.device.call(
      'DELETE',
      `/api/device/v1/me/devices/${theirs.body.devices[0]!.id}`,
      {
        pin: lina.citizen.pin,
      },
    );
    expect(foreign.status).toBe(404);
    expect((await other.device.call('GET', '/api/device/v1/account/status')).status).toBe(200);
  });
});
