/**
 * Changing the phone number or e-mail address from the app (see contact-change.ts), every call
 * signed by the account's registered device:
 *
 *   POST /api/device/v1/me/contact               {channel, value, pin}: a code to the new address
 *   POST /api/device/v1/me/contact/:id/resend    a new code (same limits as registration)
 *   POST /api/device/v1/me/contact/:id/verify    {code}: the change, and a notice to the old address
 */
import { codeBody, emptyBody } from '@camdigikey/contracts/registration';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps';
import { requireRegisteredDevice } from '../device/device-auth';
import {
  type DeviceContext,
  resendContactCode,
  startContactChange,
  verifyContactChange,
} from './contact-change';

const BASE = '/api/device/v1/me/contact';
const params = z.object({ id: z.uuid() }).strict();
const startBody = z
  .object({ channel: z.enum(['sms', 'email']), value: z.string().min(3).max(254), pin: z.string().max(16) })
  .strict();

export function contactRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const context = async (request: FastifyRequest, reply: Parameters<typeof requireRegisteredDevice>[1]) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const ctx: DeviceContext = {
      ip: request.ip,
      requestId: request.id,
      deviceThumbprint: device.proof.thumbprint,
      deviceId: device.deviceId,
      accountId: device.accountId,
    };
    return ctx;
  };

  app.post(BASE, { schema: { body: startBody } }, async (request, reply) => {
    const ctx = await context(request, reply);
    return reply.status(201).send(await startContactChange(deps, request.body, ctx));
  });
  app.post(`${BASE}/:id/resend`, { schema: { params, body: emptyBody } }, async (request, reply) =>
    resendContactCode(deps, request.params.id, await context(request, reply)),
  );
  app.post(`${BASE}/:id/verify`, { schema: { params, body: codeBody } }, async (request, reply) =>
    verifyContactChange(deps, request.params.id, request.body.code, await context(request, reply)),
  );
}
