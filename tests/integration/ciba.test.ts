/**
 * Backchannel login (OpenID CIBA, poll mode) for a relying party allowed `ciba`: its backend names
 * a citizen it knows with a binding message; the citizen's registered device lists the request with
 * the RP's name and the message, approves with the PIN (or declines); the RP's token poll then gets
 * tokens (or access_denied). Requests without a binding message, for unknown people, or from RPs not
 * allowed CIBA are refused; another citizen's device never sees the request.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let kanha: ActiveCitizen;
let other: ActiveCitizen;
let bank: { clientId: string; clientSecret: string };
let plain: { clientId: string; clientSecret: string };

beforeAll(async () => {
  server = await startTestServer();
  kanha = await activeCitizen(server, 8601);
  other = await activeCitizen(server, 8602);
  bank = await registerRelyingParty(server, {
    appName: 'Bank teller desk',
    domain: 'teller.example.com.kh',
    allowedScopes: ['openid', 'profile', 'ciba'],
    // A public client receives the account id as sub, so names citizens by it.
    subjectType: 'public',
  });
  plain = await registerRelyingParty(server, { appName: 'Plain portal' });
}, 60_000);
afterAll(async () => server?.close());

const basic = (c: { clientId: string; clientSecret: string }) =>
  `Basic ${Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString('base64')}`;
const form = (
  path: string,
  client: { clientId: string; clientSecret: string },
  fields: Record<string, string>,
) =>
  fetch(`${server.url}/oidc${path}`, {
    method: 'POST',
    headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
const start = (fields: Record<string, string>, client = bank) =>
  form('/backchannel', client, { scope: 'openid profile', ...fields });
const poll = (authReqId: string, client = bank) =>
  form('/token', client, { grant_type: 'urn:openid:params:grant-type:ciba', auth_req_id: authReqId });

describe('CIBA (poll)', () => {
  it('logs a known citizen in after their device approves with the PIN', async () => {
    const started = await start({ login_hint: kanha.accountId, binding_message: 'TELLER 4821' });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const authReqId = started.body.auth_req_id!;
    expect((await poll(authReqId)).body.error).toBe('authorization_pending');

    const listed = await kanha.device.call<{
      approvals: { id: string; bindingMessage: string; relyingParty: { name: string } }[];
    }>('GET', '/api/device/v1/approvals');
    const approval = listed.body.approvals.find((a) => a.bindingMessage === 'TELLER 4821')!;
    expect(approval.relyingParty.name).toBe('Bank teller desk');
    const elsewhere = await other.device.call<{ approvals: unknown[] }>('GET', '/api/device/v1/approvals');
    expect(elsewhere.body.approvals).toEqual([]);
    expect(
      (
        await other.device.call('POST', `/api/device/v1/approvals/${approval.id}/approve`, {
          pin: other.citizen.pin,
        })
      ).status,
    ).toBe(410);

    const approved = await kanha.device.call('POST', `/api/device/v1/approvals/${approval.id}/approve`, {
      pin: kanha.citizen.pin,
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const tokens = await poll(authReqId);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(decodeJwt(tokens.body.id_token!)).toMatchObject({
      sub: kanha.accountId,
      aud: bank.clientId,
      acr: 'urn:camdigikey:acr:device-pin',
    });
    expect((await poll(authReqId)).body.error).toBe('invalid_grant');
  });

  it('tells the relying party when the citizen declines', async () => {
    const started = await start({ login_hint: kanha.accountId, binding_message: 'TELLER 9000' });
    const listed = await kanha.device.call<{ approvals: { id: string; bindingMessage: string }[] }>(
      'GET',
      '/api/device/v1/approvals',
    );
    const approval = listed.body.approvals.find((a) => a.bindingMessage === 'TELLER 9000')!;
    expect(
      (await kanha.device.call('POST', `/api/device/v1/approvals/${approval.id}/reject`, {})).status,
    ).toBe(200);
    expect((await poll(started.body.auth_req_id!)).body.error).toBe('access_denied');
  });

  it('refuses a request without a binding message, for an unknown person, or from an RP not allowed CIBA', async () => {
    expect((await start({ login_hint: kanha.accountId })).body.error).toBe('invalid_binding_message');
    expect(
      (await start({ login_hint: '00000000-0000-4000-8000-000000000000', binding_message: 'X 1' })).body
        .error,
    ).toBe('unknown_user_id');
    const refused = await start({ login_hint: kanha.accountId, binding_message: 'X 2' }, plain);
    expect([refused.status, refused.body.error, refused.body.error_description]).toEqual([
      400,
      'invalid_request',
      expect.stringMatching(/ciba|grant/i),
    ]);
  });
});
