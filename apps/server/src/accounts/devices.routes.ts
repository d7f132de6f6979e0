/**
 * The citizen's devices and Face ID (the app's "Me" section), from the registered device:
 *
 *   GET    /api/device/v1/me/devices           the account's devices (this one marked), with Face ID
 *   POST   /api/device/v1/me/face-id/options   {pin}: WebAuthn creation options for this phone
 *   POST   /api/device/v1/me/face-id           {enrolmentId, credential}: Face ID on for this phone
 *   DELETE /api/device/v1/me/face-id           Face ID off for this phone (the PIN stays)
 *   DELETE /api/device/v1/me/devices/:id       {pin}: sign another device out (it can no longer sign)
 *
 * Turning Face ID on needs the PIN (it becomes a second way to approve), and the options live in a
 * short stored flow (kind `face_id_enrolment`) bound to this device, so a credential is accepted
 * only for the challenge issued here, once.
 */

import { faceIdBody } from '@camdigikey/contracts/registration';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps';
import { recordDeviceAudit } from '../device/device-audit';
import { requireRegisteredDevice } from '../device/device-auth';
import { AppError } from '../errors';
import { flowStore, type RequestContext } from '../flows/flow-store';
import { newFaceIdOptions, verifyFaceId } from '../flows/registration/credentials.steps';
import type { RegistrationData } from '../flows/registration/flow-data';
import { checkAccountPin } from '../login/pin-check';
import { openPersonal, PERSONAL_COLUMNS } from './personal-data';

type EnrolmentState = 'awaiting_credential' | 'enrolled';
const enrolments = flowStore<EnrolmentState, 'register', { faceId?: RegistrationData['faceId'] }>({
  kind: 'face_id_enrolment',
  initial: 'awaiting_credential',
  transitions: { register: { from: ['awaiting_credential'], to: ['enrolled'] } },
  finalStates: ['enrolled'],
});

const pinBody = z.object({ pin: z.string().max(16) }).strict();

