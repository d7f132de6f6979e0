/**
 * Device API of a web login (user guide 3.1.2–3.1.3), every call signed by a registered device:
 *
 *   POST /api/device/v1/login/scan                  {qr}            claim the request
 *   POST /api/device/v1/login/:id/face-id/options                   WebAuthn assertion options
 *   POST /api/device/v1/login/:id/approve           {matchCode, pin} or {matchCode, assertion}
 *   POST /api/device/v1/login/:id/reject
 *
 * Order of checks on approve: the device holds the claim → the matching number (a wrong pick
 * cancels the request) → the PIN (lockout counters) or the Face ID assertion (user verification
 * required, this device's credential) → approved, announced to the waiting browser.
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps';
import { type DeviceActor, recordDeviceAudit } from '../device/device-audit';
import { requireRegisteredDevice } from '../device/device-auth';
import { AppError, fieldIssue } from '../errors';
import { claimedBy, decide, scanQr } from './login-requests';
import { checkAccountPin } from './pin-check';

const params = z.object({ id: z.uuid() }).strict();
const scanBody = z.object({ qr: z.string().min(1).max(512) }).strict();
/** How a citizen approves on the device: the PIN, or a Face ID (WebAuthn) assertion; exactly one. */
export const approvalCredential = {
  pin: z.string().max(16).optional(),
  assertion: z
    .object({
      id: z.string().max(1024),
      rawId: z.string().max(1024),
      type: z.literal('public-key'),
      response: z.object({}).loose(),
    })
    .loose()
    .optional(),
};
export const onePinOrAssertion = (b: { pin?: string | undefined; assertion?: unknown }) =>
  (b.pin === undefined) !== (b.assertion === undefined);

const approveBody = z
  .object({ matchCode: z.string().regex(/^\d{2,3}$/), ...approvalCredential })
  .strict()
  .refine(onePinOrAssertion, { message: 'pin or assertion' });

export function deviceLoginRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();

  const audit = (
    action: string,
    device: DeviceActor,
    request: { ip: string; id: string },
    details: Record<string, unknown>,
  ) => recordDeviceAudit(deps, request, device, action, details);

  app.post('/api/device/v1/login/scan', { schema: { body: scanBody } }, async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    try {
      const claimed = await scanQr(deps, {
        payload: request.body.qr,
        deviceId: device.deviceId,
        accountId: device.accountId,
      });
      await audit('login.scanned', device, request, {
        loginRequestId: claimed.requestId,
        domain: claimed.relyingParty.domain,
      });
      return claimed;
    } catch (error) {
      if (error instanceof AppError) {
        await audit('login.scan_refused', device, request, {
          reason: error.code,
        });
      }
      throw error;
    }
  });

  app.post('/api/device/v1/login/:id/face-id/options', { schema: { params } }, async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const id = request.params.id;
    // The request's checks (claimed by this device, still open) are the conditions of the one
    // statement that stores the challenge; when it stores nothing, claimedBy says why.
    const options = await faceIdOptions(deps, device.deviceId).catch(async (error: unknown) => {
      await claimedBy(deps, id, device.deviceId);
      throw error;
    });
    const stored = await deps.db
      .updateTable('login_requests')
      .set({ webauthn_challenge: options.challenge })
      .where('id', '=', id)
      .where('device_id', '=', device.deviceId)
      .where('state', '=', 'claimed')
      .where('expires_at', '>', deps.clock.now())
      .returning('id')
      .executeTakeFirst();
    if (!stored) {
      await claimedBy(deps, id, device.deviceId);
      throw new AppError('login_request_claimed');
    }
    return { publicKey: options };
  });

  app.post(
    '/api/device/v1/login/:id/approve',
    { schema: { params, body: approveBody } },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      const row = await claimedBy(deps, request.params.id, device.deviceId);
      const log = (action: string, details: Record<string, unknown>) =>
        audit(action, device, request, {
          loginRequestId: row.id,
          clientId: row.client_id,
          ...details,
        });

      if (request.body.matchCode !== row.match_code) {
        await decide(deps, row.id, { state: 'rejected', reason: 'wrong_code' });
        await log('login.wrong_code', {});
        throw new AppError('login_wrong_code', { fields: [fieldIssue('matchCode', 'login_wrong_code')] });
      }
      let method: 'pin' | 'face_id';
      if (request.body.pin !== undefined) {
        try {
          await checkAccountPin(deps, device.accountId, request.body.pin, {
            ip: request.ip,
            requestId: request.id,
            deviceId: device.deviceId,
            purpose: 'web_login',
          });
        } catch (error) {
          // A locked PIN or account ends this login: the waiting browser returns to the relying party.
          if (error instanceof AppError && (error.code === 'pin_locked' || error.code === 'pin_blocked')) {
            await decide(deps, row.id, { state: 'rejected', reason: error.code });
          }
          throw error;
        }
        method = 'pin';
      } else {
        await verifyFaceId(
          deps,
          device.deviceId,
          row.webauthn_challenge,
          request.body.assertion as unknown as AuthenticationResponseJSON,
        );
        method = 'face_id';
      }
      await decide(deps, row.id, { state: 'approved', method });
      await log('login.approved', { method });
      return { state: 'approved' };
    },
  );

  app.post('/api/device/v1/login/:id/reject', { schema: { params } }, async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const row = await claimedBy(deps, request.params.id, device.deviceId);
    await decide(deps, row.id, { state: 'rejected', reason: 'user_rejected' });
    await audit('login.rejected', device, request, {
      loginRequestId: row.id,
      clientId: row.client_id,
    });
    return { state: 'rejected' };
  });
}

