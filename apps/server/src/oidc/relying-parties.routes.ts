/**
 * Administrator API of the relying-party registry (the console will call it):
 *
 *   POST  /api/admin/v1/relying-parties                 register; answers the client secret once
 *   GET   /api/admin/v1/relying-parties                 list
 *   GET   /api/admin/v1/relying-parties/:clientId       one
 *   PATCH /api/admin/v1/relying-parties/:clientId       change metadata or status
 *   POST  /api/admin/v1/relying-parties/:clientId/secret   rotate the client secret (shown once)
 *
 * Every change is audited with the fields that changed (never the secret). Redirect URIs must be
 * absolute https URLs (http only for localhost/127.0.0.1), without fragments; the scopes must
 * be ones the platform supports; private_key_jwt clients must give a public JWKS.
 */
import type { Database } from '@camdigikey/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { requireAdmin } from '../admin/admin-auth';
import { recordAudit } from '../audit/audit-log';
import { issueApiClient } from '../client-api/api-clients';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import {
  clientMetadata,
  newClientId,
  newClientSecret,
  type RelyingParty,
  SUPPORTED_SCOPES,
  secretContext,
} from './relying-parties';

const isLocal = (u: URL) => u.hostname === 'localhost' || u.hostname === '127.0.0.1';
/** A string refinement on a parsed URL (unparseable strings fail). */
const urlWhere = (test: (u: URL) => boolean) => (v: string) => {
  try {
    return test(new URL(v));
  } catch {
    return false;
  }
};
const redirectUri = z
  .string()
  .max(2000)
  .refine(
    urlWhere((u) => {
      const scheme = u.protocol.slice(0, -1);
      // https; http on loopback (RFC 8252 §7.3); or a private-use app scheme in reverse-domain form (§7.1).
      const appScheme =
        scheme !== 'http' && scheme !== 'https' && /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/.test(scheme);
      return !u.hash && (scheme === 'https' || (scheme === 'http' && isLocal(u)) || appScheme);
    }),
    'absolute URL without fragment; https (http only on loopback) or a reverse-domain app scheme',
  );
const httpsUrl = z.url().max(2000);
/** Server-to-server endpoints: https, or http on loopback for development. */
const serviceUrl = z
  .string()
  .max(2000)
  .refine(
    urlWhere((u) => !u.hash && (u.protocol === 'https:' || (u.protocol === 'http:' && isLocal(u)))),
    'https URL (http only on localhost)',
  );
const publicJwks = z
  .object({
    keys: z
      .array(z.object({ kty: z.string() }).loose())
      .min(1)
      .max(10),
  })
  .refine((j) => j.keys.every((k) => !('d' in k)), 'public keys only');

/**
 * A logo: an https URL (shown by the hosted login pages), or a small image as a data URI (PNG,
 * JPEG, WebP or SVG, base64, at most 64 KB), which the app shows too without a request leaving
 * the phone.
 */
const logo = z.union([
  httpsUrl,
  z
    .string()
    .max(90_000)
    .regex(/^data:image\/(png|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/]+=*$/, 'an image data URI'),
]);

const fields = {
  organisation: z.string().min(2).max(200),
  organisationKm: z.string().min(2).max(200).optional(),
  appName: z.string().min(2).max(120),
  appNameKm: z.string().min(1).max(120).optional(),
  logoUrl: logo.optional(),
  domain: z
    .string()
    .min(3)
    .max(253)
    .regex(/^[a-z0-9.-]+(:\d+)?$/i),
  privacyPolicyUrl: httpsUrl.optional(),
  redirectUris: z.array(redirectUri).min(1).max(20),
  postLogoutRedirectUris: z.array(redirectUri).max(20).default([]),
  backchannelLogoutUri: serviceUrl.optional(),
  androidAppId: z.string().max(200).optional(),
  iosBundleId: z.string().max(200).optional(),
  allowedScopes: z
    .array(z.enum(SUPPORTED_SCOPES))
    .min(1)
    .refine((s) => s.includes('openid'), 'openid is required'),
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'private_key_jwt']),
  jwks: publicJwks.optional(),
  /**
   * Pairwise by default (issue 19, item 9): two relying parties cannot join their users by `sub`.
   * Public only when an administrator chooses it.
   */
  subjectType: z.enum(['public', 'pairwise']),
  /** FAPI 2.0 security profile (issue 17): private_key_jwt, PAR and DPoP-bound tokens required. */
  financialGrade: z.boolean(),
};
const createBody = z
  .object({
    ...fields,
    tokenEndpointAuthMethod: fields.tokenEndpointAuthMethod.default('client_secret_basic'),
    subjectType: fields.subjectType.default('pairwise'),
    financialGrade: fields.financialGrade.default(false),
  })
  .strict();