export function deviceRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const me = async (request: FastifyRequest, reply: Parameters<typeof requireRegisteredDevice>[1]) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const ctx: RequestContext = {
      ip: request.ip,
      requestId: request.id,
      deviceThumbprint: device.proof.thumbprint,
    };
    return { ...device, ctx };
  };
  const pinCheck = (
    request: FastifyRequest,
    device: { accountId: string; deviceId: string },
    pin: string,
    purpose: string,
  ) =>
    checkAccountPin(deps, device.accountId, pin, {
      ip: request.ip,
      requestId: request.id,
      deviceId: device.deviceId,
      purpose,
    });

  app.get('/api/device/v1/me/devices', async (request, reply) => {
    const device = await me(request, reply);
    const rows = await deps.db
      .selectFrom('devices')
      .leftJoin('webauthn_credentials', (join) =>
        join
          .onRef('webauthn_credentials.device_id', '=', 'devices.id')
          .on('webauthn_credentials.revoked_at', 'is', null),
      )
      .select([
        'devices.id',
        'devices.created_at',
        'devices.last_seen_at',
        'webauthn_credentials.id as credential',
      ])
      .where('devices.account_id', '=', device.accountId)
      .where('devices.status', '=', 'active')
      .orderBy('devices.created_at')
      .execute();
    const byDevice = new Map<
      string,
      { id: string; createdAt: string; lastSeenAt: string | null; thisDevice: boolean; faceId: boolean }
    >();
    for (const r of rows) {
      const entry = byDevice.get(r.id) ?? {
        id: r.id,
        createdAt: r.created_at.toISOString(),
        lastSeenAt: r.last_seen_at?.toISOString() ?? null,
        thisDevice: r.id === device.deviceId,
        faceId: false,
      };
      entry.faceId ||= Boolean(r.credential);
      byDevice.set(r.id, entry);
    }
    return { devices: [...byDevice.values()] };
  });

  app.post('/api/device/v1/me/face-id/options', { schema: { body: pinBody } }, async (request, reply) => {
    const device = await me(request, reply);
    await pinCheck(request, device, request.body.pin, 'enable_face_id');
    const account = await deps.db
      .selectFrom('accounts')
      .select(['language', ...PERSONAL_COLUMNS])
      .where('id', '=', device.accountId)
      .executeTakeFirstOrThrow();
    const personal = openPersonal(deps.envelope, account);
    const { options, pending } = await newFaceIdOptions(deps, {
      name: personal.phoneE164,
      displayName: personal.email,
    });
    const created = await enrolments.create(deps, {
      language: account.language,
      thumbprint: device.ctx.deviceThumbprint,
      jwk: {},
      ctx: device.ctx,
    });
    await enrolments.save(deps, created, {
      action: { name: 'options_issued' },
      state: 'awaiting_credential',
      data: { faceId: pending },
      accountId: device.accountId,
      ctx: device.ctx,
    });
    return { enrolmentId: created.id, publicKey: options };
  });

  app.post(
    '/api/device/v1/me/face-id',
    { schema: { body: faceIdBody.extend({ enrolmentId: z.uuid() }).strict() } },
    async (request, reply) => {
      const device = await me(request, reply);
      const enrolment = await enrolments.load(
        deps,
        request.body.enrolmentId,
        device.ctx.deviceThumbprint,
        'register',
      );
      if (enrolment.accountId !== device.accountId) throw new AppError('flow_not_found');
      const { faceId, deviceType } = await verifyFaceId(
        deps,
        enrolment.data.faceId,
        request.body.credential as unknown as RegistrationResponseJSON,
      );
      await enrolments.save(deps, enrolment, {
        action: 'register',
        state: 'enrolled',
        data: { faceId },
        ctx: device.ctx,
        audit: { deviceType },
        also: async (trx, now) => {
          await trx
            .updateTable('webauthn_credentials')
            .set({ revoked_at: now })
            .where('device_id', '=', device.deviceId)
            .where('revoked_at', 'is', null)
            .execute();
          await trx
            .insertInto('webauthn_credentials')
            .values({
              id: faceId.credentialId,
              account_id: device.accountId,
              device_id: device.deviceId,
              public_key: Buffer.from(faceId.publicKey, 'base64url'),
              counter: faceId.counter,
              transports: JSON.stringify(faceId.transports),
              created_at: now,
              revoked_at: null,
            })
            .execute();
        },
      });
      await recordDeviceAudit(deps, request, device, 'face_id.enabled');
      return { faceId: true };
    },
  );

  app.delete('/api/device/v1/me/face-id', async (request, reply) => {
    const device = await me(request, reply);
    const revoked = await deps.db
      .updateTable('webauthn_credentials')
      .set({ revoked_at: deps.clock.now() })
      .where('device_id', '=', device.deviceId)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    if (revoked.length === 0) throw new AppError('not_found');
    await recordDeviceAudit(deps, request, device, 'face_id.disabled');
    return { faceId: false };
  });

  app.delete(
    '/api/device/v1/me/devices/:id',
    { schema: { params: z.object({ id: z.uuid() }).strict(), body: pinBody } },
    async (request, reply) => {
      const device = await me(request, reply);
      if (request.params.id === device.deviceId) throw new AppError('forbidden');
      await pinCheck(request, device, request.body.pin, 'revoke_device');
      const now = deps.clock.now();
      const revoked = await deps.db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('devices')
          .set({ status: 'revoked', revoked_at: now })
          .where('id', '=', request.params.id)
          .where('account_id', '=', device.accountId)
          .where('status', '=', 'active')
          .returning('id')
          .executeTakeFirst();
        if (!row) return false;
        await trx
          .updateTable('webauthn_credentials')
          .set({ revoked_at: now })
          .where('device_id', '=', row.id)
          .where('revoked_at', 'is', null)
          .execute();
        await trx.deleteFrom('push_subscriptions').where('device_id', '=', row.id).execute();
        return true;
      });
      if (!revoked) throw new AppError('not_found');
      await recordDeviceAudit(deps, request, device, 'device.revoked', { revokedDevice: request.params.id });
      return { revoked: true };
    },
  );
}
