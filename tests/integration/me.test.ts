/**
 * The citizen's control over their account from the app: login history (with the data each
 * relying party received), changing the PIN (the old PIN counts toward the lock), the data export
 * (everything held, no secrets), and locking the account at once.
 */
import { readBlob, unpackRecording } from '@camdigikey/server/uploads/blobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { qrLoginCallback } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let dara: ActiveCitizen;

beforeAll(async () => {
  server = await startTestServer();
  dara = await activeCitizen(server, 8801);
}, 60_000);
afterAll(async () => server?.close());

const webLogin = (clientId: string) => qrLoginCallback(server, dara, clientId);

describe("the citizen's card on home", () => {
  it('shows the account to its own phone only: names, CamDigiKey ID, state and the enrolled face photo', async () => {
    const card = await dara.device.call<{
      camdigikeyId: string;
      status: string;
      khmerName: string | null;
      latinName: string | null;
      photo: string | null;
    }>('GET', '/api/device/v1/me/card');
    expect(card.status).toBe(200);
    expect(card.body).toMatchObject({
      camdigikeyId: dara.accountId,
      status: 'active',
      khmerName: `${dara.citizen.khmerSurname} ${dara.citizen.khmerGivenName}`,
      latinName: `${dara.citizen.latinSurname} ${dara.citizen.latinGivenName}`,
    });
    expect(card.body.photo).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    // Another phone (not the account's device) gets nothing.
    const stranger = await server.device();
    expect((await stranger.call('GET', '/api/device/v1/me/card')).status).toBe(401);
  });
});

