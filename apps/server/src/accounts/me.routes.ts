/**
 * The citizen's control over their account (the app's "Me" section), every call signed by the
 * account's registered device:
 *
 *   GET  /api/device/v1/me/history   logins and attempts, approvals, data released to relying
 *                                     parties, security events (newest first, 200 at most)
 *   POST /api/device/v1/me/pin       {oldPin, newPin, newPinConfirmation}: the old PIN is checked
 *                                     like any PIN (a wrong one counts toward the lock)
 *   POST /api/device/v1/me/lock      {pin}: lock the account at once (then only recovery or an
 *                                     officer unlocks it); pending approvals are declined
 *   GET  /api/device/v1/me/export    everything the platform holds about the citizen, as JSON
 *                                     (the access right of the draft data-protection law); each
 *                                     photo and recording is listed with its download address
 *   GET  /api/device/v1/me/export/media/:id   one of them, decrypted, as it was uploaded; during
 *                                     the cooling-off after a recovery, 403 recovery_cooling_off
 *                                     (a SIM swapper must not collect the victim's face)
 */
import { checkPin } from '@camdigikey/core/identity/pin-policy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { appendAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { deviceAuditEntry, recordDeviceAudit } from '../device/device-audit';
import { requireRegisteredDevice } from '../device/device-auth';
import { AppError, fieldIssue } from '../errors';
import { sealContext } from '../flows/registration/flow-data';
import { checkAccountPin } from '../login/pin-check';
import { RECORDING_MEDIA_TYPE, readBlob, unpackRecording } from '../uploads/blobs';
import { changeAccountStatus } from './account-status';
import { coolingOffUntil } from './cooling-off';
import { openPersonal, personalOf } from './personal-data';

const pin = z.string().max(16);

