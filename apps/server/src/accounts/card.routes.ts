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

export function cardRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/api/device/v1/me/card', async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const account = await deps.db
      .selectFrom('accounts')
      .select(['id', 'status', 'khmer_surname', 'khmer_given_name', 'latin_surname', 'latin_given_name'])
      .where('id', '=', device.accountId)
      .executeTakeFirst();
    if (!account) throw new AppError('device_key_unknown');
    const selfie = await latestAccountBlob(deps.db, deps.envelope, account.id, 'selfie');
    reply.header('cache-control', 'no-store');
    return {
      camdigikeyId: account.id,
      status: account.status,
      messageId: `account.status.${account.status}`,
      khmerName: [account.khmer_surname, account.khmer_given_name].filter(Boolean).join(' ') || null,
      latinName: [account.latin_surname, account.latin_given_name].filter(Boolean).join(' ') || null,
      photo: selfie
        ? `data:${selfie.media_type};base64,${Buffer.from(selfie.bytes).toString('base64')}`
        : null,
    };
  });
}