describe("the citizen's control", () => {
  it('shows the login history with the relying party, the method and this device', async () => {
    const rp = await registerRelyingParty(server, { appName: 'Pension Portal' });
    expect(await webLogin(rp.clientId)).toContain('code=');
    const history = await dara.device.call<{
      events: {
        action: string;
        clientId?: string;
        method?: string;
        released?: string[];
        thisDevice: boolean;
      }[];
    }>('GET', '/api/device/v1/me/history');
    expect(history.status).toBe(200);
    expect(history.body.events).toContainEqual(
      expect.objectContaining({
        action: 'login.completed',
        clientId: rp.clientId,
        method: 'pin',
        thisDevice: true,
      }),
    );
    expect(history.body.events).toContainEqual(
      expect.objectContaining({
        action: 'consent.granted',
        clientId: rp.clientId,
        released: ['openid', 'profile'],
      }),
    );
  });

  it('lists the connected relying parties and revokes one: its tokens stop working and the next login asks again', async () => {
    const rp = await registerRelyingParty(server, { appName: 'Licence Portal' });
    const back = new URL(await webLogin(rp.clientId));
    const tokens = (await (
      await fetch(`${server.url}/oidc/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: back.searchParams.get('code')!,
          redirect_uri: 'http://127.0.0.1:9999/callback',
          code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
        }).toString(),
      })
    ).json()) as { access_token: string };
    const userinfo = () =>
      fetch(`${server.url}/oidc/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await userinfo()).status).toBe(200);
    const listed = await dara.device.call<{
      connections: { clientId: string; name: string; scopes: string[]; via: string[] }[];
    }>('GET', '/api/device/v1/me/connections');
    expect(listed.body.connections).toContainEqual({
      clientId: rp.clientId,
      name: 'Licence Portal',
      nameKm: null,
      domain: 'business.example.gov.kh',
      scopes: ['openid', 'profile'],
      via: ['oidc'],
    });
    const revoked = await dara.device.call('DELETE', `/api/device/v1/me/connections/${rp.clientId}`);
    expect(revoked.status).toBe(200);
    expect((await userinfo()).status).toBe(401);
    const after = await dara.device.call<{ connections: { clientId: string }[] }>(
      'GET',
      '/api/device/v1/me/connections',
    );
    expect(after.body.connections.map((c) => c.clientId)).not.toContain(rp.clientId);
    expect((await dara.device.call('DELETE', `/api/device/v1/me/connections/${rp.clientId}`)).status).toBe(
      404,
    );
  });

  it('changes the PIN only with the old one (a wrong one counts toward the lock) and refuses a weak new one', async () => {
    const wrong = await dara.device.call<{ error: { code: string } }>('POST', '/api/device/v1/me/pin', {
      oldPin: '000000' === dara.citizen.pin ? '111222' : '000000',
      newPin: '482915',
      newPinConfirmation: '482915',
    });
    expect(wrong.body.error.code).toBe('pin_invalid');
    const counted = await server.deps.db
      .selectFrom('accounts')
      .select('pin_failed_count')
      .where('id', '=', dara.accountId)
      .executeTakeFirstOrThrow();
    expect(counted.pin_failed_count).toBe(1);
    const weak = await dara.device.call<{ error: { code: string } }>('POST', '/api/device/v1/me/pin', {
      oldPin: dara.citizen.pin,
      newPin: '123456',
      newPinConfirmation: '123456',
    });
    expect(weak.body.error.code).toBe('pin_too_simple');
    const changed = await dara.device.call('POST', '/api/device/v1/me/pin', {
      oldPin: dara.citizen.pin,
      newPin: '482915',
      newPinConfirmation: '482915',
    });
    expect(changed.status).toBe(200);
    const back = await dara.device.call('POST', '/api/device/v1/me/pin', {
      oldPin: '482915',
      newPin: dara.citizen.pin,
      newPinConfirmation: dara.citizen.pin,
    });
    expect(back.status).toBe(200);
  });

  it('exports everything the platform holds, without secrets, and audits the export', async () => {
    const exported = await dara.device.call<Record<string, unknown>>('GET', '/api/device/v1/me/export');
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({
      account: {
        id: dara.accountId,
        latinSurname: dara.citizen.latinSurname,
        document: { number: dara.citizen.documentNumber },
      },
    });
    const text = JSON.stringify(exported.body);
    expect(text).not.toMatch(/pin_verifier|argon2|sealed|private/i);
    expect((exported.body.history as unknown[]).length).toBeGreaterThan(3);
    const audit = await server.deps.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'account.exported')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('gives back each photo and the recording as uploaded, only to the account, and not while a recovery cools off', async () => {
    const exported = await dara.device.call<{
      media: { purpose: string; media_type: string; byte_size: number; download: string | null }[];
    }>('GET', '/api/device/v1/me/export');
    const media = exported.body.media;
    expect(media.map((m) => m.purpose).sort()).toEqual(
      expect.arrayContaining(['document_photo', 'liveness_recording', 'selfie']),
    );
    const stored = await server.deps.db
      .selectFrom('blobs')
      .select(['id', 'purpose'])
      .where('owner_id', '=', dara.accountId)
      .execute();
    for (const m of media) {
      expect(m.download).toMatch(/^\/api\/device\/v1\/me\/export\/media\/[0-9a-f-]{36}$/);
      const got = await dara.device.call<{ frames?: { t: number; image: string }[] }>(
        'GET',
        m.download as string,
      );
      expect(got.status).toBe(200);
      expect(got.headers.get('cache-control')).toBe('no-store');
      const id = (m.download as string).split('/').pop();
      const blob = await readBlob(server.deps.db, server.deps.envelope, id as string);
      expect(stored.map((b) => b.id)).toContain(id);
      if (m.purpose === 'liveness_recording') {
        // The recording comes back as frames anyone can open: JPEG data URIs with their times.
        const { frames } = unpackRecording(Buffer.from(blob?.bytes as Uint8Array));
        expect(got.body.frames).toHaveLength(frames.length);
        const first = got.body.frames?.[0]?.image ?? '';
        expect(
          Buffer.from(first.slice(first.indexOf(',') + 1), 'base64').equals(Buffer.from(frames[0]!.bytes)),
        ).toBe(true);
      } else {
        expect(got.headers.get('content-type')).toBe(m.media_type);
        expect(Buffer.from(got.bytes).equals(Buffer.from(blob?.bytes as Uint8Array))).toBe(true);
        expect(got.bytes.length).toBe(m.byte_size);
      }
    }
    const audited = await server.deps.db
      .selectFrom('audit_events')
      .select('action')
      .where('action', '=', 'account.media_exported')
      .execute();
    expect(audited).toHaveLength(media.length);

    // Another citizen's device gets the same answer as for an id that does not exist.
    const other = await activeCitizen(server, 8802);
    const theirs = await other.device.call<{ error: { code: string } }>('GET', media[0]!.download as string);
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe('not_found');
    const malformed = await dara.device.call<{ error: { code: string } }>(
      'GET',
      '/api/device/v1/me/export/media/not-an-id',
    );
    expect(malformed.status).toBe(400);

    // Just after a recovery (a SIM swapper could be the one holding the phone) the face is withheld.
    await server.deps.db
      .updateTable('accounts')
      .set({ recovered_at: server.clock.now() })
      .where('id', '=', dara.accountId)
      .execute();
    try {
      const cooling = await dara.device.call<{
        media: { download: string | null; withheldUntil?: string }[];
      }>('GET', '/api/device/v1/me/export');
      expect(
        cooling.body.media.every((m) => m.download === null && typeof m.withheldUntil === 'string'),
      ).toBe(true);
      const refused = await dara.device.call<{ error: { code: string } }>(
        'GET',
        media[0]!.download as string,
      );
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('recovery_cooling_off');
    } finally {
      await server.deps.db
        .updateTable('accounts')
        .set({ recovered_at: null })
        .where('id', '=', dara.accountId)
        .execute();
    }
  });

  it('locks the account at once with the PIN', async () => {
    const locked = await dara.device.call('POST', '/api/device/v1/me/lock', { pin: dara.citizen.pin });
    expect(locked.status).toBe(200);
    const status = await dara.device.call<{ status: string }>('GET', '/api/device/v1/account/status');
    expect(status.body.status).toBe('locked');
  });
});
