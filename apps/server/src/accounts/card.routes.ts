/**
 * The citizen's card on the app's home screen (issue 16, item 7): who this phone belongs to, so
 * a citizen sees their own identity where they approve logins.
 *
 *   GET /api/device/v1/me/card   {camdigikeyId, status, messageId, khmerName, latinName, photo}
 *
 * Signed by the account's registered device like every "Me" call. `photo` is the face photo
 * enrolled at registration (the selfie, a JPEG data URI) or null when there is none; it goes only
 * to the account's own device, and nothing of it is logged.
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps';
import { requireRegisteredDevice } from '../device/device-auth';
import { AppError } from '../errors';
import { latestAccountBlob } from '../uploads/blobs';
import { openPersonal, PERSONAL_COLUMNS } from './personal-data';

export function cardRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/api/device/v1/me/card', async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const account = await deps.db
      .selectFrom('accounts')
      .select(['status', ...PERSONAL_COLUMNS])
      .where('id', '=', device.accountId)
      .executeTakeFirst();
    if (!account) throw new AppError('device_key_unknown');
    const p = openPersonal(deps.envelope, account);
    const selfie = await latestAccountBlob(deps.db, deps.envelope, account.id, 'selfie');
    reply.header('cache-control', 'no-store');
    return {
      camdigikeyId: account.id,
      status: account.status,
      messageId: `account.status.${account.status}`,
      khmerName: [p.khmerSurname, p.khmerGivenName].filter(Boolean).join(' ') || null,
      latinName: [p.latinSurname, p.latinGivenName].filter(Boolean).join(' ') || null,
      photo: selfie
        ? `data:${selfie.media_type};base64,${Buffer.from(selfie.bytes).toString('base64')}`
        : null,
    };
  });
}
