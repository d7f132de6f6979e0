/**
 * The citizen's single-sign-on sessions (the app's "Me" section), from the registered device:
 *
 *   GET    /api/device/v1/me/sessions        active sessions: when they started, how, and the
 *                                             relying parties signed in through each
 *   DELETE /api/device/v1/me/sessions/:uid   sign out one session
 *   DELETE /api/device/v1/me/sessions        sign out everywhere
 *
 * Signing out ends the provider's session, drops the grants that do not outlive a logout (their
 * tokens too), and sends an OpenID Connect back-channel logout token to every relying party of the
 * session that registered a back-channel logout URI. A relying party that does not answer is
 * logged; the session ends regardless.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import type { Deps } from '../deps';
import { recordDeviceAudit } from '../device/device-audit';
import { requireRegisteredDevice } from '../device/device-auth';
import { AppError } from '../errors';
import { providerNow } from '../oidc/provider-time';
import { findRelyingParty } from '../oidc/relying-parties';
import { deleteGrant } from './revoke-access';

interface SessionPayload {
  accountId?: string;
  uid?: string;
  loginTs?: number;
  iat?: number;
  exp?: number;
  acr?: string;
  amr?: string[];
  authorizations?: Record<string, { sid?: string; grantId?: string; persistsLogout?: boolean }>;
}

export function sessionRoutes(root: FastifyInstance, deps: Deps, provider: Provider): void {
  const app = root.withTypeProvider<ZodTypeProvider>();

  const sessionsOf = async (accountId: string) => {
    const rows = await deps.db
      .selectFrom('oidc_payloads')
      .select(['id', 'payload', 'expires_at'])
      .where('kind', '=', 'Session')
      .where(sql<boolean>`payload->>'accountId' = ${accountId}`)
      .execute();
    // oidc-provider stamps its records with the system clock, not ours: expiry is judged on it too.
    const now = providerNow().getTime();
    return rows
      .filter((r) => !r.expires_at || r.expires_at.getTime() > now)
      .map((r) => ({ id: r.id, payload: r.payload as SessionPayload }));
  };

  const endSession = async (accountId: string, session: { id: string; payload: SessionPayload }) => {
    const authorizations = Object.entries(session.payload.authorizations ?? {});
    await deps.db.transaction().execute(async (trx) => {
      for (const [, authorization] of authorizations) {
        if (!authorization.grantId || authorization.persistsLogout) continue;
        await deleteGrant(trx, authorization.grantId);
      }
      await trx
        .deleteFrom('oidc_payloads')
        .where('kind', '=', 'Session')
        .where('id', '=', session.id)
        .execute();
    });
    const notified: string[] = [];
    for (const [clientId, authorization] of authorizations) {
      // oidc-provider's client model sends the logout token (signed like an ID token, sid included).
      const client = (await provider.Client.find(clientId)) as
        | { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid: string): Promise<void> }
        | undefined;
      if (!client?.backchannelLogoutUri) continue;
      try {
        await client.backchannelLogout(accountId, authorization.sid ?? '');
        notified.push(clientId);
      } catch (error) {
        deps.logger.warn({ err: error, clientId }, 'back-channel logout not delivered');
      }
    }
    return { clients: authorizations.map(([clientId]) => clientId), notified };
  };

  const device = (request: FastifyRequest, reply: Parameters<typeof requireRegisteredDevice>[1]) =>
    requireRegisteredDevice(request, reply, deps);

  app.get('/api/device/v1/me/sessions', async (request, reply) => {
    const me = await device(request, reply);
    const sessions = [];
    for (const s of await sessionsOf(me.accountId)) {
      const relyingParties = [];
      for (const clientId of Object.keys(s.payload.authorizations ?? {})) {
        const rp = await findRelyingParty(deps.db, clientId.replace(/^api\./, ''));
        relyingParties.push({ clientId, name: rp?.app_name, nameKm: rp?.app_name_km, domain: rp?.domain });
      }
      sessions.push({
        id: s.payload.uid,
        startedAt: s.payload.loginTs ? new Date(s.payload.loginTs * 1000).toISOString() : null,
        expiresAt: s.payload.exp ? new Date(s.payload.exp * 1000).toISOString() : null,
        acr: s.payload.acr ?? null,
        amr: s.payload.amr ?? [],
        relyingParties,
      });
    }
    return { sessions };
  });

  app.delete(
    '/api/device/v1/me/sessions/:uid',
    { schema: { params: z.object({ uid: z.string().min(8).max(64) }).strict() } },
    async (request, reply) => {
      const me = await device(request, reply);
      const session = (await sessionsOf(me.accountId)).find((s) => s.payload.uid === request.params.uid);
      if (!session) throw new AppError('not_found');
      const ended = await endSession(me.accountId, session);
      await recordDeviceAudit(deps, request, me, 'session.ended', { ...ended, all: false });
      return { ended: 1, notified: ended.notified };
    },
  );

  app.delete('/api/device/v1/me/sessions', async (request, reply) => {
    const me = await device(request, reply);
    const notified = new Set<string>();
    const sessions = await sessionsOf(me.accountId);
    for (const session of sessions) {
      const ended = await endSession(me.accountId, session);
      for (const c of ended.notified) notified.add(c);
    }
    await recordDeviceAudit(deps, request, me, 'session.ended', { all: true, sessions: sessions.length });
    return { ended: sessions.length, notified: [...notified] };
  });
}
