/**
 * Development only (with the dev outbox, never in production): the newest web login waiting for a
 * phone, so the device CLI can approve it without a camera: its current QR payload while pending,
 * and the number the browser shows once claimed.
 */
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps';
import { currentQr } from '../login/login-requests';
import { findRelyingParty } from '../oidc/relying-parties';

export function sandboxRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/dev/login-requests/latest', async (_request, reply) => {
    const row = await deps.db
      .selectFrom('login_requests')
      .select(['id', 'state', 'client_id', 'match_code', 'expires_at'])
      .where('state', 'in', ['pending', 'claimed'])
      .where('expires_at', '>', deps.clock.now())
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (!row) return reply.status(404).send({ error: 'no web login is waiting' });
    const rp = await findRelyingParty(deps.db, row.client_id);
    return {
      id: row.id,
      state: row.state,
      relyingParty: rp ? { name: rp.app_name, domain: rp.domain } : undefined,
      ...(row.state === 'pending'
        ? { qr: (await currentQr(deps, row.id))?.payload }
        : { matchCode: row.match_code }),
    };
  });
}