// No defaults on a change: what is not sent keeps its stored value (a stored subject type too).
const patchBody = z
  .object({
    ...fields,
    postLogoutRedirectUris: z.array(redirectUri).max(20),
    status: z.enum(['active', 'suspended']),
  })
  .partial()
  .strict();
const params = z.object({ clientId: z.string().min(3).max(64) }).strict();

function view(rp: RelyingParty) {
  return {
    clientId: rp.client_id,
    organisation: rp.organisation,
    organisationKm: rp.organisation_km,
    appName: rp.app_name,
    appNameKm: rp.app_name_km,
    logoUrl: rp.logo_url,
    domain: rp.domain,
    privacyPolicyUrl: rp.privacy_policy_url,
    redirectUris: rp.redirect_uris,
    postLogoutRedirectUris: rp.post_logout_redirect_uris,
    backchannelLogoutUri: rp.backchannel_logout_uri,
    androidAppId: rp.android_app_id,
    iosBundleId: rp.ios_bundle_id,
    allowedScopes: rp.allowed_scopes,
    tokenEndpointAuthMethod: rp.token_endpoint_auth_method,
    subjectType: rp.subject_type,
    financialGrade: rp.financial_grade,
    status: rp.status,
    createdAt: rp.created_at.toISOString(),
    updatedAt: rp.updated_at.toISOString(),
  };
}

type Fields = Partial<z.infer<typeof patchBody>>;
function columns(b: Fields) {
  const c: Record<string, unknown> = {};
  const set = (k: string, v: unknown) => {
    if (v !== undefined) c[k] = v;
  };
  set('organisation', b.organisation);
  set('organisation_km', b.organisationKm);
  set('app_name', b.appName);
  set('app_name_km', b.appNameKm);
  set('logo_url', b.logoUrl);
  set('domain', b.domain?.toLowerCase());
  set('privacy_policy_url', b.privacyPolicyUrl);
  set('redirect_uris', b.redirectUris && JSON.stringify(b.redirectUris));
  set('post_logout_redirect_uris', b.postLogoutRedirectUris && JSON.stringify(b.postLogoutRedirectUris));
  set('backchannel_logout_uri', b.backchannelLogoutUri);
  set('android_app_id', b.androidAppId);
  set('ios_bundle_id', b.iosBundleId);
  set('allowed_scopes', b.allowedScopes && JSON.stringify(b.allowedScopes));
  set('token_endpoint_auth_method', b.tokenEndpointAuthMethod);
  set('jwks', b.jwks && JSON.stringify(b.jwks));
  set('subject_type', b.subjectType);
  set('financial_grade', b.financialGrade);
  set('status', b.status);
  return c;
}

/**
 * A registration is stored only if the provider can serve it: the row as saved is turned into
 * client metadata and validated by oidc-provider itself (inside the saving transaction, so a
 * refused one is never stored). 400 relying_party_unservable with the provider's reason.
 */
async function refuseUnservable(provider: Provider, deps: Deps, rp: RelyingParty) {
  if (rp.subject_type === 'pairwise' && new Set(rp.redirect_uris.map((u) => new URL(u).host)).size > 1) {
    throw new AppError('relying_party_invalid', { details: { reason: 'pairwise_needs_one_host' } });
  }
  const metadata = clientMetadata(
    { ...rp, client_secret_enc: null },
    deps.envelope,
    deps.config.http.publicUrl,
  );
  // Validation only: the real secret stays sealed.
  if (rp.token_endpoint_auth_method === 'client_secret_basic') metadata.client_secret = newClientSecret();
  try {
    await provider.Client.validate(metadata as Parameters<Provider['Client']['validate']>[0]);
  } catch (cause) {
    const reason = (cause as { error_description?: unknown }).error_description;
    throw new AppError('relying_party_unservable', {
      cause,
      details: { reason: typeof reason === 'string' ? reason : 'invalid_client_metadata' },
    });
  }
}

async function load(db: Kysely<Database>, clientId: string) {
  const rp = await db
    .selectFrom('relying_parties')
    .selectAll()
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!rp) throw new AppError('not_found');
  return rp;
}

