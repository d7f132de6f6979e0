/**
 * The OpenID Connect provider: panva's oidc-provider 9.13.3 (pinned, ADR 0006) hosted at
 * `${PUBLIC_URL}/oidc`. We configure it and own the interaction side (the login pages); we never
 * implement protocol steps ourselves. Enabled: authorization code + PKCE (S256, required for
 * every client), by GET or form POST, PAR, client_secret_basic and private_key_jwt, ES256 ID tokens
 * (RS256 available), refresh tokens rotated on every use, userinfo, RP-initiated (GET or POST) and
 * back-channel logout, revocation, introspection, the claims parameter, pairwise subjects (the
 * registry's default), CIBA in poll mode. Discovery lists exactly these.
 */

import { errorPage, logoutPage, postLogoutPage } from '@camdigikey/login';
import { bilingual } from '@camdigikey/messages';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { coolingOffUntil } from '../accounts/cooling-off';
import type { Deps } from '../deps';
import { dependencyOutage, OUTAGE_RETRY_AFTER_SECONDS } from '../infra/outage';
import { signingProviderFeatures } from '../signing/ciba-sign';
import { accountClaims, CLAIMS_BY_SCOPE, scopesOfClaims } from './account';
import { ACR_DEVICE_PIN, cibaFeature } from './backchannel';
import { limitClientSecretChecks } from './client-auth-limit';
import { FINANCIAL_GRADE, fapiFeatures } from './fapi';
import { ensureSigningKeys, loadSigningKeys } from './keys';
import { createAdapterClass } from './pg-adapter';
import { providerEpochSeconds } from './provider-time';
import { findRelyingParty, OIDC_SCOPES, RP_KEYS_PATH } from './relying-parties';
import { loadGrantRemembered } from './remembered-consent';
import { accountForSubject, isAccountId, pairwiseSubject, recordPairwiseSubject } from './subjects';

