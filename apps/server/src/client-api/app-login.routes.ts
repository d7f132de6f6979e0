/**
 * App-to-app login (rp-protocol.md §6.3), the CamDigiKey app's side. An RP app opens
 * `camdigikey://login?token=<loginToken>`; the app (a registered device, every call signed) asks
 * what the token is for, shows the requesting app's registered name, and the citizen approves
 * with the PIN or rejects. The server answers with the URL the app returns to:
 * `<app id>://camdigikey_login_callback?authToken=…` or `…?message=…`, where the app id is the
 * RP's registered iOS bundle id or Android application id (never one taken from the request).
 *
 *   POST /api/device/v1/app-login/inspect   {loginToken}        the requesting app
 *   POST /api/device/v1/app-login/face-id/options {loginToken}  WebAuthn options bound to the token
 *   POST /api/device/v1/app-login/approve   {loginToken, pin} or {loginToken, assertion} → {authToken, callbackUrl}
 *   POST /api/device/v1/app-login/reject    {loginToken}        → {callbackUrl}
 */
import { CLIENT_ERROR_CODES } from '@camdigikey/rp-protocol';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { recordDeviceAudit } from '../device/device-audit';
import { requireRegisteredDevice } from '../device/device-auth';
import { AppError } from '../errors';
import {
  approvalCredential,
  faceIdOptions,
  onePinOrAssertion,
  verifyFaceId,
} from '../login/device-login.routes';
import { checkAccountPin } from '../login/pin-check';
import { type ApiClient, findApiClient } from './api-clients';
import { ApiError, endApiToken, issueApiToken, openApiToken, updateApiTokenData } from './api-tokens';

const body = z.object({
  loginToken: z.string().min(10).max(4000),
  platform: z.enum(['android', 'ios']).optional(),
});

/**
 * The calling app's callback. A relying party that registered no app (no iOS bundle id, no Android
 * application id) cannot be returned to: that is its own error (`app_login_not_registered`), told
 * to the citizen as soon as the app opens the login (before any PIN) and recorded for the
 * relying party, never disguised as an expired login.
 */
function callbackBase(client: ApiClient, platform: 'android' | 'ios' | undefined) {
  const ios = client.rp.ios_bundle_id;
  const android = client.rp.android_app_id;
  const scheme = platform === 'android' ? (android ?? ios) : (ios ?? android);
  if (!scheme) throw new AppError('app_login_not_registered', { details: { reason: 'no_registered_app' } });
  return `${scheme}://camdigikey_login_callback`;
}

export function appLoginRoutes(root: FastifyInstance, deps: Deps): void {
  const app = root.withTypeProvider<ZodTypeProvider>();

  const loginOf = async (token: string) => {
    try {
      const opened = await openApiToken(deps, undefined, token, ['LOGIN']);
      const client = await findApiClient(deps, opened.claims.client_id);
      if (client?.rp.status !== 'active') throw new AppError('login_request_expired');
      return { opened, client };
    } catch (error) {
      if (error instanceof ApiError) {
        // The funnel's `expired`: the login token's lifetime ran out before the citizen decided
        // (a forged or used token is refused the same way but is not an expiry).
        if (error.code === CLIENT_ERROR_CODES.EXPIRED_ACCESS_TOKEN) deps.metrics.login('app', 'expired');
        throw new AppError('login_request_expired');
      }
      throw error;
    }
  };

  app.post(
    '/api/device/v1/app-login/inspect',
    { schema: { body: body.strict() } },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      const { client } = await loginOf(request.body.loginToken);
      if (!client.rp.ios_bundle_id && !client.rp.android_app_id) {
        // The relying party learns it from its audit trail and the server log; the citizen at once.
        deps.logger.warn(
          { clientId: client.rp.client_id },
          'app-to-app login for a relying party without a registered iOS bundle id or Android app id',
        );
        await recordAudit(
          deps.db,
          {
            actorType: 'device',
            actorId: device.deviceId,
            action: 'client_api.app_login_unregistered',
            subjectType: 'relying_party',
            subjectId: client.rp.client_id,
            ip: request.ip,
            requestId: request.id,
            details: {},
          },
          deps.clock.now(),
        );
        throw new AppError('app_login_not_registered');
      }
      deps.metrics.login('app', 'scanned');
      return {
        relyingParty: {
          name: client.rp.app_name,
          nameKm: client.rp.app_name_km,
          organisation: client.rp.organisation,
          organisationKm: client.rp.organisation_km,
          domain: client.rp.domain,
          logoUrl: client.rp.logo_url,
        },
      };
    },
  );

  // Face ID: assertion options bound to this login token (the challenge is kept with the token).
  app.post(
    '/api/device/v1/app-login/face-id/options',
    { schema: { body: body.strict() } },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      const { opened } = await loginOf(request.body.loginToken);
      const options = await faceIdOptions(deps, device.deviceId);
      await updateApiTokenData(deps, opened.jti, {
        ...(opened.data ?? {}),
        faceId: { challenge: options.challenge, deviceId: device.deviceId },
      });
      return { publicKey: options };
    },
  );

  app.post(
    '/api/device/v1/app-login/approve',
    {
      schema: {
        body: body
          .extend(approvalCredential)
          .strict()
          .refine(onePinOrAssertion, { message: 'pin or assertion' }),
      },
    },
    async (request, reply) => {
      const device = await requireRegisteredDevice(request, reply, deps);
      const { opened, client } = await loginOf(request.body.loginToken);
      const base = callbackBase(client, request.body.platform);
      let method: 'pin' | 'face_id' = 'pin';
      if (request.body.pin !== undefined) {
        await checkAccountPin(deps, device.accountId, request.body.pin, {
          ip: request.ip,
          requestId: request.id,
          deviceId: device.deviceId,
          purpose: 'app_login',
        });
      } else {
        const faceId = (opened.data as { faceId?: { challenge: string; deviceId: string } } | undefined)
          ?.faceId;
        await verifyFaceId(
          deps,
          device.deviceId,
          faceId?.deviceId === device.deviceId ? faceId.challenge : null,
          request.body.assertion as unknown as AuthenticationResponseJSON,
        );
        method = 'face_id';
      }
      if (!(await endApiToken(deps, opened.jti, 'used'))) throw new AppError('login_request_expired');
      const auth = await issueApiToken(deps, client, {
        kind: 'AUTH',
        lifetimeMs: deps.config.clientApi.authTokenSeconds * 1000,
        accountId: device.accountId,
        parentJti: opened.jti,
        claims: { camdigikey_id: device.accountId, login_jti: opened.jti },
      });
      await recordDeviceAudit(deps, request, device, 'login.app_approved', {
        clientId: client.rp.client_id,
        method,
      });
      deps.metrics.login('app', 'approved');
      return { authToken: auth.token, callbackUrl: `${base}?authToken=${encodeURIComponent(auth.token)}` };
    },
  );

  app.post('/api/device/v1/app-login/reject', { schema: { body: body.strict() } }, async (request, reply) => {
    const device = await requireRegisteredDevice(request, reply, deps);
    const { opened, client } = await loginOf(request.body.loginToken);
    const base = callbackBase(client, request.body.platform);
    await endApiToken(deps, opened.jti, 'used');
    await recordDeviceAudit(deps, request, device, 'login.app_rejected', { clientId: client.rp.client_id });
    deps.metrics.login('app', 'rejected');
    return { callbackUrl: `${base}?message=${encodeURIComponent('The user rejected the login.')}` };
  });
}