export function relyingPartyRoutes(root: FastifyInstance, deps: Deps, provider: Provider): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const base = '/api/admin/v1/relying-parties';
  const audited = (
    admin: string,
    action: string,
    clientId: string,
    ip: string,
    requestId: string,
    details: Record<string, unknown>,
  ) =>
    recordAudit(
      deps.db,
      {
        actorType: 'admin',
        actorId: admin,
        action,
        subjectType: 'relying_party',
        subjectId: clientId,
        ip,
        requestId,
        details,
      },
      deps.clock.now(),
    );

  app.post(base, { schema: { body: createBody } }, async (request, reply) => {
    const admin = await requireAdmin(request, deps);
    const b = request.body;
    if (b.tokenEndpointAuthMethod === 'private_key_jwt' && !b.jwks)
      throw new AppError('relying_party_invalid', { details: { reason: 'jwks_required' } });
    if (b.financialGrade && b.tokenEndpointAuthMethod !== 'private_key_jwt')
      throw new AppError('relying_party_invalid', { details: { reason: 'fapi_needs_private_key_jwt' } });
    const clientId = newClientId();
    const secret = b.tokenEndpointAuthMethod === 'client_secret_basic' ? newClientSecret() : undefined;
    const now = deps.clock.now();
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('relying_parties')
        .values({
          ...(columns(b) as object),
          client_id: clientId,
          organisation: b.organisation,
          app_name: b.appName,
          domain: b.domain.toLowerCase(),
          redirect_uris: JSON.stringify(b.redirectUris),
          allowed_scopes: JSON.stringify(b.allowedScopes),
          token_endpoint_auth_method: b.tokenEndpointAuthMethod,
          client_secret_enc: secret ? deps.envelope.sealText(secret, secretContext(clientId)) : null,
          created_at: now,
          updated_at: now,
        } as never)
        .execute();
      await refuseUnservable(provider, deps, await load(trx, clientId));
    });
    deps.oidcClients.forget(clientId);
    await audited(admin, 'relying_party.registered', clientId, request.ip, request.id, {
      domain: b.domain,
      scopes: b.allowedScopes,
    });
    return reply
      .status(201)
      .send({ ...view(await load(deps.db, clientId)), ...(secret ? { clientSecret: secret } : {}) });
  });

  app.get(base, async (request) => {
    await requireAdmin(request, deps);
    const rows = await deps.db.selectFrom('relying_parties').selectAll().orderBy('created_at').execute();
    return { relyingParties: rows.map(view) };
  });

  app.get(`${base}/:clientId`, { schema: { params } }, async (request) => {
    await requireAdmin(request, deps);
    return view(await load(deps.db, request.params.clientId));
  });

  app.patch(`${base}/:clientId`, { schema: { params, body: patchBody } }, async (request) => {
    const admin = await requireAdmin(request, deps);
    const { clientId } = request.params;
    const current = await load(deps.db, clientId);
    const method = request.body.tokenEndpointAuthMethod ?? current.token_endpoint_auth_method;
    if ((request.body.financialGrade ?? current.financial_grade) && method !== 'private_key_jwt')
      throw new AppError('relying_party_invalid', { details: { reason: 'fapi_needs_private_key_jwt' } });
    const changes = columns(request.body);
    if (Object.keys(changes).length === 0)
      throw new AppError('relying_party_invalid', { details: { reason: 'nothing_to_change' } });
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('relying_parties')
        .set({ ...changes, updated_at: deps.clock.now() })
        .where('client_id', '=', clientId)
        .execute();
      await refuseUnservable(provider, deps, await load(trx, clientId));
    });
    // Here at once; other instances within OIDC_CLIENT_CACHE_SECONDS (oidc/client-cache.ts).
    deps.oidcClients.forget(clientId);
    await audited(admin, 'relying_party.changed', clientId, request.ip, request.id, {
      fields: Object.keys(request.body),
    });
    return view(await load(deps.db, clientId));
  });

  app.post(`${base}/:clientId/secret`, { schema: { params } }, async (request) => {
    const admin = await requireAdmin(request, deps);
    const rp = await load(deps.db, request.params.clientId);
    if (rp.token_endpoint_auth_method !== 'client_secret_basic')
      throw new AppError('relying_party_invalid', { details: { reason: 'no_secret' } });
    const secret = newClientSecret();
    await deps.db
      .updateTable('relying_parties')
      .set({
        client_secret_enc: deps.envelope.sealText(secret, secretContext(rp.client_id)),
        updated_at: deps.clock.now(),
      })
      .where('client_id', '=', rp.client_id)
      .execute();
    deps.oidcClients.forget(rp.client_id);
    await audited(admin, 'relying_party.secret_rotated', rp.client_id, request.ip, request.id, {});
    return { clientId: rp.client_id, clientSecret: secret };
  });

  // The CamDigiKey client-API credentials (rp-protocol.md §2.1): keys and PKCS#12 files, shown once.
  app.post(
    `${base}/:clientId/client-api`,
    {
      schema: {
        params,
        body: z
          .object({
            successCallbackUrl: serviceUrl,
            errorCallbackUrl: serviceUrl,
            returnUrls: z.array(serviceUrl).max(20).default([]),
          })
          .strict(),
      },
    },
    async (request, reply) => {
      const admin = await requireAdmin(request, deps);
      const rp = await load(deps.db, request.params.clientId);
      return reply.status(201).send(await issueApiClient(deps, rp.client_id, request.body, admin));
    },
  );
}