/** WebAuthn assertion options for this device's Face ID credentials (user verification required). */
export async function faceIdOptions(deps: Deps, deviceId: string) {
  const credentials = await deps.db
    .selectFrom('webauthn_credentials')
    .select(['id', 'transports'])
    .where('device_id', '=', deviceId)
    .where('revoked_at', 'is', null)
    .execute();
  if (credentials.length === 0) throw new AppError('webauthn_failed', { details: { reason: 'no_face_id' } });
  // Loaded on first use: the WebAuthn library is a large import that start-up does not need.
  const { generateAuthenticationOptions } = await import('@simplewebauthn/server');
  return generateAuthenticationOptions({
    rpID: deps.config.webauthn.rpId,
    userVerification: 'required',
    allowCredentials: credentials.map((c) => ({ id: c.id, transports: c.transports as never })),
    timeout: 60_000,
  });
}

/** Checks a Face ID (WebAuthn, user verification required) assertion of this device's credential. */
export async function verifyFaceId(
  deps: Deps,
  deviceId: string,
  challenge: string | null,
  assertion: AuthenticationResponseJSON,
) {
  if (!challenge || !assertion) throw new AppError('webauthn_failed', { details: { reason: 'no_options' } });
  const credential = await deps.db
    .selectFrom('webauthn_credentials')
    .selectAll()
    .where('id', '=', assertion.id)
    .where('device_id', '=', deviceId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!credential) throw new AppError('webauthn_failed', { details: { reason: 'unknown_credential' } });
  try {
    const { verifyAuthenticationResponse } = await import('@simplewebauthn/server');
    const result = await verifyAuthenticationResponse({
      response: assertion,
      expectedChallenge: challenge,
      expectedOrigin: [...deps.config.webauthn.origins],
      expectedRPID: deps.config.webauthn.rpId,
      requireUserVerification: true,
      credential: {
        id: credential.id,
        publicKey: new Uint8Array(credential.public_key),
        counter: Number(credential.counter),
        transports: credential.transports as never,
      },
    });
    if (!result.verified) throw new Error('not verified');
    await deps.db
      .updateTable('webauthn_credentials')
      .set({ counter: result.authenticationInfo.newCounter })
      .where('id', '=', credential.id)
      .execute();
  } catch (cause) {
    throw new AppError('webauthn_failed', { cause });
  }
}
