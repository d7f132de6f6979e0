/**
 * The relying parties a citizen is connected to (the app's "Me" section), from the device:
 *
 *   GET    /api/device/v1/me/connections              RPs holding a grant (OIDC consent) or a live
 *                                                     client-API access token, with the scopes granted
 *   DELETE /api/device/v1/me/connections/:clientId    revoke: the OIDC grant and every token issued
 *                                                     under it (access, refresh, codes) and the live
 *                                                     client-API tokens; the next login asks again
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Deps } from '../deps';
import { recordDeviceAudit } from '../device/device-audit';
import { requireRegisteredDevice } from '../device/device-auth';
import { AppError } from '../errors';
import { findRelyingParty } from '../oidc/relying-parties';
import { deleteGrant } from './revoke-access';

export function connectionRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();

  const grantsOf = (accountId: string) =>
    deps.db
      .selectFrom('oidc_payloads')
      .select(['id', 'payload'])
      .where('kind', '=', 'Grant')
      .where(sql<boolean>`payload->>'accountId' = ${accountId}`)
      .execute();
  const liveApiClients = (accountId: string) =>
    deps.db
      .selectFrom('api_tokens')
      .innerJoin('api_clients', 'api_clients.client_id', 'api_tokens.client_id')
      .select(['api_clients.rp_client_id', 'api_tokens.client_id'])
      .where('api_tokens.account_id', '=', accountId)
      .where('api_tokens.state', '=', 'active')
      .where('api_tokens.kind', '=', 'USER')
      .where('api_tokens.expires_at', '>', deps.clock.now())
      .execute();

  app.get('/api/device/v1/me/connections', async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const byClient = new Map<string, { scopes: Set<string>; via: Set<string> }>();
    const entry = (clientId: string) => {
      let e = byClient.get(clientId);
      if (!e) {
        e = { scopes: new Set(), via: new Set() };
        byClient.set(clientId, e);
      }
      return e;
    };
    for (const grant of await grantsOf(device.accountId)) {
      const p = grant.payload as { clientId?: string; openid?: { scope?: string } };
      if (!p.clientId || p.clientId.startsWith('api.')) continue;
      const e = entry(p.clientId);
      e.via.add('oidc');
      for (const s of (p.openid?.scope ?? '').split(' ').filter(Boolean)) e.scopes.add(s);
    }
    for (const token of await liveApiClients(device.accountId))
      entry(token.rp_client_id).via.add('client_api');
    const connections = [];
    for (const [clientId, e] of byClient) {
      const rp = await findRelyingParty(deps.db, clientId);
      connections.push({
        clientId,
        name: rp?.app_name,
        nameKm: rp?.app_name_km,
        domain: rp?.domain,
        scopes: [...e.scopes].sort(),
        via: [...e.via].sort(),
      });
    }
    return { connections };
  });

  app.delete(
    '/api/device/v1/me/connections/:clientId',
    { schema: { params: z.object({ clientId: z.string().min(3).max(64) }).strict() } },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      const { clientId } = request.params;
      const grants = (await grantsOf(device.accountId)).filter((g) => {
        const id = (g.payload as { clientId?: string }).clientId;
        return id === clientId || id === `api.${clientId}`;
      });
      const apiClient = await deps.db
        .selectFrom('api_clients')
        .select('client_id')
        .where('rp_client_id', '=', clientId)
        .executeTakeFirst();
      if (grants.length === 0 && !apiClient) throw new AppError('not_found');
      const now = deps.clock.now();
      await deps.db.transaction().execute(async (trx) => {
        for (const grant of grants) await deleteGrant(trx, grant.id);
        if (apiClient) {
          await trx
            .updateTable('api_tokens')
            .set({ state: 'logged_out', ended_at: now })
            .where('client_id', '=', apiClient.client_id)
            .where('account_id', '=', device.accountId)
            .where('state', '=', 'active')
            .execute();
        }
      });
      await recordDeviceAudit(deps, request, device, 'consent.revoked', { clientId, grants: grants.length });
      return { revoked: true };
    },
  );
}
