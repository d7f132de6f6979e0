/**
 * The phone's side of a signature request (issue 17), every call signed by a registered device:
 *
 *   GET  /api/device/v1/signing/requests              pending requests of this account
 *   POST /api/device/v1/signing/requests/:id/prepare  this device's certificate and the bytes to sign
 *   POST /api/device/v1/signing/requests/:id/approve  {pin, signatures: {statement, pades?}}
 *   POST /api/device/v1/signing/requests/:id/reject   {notMe?}
 *   GET  /api/device/v1/me/signatures                 the history: every request, what it said
 *
 * A signature needs the PIN: Face ID alone never signs (the body has no assertion field).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import type { Deps } from '../deps';
import { recordDeviceAudit } from '../device/device-audit';
import { requireRegisteredDevice } from '../device/device-auth';
import { findRelyingParty } from '../oidc/relying-parties';
import { deliverSigningDecision } from './ciba-sign';
import {
  approveSigningRequest,
  declineSigningRequest,
  pendingRequest,
  prepareForDevice,
  requestView,
  type SigningRequestRow,
} from './requests';

// a CIBA request id (base64url) or a client-API request's UUID
const params = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{10,100}$/) }).strict();
const p1363 = z.string().regex(/^[A-Za-z0-9_-]{86}$/, '64 bytes, base64url');
const approveBody = z
  .object({
    pin: z.string().max(16),
    signatures: z.object({ statement: p1363, pades: p1363.optional() }).strict(),
  })
  .strict();
const rejectBody = z.object({ notMe: z.boolean().optional() }).strict().optional();

export function signingDeviceRoutes(root: FastifyInstance, deps: Deps, provider: Provider): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const audit = (
    request: { ip: string; id: string },
    device: { deviceId: string; accountId: string },
    action: string,
    row: SigningRequestRow,
  ) =>
    recordDeviceAudit(deps, request, device, action, {
      signingRequestId: row.id,
      clientId: row.client_id,
      ...(row.document_name ? { documentName: row.document_name } : {}),
    });

  app.get('/api/device/v1/signing/requests', async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const rows = await deps.db
      .selectFrom('signing_requests')
      .selectAll()
      .where('account_id', '=', device.accountId)
      .where('state', '=', 'pending')
      .where('expires_at', '>', deps.clock.now())
      .orderBy('created_at')
      .execute();
    return { requests: await Promise.all(rows.map((row) => requestView(deps, row))) };
  });

  app.post('/api/device/v1/signing/requests/:id/prepare', { schema: { params } }, async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const row = await pendingRequest(deps, device.accountId, request.params.id);
    return prepareForDevice(deps, row, device.deviceId);
  });

  app.post(
    '/api/device/v1/signing/requests/:id/approve',
    { schema: { params, body: approveBody } },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      const signed = await approveSigningRequest(deps, {
        accountId: device.accountId,
        deviceId: device.deviceId,
        id: request.params.id,
        pin: request.body.pin,
        signatures: request.body.signatures,
        pinContext: { ip: request.ip, requestId: request.id, deviceId: device.deviceId },
      });
      await audit(request, device, 'signature.signed', signed);
      await deliverSigningDecision(deps, provider, signed);
      return { state: 'signed', signedAt: signed.decided_at?.toISOString() };
    },
  );

  app.post(
    '/api/device/v1/signing/requests/:id/reject',
    { schema: { params, body: rejectBody } },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      const notMe = request.body?.notMe === true;
      const declined = await declineSigningRequest(deps, {
        accountId: device.accountId,
        id: request.params.id,
        notMe,
      });
      await audit(request, device, notMe ? 'signature.not_me' : 'signature.declined', declined);
      await deliverSigningDecision(deps, provider, declined);
      return { state: 'declined', blocked: notMe };
    },
  );

  app.get('/api/device/v1/me/signatures', async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const rows = await deps.db
      .selectFrom('signing_requests')
      .select([
        'id',
        'client_id',
        'state',
        'statement',
        'document_name',
        'not_me',
        'created_at',
        'decided_at',
      ])
      .where('account_id', '=', device.accountId)
      .orderBy('created_at', 'desc')
      .limit(200)
      .execute();
    const names = new Map<string, Awaited<ReturnType<typeof findRelyingParty>>>();
    const signatures = [];
    for (const row of rows) {
      if (!names.has(row.client_id)) names.set(row.client_id, await findRelyingParty(deps.db, row.client_id));
      const rp = names.get(row.client_id);
      const statement = row.statement as { text?: { km?: string; en?: string }; format?: string };
      signatures.push({
        id: row.id,
        state: row.state,
        notMe: row.not_me,
        relyingParty: {
          name: rp?.app_name ?? row.client_id,
          nameKm: rp?.app_name_km ?? null,
          domain: rp?.domain ?? null,
        },
        text: statement.text ?? {},
        format: statement.format ?? 'plain',
        documentName: row.document_name,
        createdAt: row.created_at.toISOString(),
        decidedAt: row.decided_at?.toISOString() ?? null,
      });
    }
    return { signatures };
  });
}
