/**
 * Client-initiated backchannel authentication (OpenID CIBA Core 1.0) for relying parties allowed
 * `ciba` in the registry: an RP backend names a citizen it already knows (`login_hint` = the `sub`
 * it received, or `id_token_hint`), with a `binding_message` it also shows its user; the request
 * waits for the citizen's registered device, which lists it, shows the RP's registered name and the
 * binding message, and approves with the PIN or declines. The RP polls the token endpoint (or is
 * pinged). A binding message is required: approving a push without comparing something with the
 * other screen is not acceptable (NIST SP 800-63B-4, security-rules.md).
 *
 * Device API (every call signed by a registered device):
 *   GET  /api/device/v1/approvals               pending requests for this device's account
 *   POST /api/device/v1/approvals/:id/approve   {pin}
 *   POST /api/device/v1/approvals/:id/reject
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { z } from 'zod';
import type { Deps } from '../deps';
import { recordDeviceAudit } from '../device/device-audit';
import { requireRegisteredDevice } from '../device/device-auth';
import { AppError } from '../errors';
import { openEventStream, type Streams } from '../http/event-stream';
import { checkAccountPin } from '../login/pin-check';
import { notifyAccount } from '../push/push';
import { startCibaSigning } from '../signing/ciba-sign';
import { findRelyingParty } from './relying-parties';
import { accountForSubject } from './subjects';

export const ACR_DEVICE_PIN = 'urn:camdigikey:acr:device-pin';

type CibaFeature = NonNullable<NonNullable<import('oidc-provider').Configuration['features']>['ciba']>;

/** The `features.ciba` configuration of the provider. */
export function cibaFeature(deps: Deps): CibaFeature {
  return {
    enabled: true,
    // Poll only (README): no relying party registers a notification endpoint.
    deliveryModes: ['poll'],
    // login_hint is the `sub` this relying party received (pairwise or public); anything else,
    // an unknown sub or an account that cannot log in all answer unknown_user_id alike.
    processLoginHint: async (ctx: KoaContextWithOIDC, loginHint: string) => {
      const accountId = await accountForSubject(deps.db, ctx.oidc.client, loginHint);
      if (!accountId) return undefined;
      const account = await deps.db
        .selectFrom('accounts')
        .select(['id', 'status'])
        .where('id', '=', accountId)
        .executeTakeFirst();
      if (account?.status !== 'active') return undefined;
      await refuseBombing(deps, account.id, ctx.oidc.client?.clientId ?? '');
      return account.id;
    },
    processLoginHintToken: async () => {
      throw new errors.InvalidRequest('login_hint_token is not supported; use login_hint or id_token_hint');
    },
    validateBindingMessage: async (_ctx: KoaContextWithOIDC, bindingMessage?: string) => {
      if (!bindingMessage || !/^[\p{L}\p{M}\p{N} .,:#/+_-]{1,40}$/u.test(bindingMessage)) {
        throw new errors.InvalidBindingMessage(
          'binding_message is required: 1–40 letters, digits, spaces or . , : # / + _ -',
        );
      }
    },
    validateRequestContext: async () => undefined,
    verifyUserCode: async (_ctx: KoaContextWithOIDC, _account: unknown, userCode?: string) => {
      if (userCode) throw new errors.InvalidRequest('user_code is not supported');
    },
    triggerAuthenticationDevice: async (_ctx: KoaContextWithOIDC, request, account, client) => {
      // A request with a camdigikey_sign detail is a signature request (issue 17).
      if (await startCibaSigning(deps, request, account.accountId, client.clientId)) return;
      const now = deps.clock.now();
      await deps.db
        .insertInto('device_approvals')
        .values({
          id: request.jti,
          account_id: account.accountId,
          client_id: client.clientId,
          binding_message: String(request.params?.binding_message ?? ''),
          scope: String(request.params?.scope ?? 'openid'),
          state: 'pending',
          created_at: now,
          expires_at: new Date(now.getTime() + (request.expiration ?? 600) * 1000),
          decided_at: null,
        })
        .execute();
      await deps.hot.publish(`approvals:${account.accountId}`, JSON.stringify({ id: request.jti }));
      const rp = await findRelyingParty(deps.db, client.clientId);
      // The notice carries no personal data; the app fetches the request over its signed API.
      notifyAccount(deps, account.accountId, {
        type: 'approval_request',
        id: request.jti,
        relyingParty: { name: rp?.app_name, nameKm: rp?.app_name_km, domain: rp?.domain },
        bindingMessage: String(request.params?.binding_message ?? ''),
      });
    },
  } as CibaFeature;
}

/**
 * Push-bombing limits: at most APPROVALS_MAX_PENDING requests waiting for one citizen, at most
 * APPROVALS_PER_ACCOUNT_PER_HOUR from one relying party to one citizen and
 * APPROVALS_PER_CLIENT_PER_HOUR from one relying party in all, and none from a relying party the
 * citizen answered "I did not ask for this" within the block time. The answer is access_denied
 * either way (it reveals nothing the RP could not guess).
 */
async function refuseBombing(deps: Deps, accountId: string, clientId: string) {
  const now = deps.clock.now();
  const perAccount = await deps.hot.hit(`ciba:${clientId}:${accountId}`, 3600, now);
  const perClient = await deps.hot.hit(`ciba:${clientId}`, 3600, now);
  if (
    perAccount.count > deps.config.approvals.perAccountPerHour ||
    perClient.count > deps.config.approvals.perClientPerHour
  ) {
    throw new errors.AccessDenied('too many requests');
  }
  const { count } = await deps.db
    .selectFrom('device_approvals')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('account_id', '=', accountId)
    .where('state', '=', 'pending')
    .where('expires_at', '>', deps.clock.now())
    .executeTakeFirstOrThrow();
  const since = new Date(deps.clock.now().getTime() - deps.config.approvals.notMeBlockMinutes * 60_000);
  const blocked = await deps.db
    .selectFrom('device_approvals')
    .select('id')
    .where('account_id', '=', accountId)
    .where('client_id', '=', clientId)
    .where('not_me', '=', true)
    .where('decided_at', '>', since)
    .executeTakeFirst();
  if (Number(count) >= deps.config.approvals.maxPending || blocked) {
    throw new errors.AccessDenied('the user cannot take more requests now');
  }
}

export function backchannelDeviceRoutes(
  root: FastifyInstance,
  deps: Deps,
  provider: Provider,
  streams: Streams,
): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const params = z.object({ id: z.string().min(10).max(100) }).strict();

  const pending = async (accountId: string, id: string) => {
    const row = await deps.db
      .selectFrom('device_approvals')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (row?.state !== 'pending' || row.expires_at <= deps.clock.now())
      throw new AppError('login_request_expired');
    return row;
  };
  const decide = async (id: string, state: 'approved' | 'rejected', notMe = false) => {
    const updated = await deps.db
      .updateTable('device_approvals')
      .set({ state, not_me: notMe, decided_at: deps.clock.now() })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new AppError('login_request_expired');
  };

  const pendingFor = async (accountId: string) => {
    const rows = await deps.db
      .selectFrom('device_approvals')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('state', '=', 'pending')
      .where('expires_at', '>', deps.clock.now())
      .orderBy('created_at')
      .execute();
    const approvals = [];
    for (const row of rows) {
      const rp = await findRelyingParty(deps.db, row.client_id);
      approvals.push({
        id: row.id,
        bindingMessage: row.binding_message,
        scope: row.scope.split(' '),
        relyingParty: {
          name: rp?.app_name,
          nameKm: rp?.app_name_km,
          organisation: rp?.organisation,
          organisationKm: rp?.organisation_km,
          domain: rp?.domain,
          logoUrl: rp?.logo_url,
        },
        expiresAt: row.expires_at.toISOString(),
      });
    }
    return approvals;
  };

  app.get('/api/device/v1/approvals', async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    return { approvals: await pendingFor(device.accountId) };
  });

  // While the app is open: the pending requests now, then one event per new request.
  app.get('/api/device/v1/approvals/stream', async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    await openEventStream(deps, request, reply, streams, {
      event: 'approval',
      channel: `approvals:${device.accountId}`,
      initial: JSON.stringify({ pending: (await pendingFor(device.accountId)).map((a) => a.id) }),
    });
  });

  app.post(
    '/api/device/v1/approvals/:id/approve',
    { schema: { params, body: z.object({ pin: z.string().max(16) }).strict() } },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      const row = await pending(device.accountId, request.params.id);
      await checkAccountPin(deps, device.accountId, request.body.pin, {
        ip: request.ip,
        requestId: request.id,
        deviceId: device.deviceId,
        purpose: 'backchannel_login',
      });
      await decide(row.id, 'approved');
      const grant = new provider.Grant({ accountId: device.accountId, clientId: row.client_id });
      grant.addOIDCScope(row.scope);
      await grant.save();
      await provider.backchannelResult(row.id, grant, {
        acr: ACR_DEVICE_PIN,
        amr: ['pin', 'hwk'],
        authTime: Math.floor(deps.clock.now().getTime() / 1000),
      });
      await recordDeviceAudit(deps, request, device, 'login.backchannel_approved', {
        clientId: row.client_id,
      });
      return { state: 'approved' };
    },
  );

  app.post(
    '/api/device/v1/approvals/:id/reject',
    { schema: { params, body: z.object({ notMe: z.boolean().optional() }).strict().optional() } },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      const row = await pending(device.accountId, request.params.id);
      const notMe = request.body?.notMe === true;
      await decide(row.id, 'rejected', notMe);
      await provider.backchannelResult(row.id, new errors.AccessDenied('The citizen declined.'));
      await recordDeviceAudit(
        deps,
        request,
        device,
        notMe ? 'login.backchannel_not_me' : 'login.backchannel_rejected',
        {
          clientId: row.client_id,
        },
      );
      return { state: 'rejected', blocked: notMe };
    },
  );
}