export function meRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const ctx = (request: FastifyRequest, deviceId: string) => ({
    ip: request.ip,
    requestId: request.id,
    deviceId,
  });

  const history = (accountId: string, limit: number) =>
    deps.db
      .selectFrom('audit_events')
      .select(['occurred_at', 'action', 'actor_type', 'actor_id', 'details', 'device'])
      .where('subject_type', '=', 'account')
      .where('subject_id', '=', accountId)
      .where('action', '!=', 'review.case_viewed')
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();

  app.get('/api/device/v1/me/history', async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const rows = await history(device.accountId, 200);
    return {
      events: rows.map((r) => {
        const d = r.details as Record<string, unknown>;
        return {
          at: r.occurred_at.toISOString(),
          action: r.action,
          ...(typeof d.clientId === 'string' ? { clientId: d.clientId } : {}),
          ...(typeof d.method === 'string' ? { method: d.method } : {}),
          ...(Array.isArray(d.scopes) ? { released: d.scopes } : {}),
          thisDevice: r.device === device.deviceId || r.actor_id === device.deviceId,
        };
      }),
    };
  });

  app.post(
    '/api/device/v1/me/pin',
    { schema: { body: z.object({ oldPin: pin, newPin: pin, newPinConfirmation: pin }).strict() } },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      await checkAccountPin(deps, device.accountId, request.body.oldPin, {
        ...ctx(request, device.deviceId),
        purpose: 'change_pin',
      });
      const personal = (await personalOf(deps.db, deps.envelope, device.accountId))!;
      const policy = checkPin(request.body.newPin, { birthDate: personal.birthDate });
      if (!policy.ok) throw new AppError(policy.code, { fields: [fieldIssue('newPin', policy.code)] });
      if (request.body.newPin !== request.body.newPinConfirmation)
        throw new AppError('pin_mismatch', { fields: [fieldIssue('newPinConfirmation', 'pin_mismatch')] });
      if (request.body.newPin === request.body.oldPin)
        throw new AppError('pin_too_simple', { fields: [fieldIssue('newPin', 'pin_too_simple')] });
      const verifier = await deps.pins.hash(request.body.newPin);
      const now = deps.clock.now();
      await deps.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('accounts')
          .set({ pin_verifier: verifier, pin_failed_count: 0, pin_locked_until: null, updated_at: now })
          .where('id', '=', device.accountId)
          .execute();
        await appendAudit(trx, deviceAuditEntry(request, device, 'account.pin_changed'), now);
      });
      return { changed: true };
    },
  );

  app.post(
    '/api/device/v1/me/lock',
    { schema: { body: z.object({ pin }).strict() } },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      await checkAccountPin(deps, device.accountId, request.body.pin, {
        ...ctx(request, device.deviceId),
        purpose: 'lock_account',
      });
      await changeAccountStatus(
        deps,
        device.accountId,
        'locked',
        {
          actorType: 'device',
          actorId: device.deviceId,
          ip: request.ip,
          requestId: request.id,
          reason: 'citizen_locked',
        },
        async (trx, now) => {
          await trx
            .updateTable('accounts')
            .set({ locked_reason: 'citizen' })
            .where('id', '=', device.accountId)
            .execute();
          await trx
            .updateTable('device_approvals')
            .set({ state: 'rejected', decided_at: now })
            .where('account_id', '=', device.accountId)
            .where('state', '=', 'pending')
            .execute();
        },
      );
      return { status: 'locked' };
    },
  );

  app.get('/api/device/v1/me/export', async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const id = device.accountId;
    const a = await deps.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const personal = openPersonal(deps.envelope, a);
    const [devices, consents, media, evidence, decisions, events, tokens] = await Promise.all([
      deps.db
        .selectFrom('devices')
        .select(['id', 'status', 'created_at', 'last_seen_at', 'revoked_at'])
        .where('account_id', '=', id)
        .execute(),
      deps.db.selectFrom('consents').selectAll().where('account_id', '=', id).execute(),
      deps.db
        .selectFrom('blobs')
        .select(['id', 'purpose', 'media_type', 'byte_size', 'created_at'])
        .where('owner_type', '=', 'account')
        .where('owner_id', '=', id)
        .execute(),
      deps.db
        .selectFrom('evidence')
        .select(['kind', 'status', 'score', 'computed_at'])
        .where('account_id', '=', id)
        .execute(),
      deps.db
        .selectFrom('review_decisions')
        .select(['decision', 'reason_code', 'part', 'state', 'created_at'])
        .where('account_id', '=', id)
        .execute(),
      history(id, 1000),
      deps.db
        .selectFrom('api_tokens')
        .select(['client_id', 'kind', 'state', 'created_at', 'expires_at'])
        .where('account_id', '=', id)
        .orderBy(sql`created_at`, 'desc')
        .limit(500)
        .execute(),
    ]);
    await recordDeviceAudit(deps, request, device, 'account.exported');
    const withheldUntil = coolingOffUntil(deps, a.recovered_at);
    reply.header('content-disposition', 'attachment; filename="camdigikey-my-data.json"');
    return {
      exportedAt: deps.clock.now().toISOString(),
      account: {
        id: a.id,
        status: a.status,
        language: a.language,
        phone: personal.phoneE164,
        email: personal.email,
        khmerSurname: personal.khmerSurname,
        khmerGivenName: personal.khmerGivenName,
        latinSurname: personal.latinSurname,
        latinGivenName: personal.latinGivenName,
        gender: a.gender,
        birthDate: personal.birthDate,
        nationality: personal.nationality,
        document: {
          type: a.document_type,
          issuingState: a.document_issuing_state,
          number: deps.envelope.openText(a.document_number_enc, sealContext.accountDocumentNumber(a.id)),
          issueDate: a.document_issue_date,
          expiryDate: a.document_expiry_date,
        },
        submittedAt: a.submitted_at.toISOString(),
        decidedAt: a.decided_at?.toISOString() ?? null,
      },
      devices,
      consents,
      media: media.map(({ id: mediaId, ...m }) => ({
        ...m,
        // The bytes themselves: a signed GET of this address from the registered device (the app
        // saves them beside this file). Withheld while a recovery's cooling-off lasts.
        download: withheldUntil ? null : `${MEDIA_PATH}/${mediaId}`,
        ...(withheldUntil ? { withheldUntil: withheldUntil.toISOString() } : {}),
        note: 'stored encrypted; an officer reviewed it for your registration',
      })),
      evidence,
      decisions,
      history: events.map((e) => ({ at: e.occurred_at.toISOString(), action: e.action })),
      relyingPartyTokens: tokens,
    };
  });

  app.get(`${MEDIA_PATH}/:id`, { schema: { params: z.object({ id: z.uuid() }) } }, async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const row = await deps.db
      .selectFrom('blobs')
      .select(['id', 'purpose'])
      .where('id', '=', request.params.id)
      .where('owner_type', '=', 'account')
      .where('owner_id', '=', device.accountId)
      .executeTakeFirst();
    // Another account's media and a missing id get the same answer.
    if (!row) throw new AppError('not_found');
    const account = await deps.db
      .selectFrom('accounts')
      .select('recovered_at')
      .where('id', '=', device.accountId)
      .executeTakeFirstOrThrow();
    const until = coolingOffUntil(deps, account.recovered_at);
    if (until) throw new AppError('recovery_cooling_off', { details: { until: until.toISOString() } });
    const blob = await readBlob(deps.db, deps.envelope, row.id);
    if (!blob) throw new AppError('not_found');
    await recordDeviceAudit(deps, request, device, 'account.media_exported', { purpose: blob.purpose });
    if (blob.media_type === RECORDING_MEDIA_TYPE) {
      // The liveness recording is kept as frames in a container of ours: given back as JSON that
      // any tool opens, each frame a data: URI with its time (ms from the first frame).
      const { manifest, frames } = unpackRecording(Buffer.from(blob.bytes));
      reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="camdigikey-${blob.purpose}.json"`);
      return {
        actions: manifest.actions,
        steps: manifest.steps ?? null,
        receivedAt: manifest.receivedAt,
        frames: frames.map((f) => ({
          t: f.t,
          image: `data:${f.mediaType};base64,${Buffer.from(f.bytes).toString('base64')}`,
        })),
      };
    }
    const extension = MEDIA_EXTENSIONS[blob.media_type] ?? 'bin';
    reply
      .header('content-type', blob.media_type)
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="camdigikey-${blob.purpose}.${extension}"`);
    return reply.send(Buffer.from(blob.bytes));
  });
}

const MEDIA_PATH = '/api/device/v1/me/export/media';
const MEDIA_EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
};
