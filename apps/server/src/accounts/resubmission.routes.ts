/**
 * Device API of a resubmission (accounts/resubmission.ts), every call signed by the account's
 * registered device with a fresh single-use nonce, as for the account status:
 *
 *   POST /api/device/v1/account/resubmission                   {}  → {part, messageId, challenge?}
 *   POST /api/device/v1/account/resubmission/document-photo    {photo}                        → status
 *   POST /api/device/v1/account/resubmission/liveness          {challengeId, selfie, frames}  → status
 */
import { emptyBody } from '@camdigikey/contracts/registration';
import {
  RESUBMISSION_PATH,
  resubmitDocumentPhotoBody,
  resubmitLivenessBody,
} from '@camdigikey/contracts/resubmission';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deps } from '../deps';
import { requireRegisteredDevice } from '../device/device-auth';
import {
  type DeviceContext,
  resubmitDocumentPhoto,
  resubmitLiveness,
  startResubmission,
} from './resubmission';

export function resubmissionRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const context = async (request: FastifyRequest, reply: FastifyReply): Promise<DeviceContext> => {
    const device = await requireRegisteredDevice(request, reply, deps);
    return { accountId: device.accountId, deviceId: device.deviceId, ip: request.ip, requestId: request.id };
  };

  app.post(RESUBMISSION_PATH, { schema: { body: emptyBody } }, async (request, reply) =>
    startResubmission(deps, await context(request, reply)),
  );
  app.post(
    `${RESUBMISSION_PATH}/document-photo`,
    { schema: { body: resubmitDocumentPhotoBody } },
    async (request, reply) => resubmitDocumentPhoto(deps, await context(request, reply), request.body),
  );
  app.post(
    `${RESUBMISSION_PATH}/liveness`,
    { schema: { body: resubmitLivenessBody } },
    async (request, reply) => resubmitLiveness(deps, await context(request, reply), request.body),
  );
}
