/**
 * The OpenID Connect provider: panva's oidc-provider 9.13.3 (pinned, ADR 0006) hosted at
 * `${PUBLIC_URL}/oidc`. We configure it and own the interaction side (the login pages); we never
 * implement protocol steps ourselves. Enabled: authorization code + PKCE (S256, required for
 * every client), PAR, client_secret_basic and private_key_jwt, ES256 ID tokens (RS256 available),
 * refresh tokens rotated on every use, userinfo, RP-initiated and back-channel logout,
 * revocation, introspection, the claims parameter, pairwise subjects.
 */

import { createHmac } from 'node:crypto';
import { errorPage, logoutPage, postLogoutPage } from '@camdigikey/login';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { coolingOffUntil } from '../accounts/cooling-off';
import type { Deps } from '../deps';
import { accountClaims, CLAIMS_BY_SCOPE } from './account';
import { ACR_DEVICE_PIN, cibaFeature } from './backchannel';
import { ensureSigningKeys, loadSigningKeys } from './keys';
import { createAdapterClass } from './pg-adapter';
import { activeClientMetadata, OIDC_SCOPES } from './relying-parties';

export const ACR = {
  qrPin: 'urn:camdigikey:acr:qr-pin',
  qrFaceId: 'urn:camdigikey:acr:qr-faceid',
  sso: 'urn:camdigikey:acr:sso',
  devicePin: ACR_DEVICE_PIN,
} as const;

/** Khmer unless the relying party asked for English (ui_locales) or the page was switched (?lang=en). */
function languageOf(ctx: KoaContextWithOIDC): 'km' | 'en' {
  const query = new URLSearchParams(ctx.querystring ?? '').get('lang');
  if (query === 'en' || query === 'km') return query;
  const locales = String((ctx.oidc?.params as Record<string, unknown> | undefined)?.ui_locales ?? '');
  return locales.split(' ')[0]?.startsWith('en') ? 'en' : 'km';
}

/**
 * Seconds the SSO session may live from now (AAL2: 24 h overall, 1 h idle): the idle limit,
 * capped by the absolute end counted from the last login.
 */
export function sessionTtlSeconds(
  now: number,
  loginTs: number | undefined,
  hours: number,
  idleMinutes: number,
): number {
  const absoluteEnd = (loginTs ?? now) + hours * 3600;
  return Math.max(1, Math.min(idleMinutes * 60, absoluteEnd - now));
}

export async function createProvider(deps: Deps): Promise<Provider> {
  const { db, envelope, config } = deps;
  await ensureSigningKeys(db, envelope);
  const keys = await loadSigningKeys(db, envelope);
  const adapter = createAdapterClass(db, {
    find: (id) => activeClientMetadata(db, envelope, id, config.http.publicUrl),
  });

  const configuration: Configuration = {
    adapter,
    jwks: { keys: keys as NonNullable<Configuration['jwks']>['keys'] },
    cookies: { keys: [...config.secrets.cookieKeys] },
    scopes: [...OIDC_SCOPES],
    claims: Object.fromEntries(Object.entries(CLAIMS_BY_SCOPE).map(([k, v]) => [k, [...v]])),
    acrValues: Object.values(ACR),
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      createHmac('sha256', config.secrets.pairwiseSalt)
        .update(`${client.sectorIdentifier}|${accountId}`)
        .digest('base64url'),
    extraClientMetadata: {
      properties: ['urn:camdigikey:organisation', 'urn:camdigikey:domain', 'urn:camdigikey:app_name_km'],
    },
    clientDefaults: {
      id_token_signed_response_alg: 'ES256',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      ciba: cibaFeature(deps),
      pushedAuthorizationRequests: { enabled: true },
      claimsParameter: { enabled: true },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = logoutPage(languageOf(ctx), form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = postLogoutPage(languageOf(ctx));
        },
      },
    },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: {
      AccessToken: config.oidc.accessTokenTtl,
      AuthorizationCode: config.oidc.codeTtl,
      IdToken: config.oidc.idTokenTtl,
      Interaction: config.login.requestSeconds + 600,
      // Absolute lifetime from the last login, and an idle limit: every use of the session saves
      // it again with a fresh TTL, so an unused session ends after SSO_IDLE_MINUTES.
      Session: (_ctx, session) =>
        sessionTtlSeconds(
          Math.floor(Date.now() / 1000),
          session.loginTs,
          config.oidc.sessionHours,
          config.oidc.sessionIdleMinutes,
        ),
      Grant: 365 * 24 * 3600,
      PushedAuthorizationRequest: 60,
      BackchannelAuthenticationRequest: config.login.requestSeconds,
      RefreshToken: (_ctx, token) => {
        // Absolute expiry of the whole rotation chain, counted from the first issue.
        const first = ((token as { iiat?: number }).iiat ??
          token.iat ??
          Math.floor(Date.now() / 1000)) as number;
        const end = first + config.oidc.refreshTokenTtlDays * 86_400;
        return Math.max(1, end - Math.floor(Date.now() / 1000));
      },
    },
    interactions: { url: (_ctx, interaction) => `/login/${interaction.uid}` },
    findAccount: async (_ctx, sub) => {
      const row = await db
        .selectFrom('accounts')
        .select(['id', 'status'])
        .where('id', '=', sub)
        .executeTakeFirst();
      if (row?.status !== 'active') return undefined;
      return {
        accountId: sub,
        claims: async (_use: string, scope: string) => ({
          ...((await accountClaims(db, envelope, sub, scope, (at) => coolingOffUntil(deps, at) !== undefined))
            ?.claims ?? {}),
          sub,
        }),
      };
    },
    clientBasedCORS: (_ctx, origin, client) =>
      client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
    renderError: async (ctx: KoaContextWithOIDC, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(
        'km',
        String(out.error),
        out.error_description ? String(out.error_description) : undefined,
      );
    },
    conformIdTokenClaims: true,
    // Outgoing calls (back-channel logout, RP keys) keep oidc-provider's SSRF guard, which refuses
    // special-use addresses. Outside production, loopback relying parties are allowed (tests, demos).
    fetch: (url, options) => {
      const host = new URL(url).hostname;
      if (config.env !== 'production' && (host === '127.0.0.1' || host === 'localhost' || host === '[::1]')) {
        const { dispatcher: _guard, ...rest } = options as RequestInit & { dispatcher?: unknown };
        return fetch(url, rest);
      }
      return fetch(url, options);
    },
  };

  const provider = new Provider(config.oidc.issuer, configuration);
  provider.proxy = config.http.trustProxy;
  for (const event of [
    'backchannel.error',
    'server_error',
    'grant.error',
    'authorization.error',
    'pushed_authorization_request.error',
    'end_session.error',
  ]) {
    provider.on(event as 'server_error', (...args: unknown[]) => {
      const err = args.find((a) => a instanceof Error) as
        | (Error & { error_description?: string; cause?: unknown })
        | undefined;
      const cause = err?.cause instanceof Error ? err.cause.message : undefined;
      const detail = (err as { error_detail?: string } | undefined)?.error_detail;
      deps.logger.warn(
        { event, error: err?.message, cause, description: err?.error_description, detail },
        'oidc provider event',
      );
    });
  }
  provider.on('backchannel.success', (client) =>
    deps.logger.info({ clientId: client.clientId }, 'back-channel logout delivered'),
  );
  return provider;
}