/** Pairwise identifiers recorded by this process, at most this many kept (the oldest go first). */
const MAX_RECORDED_SUBJECTS = 10_000;

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
  await ensureSigningKeys(db, envelope, deps.clock.now());
  const keys = await loadSigningKeys(db, envelope, deps.clock.now());
  // Client lookups go through the short-lived cache (oidc/client-cache.ts), not to the registry
  // on every request.
  const adapter = createAdapterClass(db, { find: (id) => deps.oidcClients.find(id) });
  const recordedSubjects = new Set<string>();

  const configuration: Configuration = {
    adapter,
    jwks: { keys: keys as NonNullable<Configuration['jwks']>['keys'] },
    scopes: [...OIDC_SCOPES],
    claims: Object.fromEntries(Object.entries(CLAIMS_BY_SCOPE).map(([k, v]) => [k, [...v]])),
    acrValues: Object.values(ACR),
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) => {
      const sector = String(client.sectorIdentifier);
      const sub = pairwiseSubject(config.secrets.pairwiseSalt, sector, accountId);
      // Recorded once per process and identifier (rows are never changed or removed while their
      // account exists; the insert is idempotent): not one statement per token and ID token.
      if (!recordedSubjects.has(sub)) {
        await recordPairwiseSubject(db, { sector, sub, accountId }, deps.clock.now());
        recordedSubjects.add(sub);
        if (recordedSubjects.size > MAX_RECORDED_SUBJECTS)
          recordedSubjects.delete(recordedSubjects.values().next().value as string);
      }
      return sub;
    },
    extraClientMetadata: {
      properties: [
        'urn:camdigikey:organisation',
        'urn:camdigikey:domain',
        'urn:camdigikey:app_name_km',
        FINANCIAL_GRADE,
      ],
    },
    clientDefaults: {
      id_token_signed_response_alg: 'ES256',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    pkce: { required: () => true },
    // What discovery lists is what is enabled and tested (issue 19, item 6): the code flow only,
    // client_secret_basic and private_key_jwt (ES256) for relying parties, none for the client-API
    // front door's own public client (oidc/relying-parties.ts).
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'private_key_jwt', 'none'],
    enabledJWA: { clientAuthSigningAlgValues: ['ES256'] },
    // OIDC Core §3.1.2.1 and RP-Initiated Logout take POST as well as GET; the provider needs its
    // session cookie SameSite=None for that (Secure over HTTPS; see http/app.ts laxUnlessSecure).
    enableHttpPostMethods: true,
    cookies: { keys: [...config.secrets.cookieKeys], long: { httpOnly: true, sameSite: 'none' } },
    features: {
      devInteractions: { enabled: false },
      ciba: cibaFeature(deps),
      pushedAuthorizationRequests: { enabled: true },
      claimsParameter: { enabled: true },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      backchannelLogout: { enabled: true },
      // Signature requests over CIBA (issue 17): RFC 9396 details of type camdigikey_sign.
      ...signingProviderFeatures(deps),
      // FAPI 2.0 for relying parties marked financial-grade (issue 17).
      ...fapiFeatures(),
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
          providerEpochSeconds(),
          session.loginTs,
          config.oidc.sessionHours,
          config.oidc.sessionIdleMinutes,
        ),
      Grant: 365 * 24 * 3600,
      PushedAuthorizationRequest: 60,
      BackchannelAuthenticationRequest: config.login.requestSeconds,
      RefreshToken: (_ctx, token) => {
        // Absolute expiry of the whole rotation chain, counted from the first issue.
        const first = ((token as { iiat?: number }).iiat ?? token.iat ?? providerEpochSeconds()) as number;
        const end = first + config.oidc.refreshTokenTtlDays * 86_400;
        return Math.max(1, end - providerEpochSeconds());
      },
    },
    interactions: { url: (_ctx, interaction) => `/login/${interaction.uid}` },
    // Consent remembered per account and relying party after a phone-approved login (ADR 0016).
    loadExistingGrant: loadGrantRemembered(deps),
    findAccount: async (ctx, id) => {
      // A session names the account id; a CIBA id_token_hint names the sub the client received.
      const sub = isAccountId(id) ? id : await accountForSubject(db, ctx.oidc?.client, id);
      if (!sub) return undefined;
      // The whole row: the claims below (asked for in the same request, by the token endpoint or
      // userinfo) are made from it instead of reading it again.
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', sub).executeTakeFirst();
      if (row?.status !== 'active') return undefined;
      return {
        accountId: sub,
        // A claim asked for by the claims parameter is computed with its scope; the provider
        // releases only what the grant holds (the consent handler grants allowed scopes only).
        claims: async (_use: string, scope: string, asked?: Record<string, unknown>) => {
          const allowed = new Set(Object.keys(CLAIMS_BY_SCOPE));
          const { scopes } = scopesOfClaims(Object.keys(asked ?? {}), allowed);
          const all = [...new Set([...scope.split(' '), ...scopes])].join(' ');
          const withhold = (at: Date | null) => coolingOffUntil(deps, at) !== undefined;
          return { ...((await accountClaims(db, envelope, sub, all, withhold, row))?.claims ?? {}), sub };
        },
      };
    },
    clientBasedCORS: (_ctx, origin, client) =>
      client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
    renderError: async (ctx: KoaContextWithOIDC, out, error) => {
      ctx.type = 'html';
      // The database away (see the server_error listener below): 503, "try again later".
      ctx.body = dependencyOutage(error)
        ? errorPage(languageOf(ctx), 'service_unavailable')
        : errorPage(
            'km',
            String(out.error),
            out.error_description ? String(out.error_description) : undefined,
          );
    },
    conformIdTokenClaims: true,
    // Outgoing calls (back-channel logout, RP keys) keep oidc-provider's SSRF guard, which refuses
    // special-use addresses. Outside production, loopback relying parties are allowed (tests, demos).
    // The registry names no RP-hosted sector identifier document: the only ones are those made
    // for pairwise CIBA clients (oidc/relying-parties.ts), whose redirect URIs share one host.
    sectorIdentifierUriValidate: () => false,
    fetch: async (url, options) => {
      const href = String(url instanceof Request ? url.url : url);
      const keysOf = href.startsWith(`${config.http.publicUrl}${RP_KEYS_PATH}`)
        ? decodeURIComponent(href.slice(config.http.publicUrl.length + RP_KEYS_PATH.length))
        : undefined;
      if (keysOf !== undefined) {
        // A pairwise CIBA client's keys, from the registry (never over the network).
        const rp = await findRelyingParty(db, keysOf);
        const keys = rp?.token_endpoint_auth_method === 'private_key_jwt' ? (rp.jwks?.keys ?? []) : [];
        return new Response(JSON.stringify({ keys }), { headers: { 'content-type': 'application/json' } });
      }
      const host = new URL(href).hostname;
      if (config.env !== 'production' && (host === '127.0.0.1' || host === 'localhost' || host === '[::1]')) {
        const { dispatcher: _guard, ...rest } = options as RequestInit & { dispatcher?: unknown };
        return fetch(url, rest);
      }
      return fetch(url, options);
    },
  };

  const provider = new Provider(config.oidc.issuer, configuration);
  provider.proxy = config.http.trustProxy;
  // Client secret checks count against the client's attempt budget (client-auth-limit.ts).
  limitClientSecretChecks(provider, deps);
  // CIBA user codes are refused (oidc/backchannel.ts verifyUserCode); discovery says so.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object')
      (ctx.body as Record<string, unknown>).backchannel_user_code_parameter_supported = false;
  });
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
  // oidc-provider answers any failure that is not a protocol error with 500 server_error. When
  // the cause is a dependency that is away (PostgreSQL down or frozen), answer 503 with
  // Retry-After instead (issue 19, item 4); JSON endpoints keep OAuth's error format, with the
  // code RFC 6749 has for it. The event is emitted before the answer is written.
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: unknown) => {
    if (!dependencyOutage(error)) return;
    ctx.status = 503;
    ctx.set('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
    if (ctx.body && typeof ctx.body === 'object' && !Buffer.isBuffer(ctx.body))
      ctx.body = {
        error: 'temporarily_unavailable',
        error_description: bilingual('error.service_unavailable').en,
      };
  });
  provider.on('backchannel.success', (client) =>
    deps.logger.info({ clientId: client.clientId }, 'back-channel logout delivered'),
  );
  return provider;
}
