/**
 * Signing over OpenID (issue 17): a CIBA request (OpenID CIBA Core 1.0) that carries an RFC 9396
 * `authorization_details` entry of type `camdigikey_sign` becomes a signature request instead of a
 * plain login approval. The relying party's `binding_message` is the verification code both
 * screens show. When the citizen signs, the provider's token response (poll or ping) carries the
 * `authorization_details` back, each `camdigikey_sign` entry with its `signature` result: the
 * statement, the CMS signature, the PAdES container for a PDF.
 *
 * oidc-provider does the protocol (RAR validation hook, resource indicators, token response);
 * this module gives it our type's validation, the resource the details belong to, and the
 * details to put on the access token.
 */
import { SIGN_DETAIL_TYPE, signAuthorizationDetail } from '@camdigikey/contracts/signing';
import type Provider from 'oidc-provider';
import { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Deps } from '../deps';
import { ACR_DEVICE_PIN } from '../oidc/backchannel';
import { createSigningRequest, SigningRefused, type SigningRequestRow, signatureResult } from './requests';

type Features = NonNullable<Configuration['features']>;

/** The resource server signature details are issued for (RFC 8707 indicator). */
export const signResource = (deps: Deps) => `${deps.config.http.publicUrl}/api/sign/v1`;

/** The `camdigikey_sign` entries of a request's `authorization_details` (already validated). */
export function signDetailsOf(params: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const raw = params?.authorization_details;
  if (typeof raw !== 'string') return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed)
      ? (parsed as Record<string, unknown>[]).filter((d) => d?.type === SIGN_DETAIL_TYPE)
      : [];
  } catch {
    return [];
  }
}

/** The provider features this module configures (spread into `features` in provider.ts). */
export function signingProviderFeatures(deps: Deps): Pick<Features, 'resourceIndicators'> {
  // oidc-provider's types model RAR as enabled only by OpenID4VCI; the runtime takes our types.
  return {
    richAuthorizationRequests: richAuthorizationRequestsFeature(),
    resourceIndicators: resourceIndicatorsFeature(deps),
  } as Pick<Features, 'resourceIndicators'>;
}

/** `features.richAuthorizationRequests`: the `camdigikey_sign` type, for backchannel requests only. */
function richAuthorizationRequestsFeature(): unknown {
  return {
    enabled: true,
    types: {
      [SIGN_DETAIL_TYPE]: {
        validate: async (ctx: KoaContextWithOIDC, detail: unknown) => {
          if (ctx.oidc.route !== 'backchannel_authentication') {
            throw new errors.InvalidAuthorizationDetails(
              'camdigikey_sign is requested with a backchannel authentication (CIBA) request',
            );
          }
          if (signDetailsOf(ctx.oidc.params as Record<string, unknown>).length > 1) {
            throw new errors.InvalidAuthorizationDetails('one camdigikey_sign entry per request');
          }
          const parsed = signAuthorizationDetail.safeParse(detail);
          if (!parsed.success) {
            const where = parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ');
            throw new errors.InvalidAuthorizationDetails(`invalid camdigikey_sign detail: ${where}`);
          }
        },
      },
    },
    // Only CIBA carries our type; an authorization code never holds details.
    authorizationDetailsForGrantSource: async () => undefined,
    authorizationDetailsForAccessToken: async (
      _ctx: KoaContextWithOIDC,
      _token: unknown,
      source: { rar?: unknown },
    ) => source?.rar as never,
    authorizationDetailsForIntrospection: async (_ctx: KoaContextWithOIDC, token: { rar?: unknown }) =>
      token.rar as never,
  };
}

/**
 * `features.resourceIndicators`: RFC 9396 details belong to a resource; a request with details
 * and no `resource` gets the signature resource. Other resources are unknown (invalid_target).
 */
function resourceIndicatorsFeature(deps: Deps): Features['resourceIndicators'] {
  const resource = signResource(deps);
  return {
    enabled: true,
    defaultResource: async (ctx: KoaContextWithOIDC, _client: unknown, oneOf?: string | string[]) =>
      oneOf ?? (ctx.oidc.params?.authorization_details ? resource : undefined),
    getResourceServerInfo: async (_ctx: KoaContextWithOIDC, indicator: string) => {
      if (indicator !== resource) throw new errors.InvalidTarget('unknown resource');
      return { scope: 'openid', audience: resource, accessTokenFormat: 'opaque', accessTokenTTL: 60 };
    },
    useGrantedResource: async () => false,
  } as Features['resourceIndicators'];
}

/**
 * Called by the CIBA trigger: when the request carries a `camdigikey_sign` detail, stores the
 * signature request (id = the backchannel request's id) and returns true.
 */
export async function startCibaSigning(
  deps: Deps,
  request: { jti: string; params?: Record<string, unknown>; expiration?: number },
  accountId: string,
  clientId: string,
): Promise<boolean> {
  const [detail] = signDetailsOf(request.params);
  if (!detail) return false;
  const parsed = signAuthorizationDetail.parse(detail);
  try {
    await createSigningRequest(deps, {
      channel: 'ciba',
      id: request.jti,
      clientId,
      accountId,
      request: {
        text: parsed.text,
        format: parsed.format,
        ...(parsed.document ? { document: parsed.document } : {}),
      },
      verificationCode: String(request.params?.binding_message ?? ''),
      expiresAt: new Date(deps.clock.now().getTime() + (request.expiration ?? 300) * 1000),
    });
  } catch (error) {
    if (error instanceof SigningRefused)
      throw new errors.AccessDenied('the user cannot take this request now');
    throw error;
  }
  return true;
}

/** Tells a waiting CIBA client the citizen's decision (the client API polls instead). */
export async function deliverSigningDecision(deps: Deps, provider: Provider, row: SigningRequestRow) {
  if (row.channel !== 'ciba') return;
  if (row.state !== 'signed') {
    await provider.backchannelResult(row.id, new errors.AccessDenied('The citizen declined to sign.'));
    return;
  }
  const request = await provider.BackchannelAuthenticationRequest.find(row.id, { ignoreExpiration: true });
  if (!request) return;
  const grant = new provider.Grant({ accountId: row.account_id, clientId: row.client_id });
  grant.addOIDCScope(String(request.scope ?? 'openid'));
  if (request.resource) grant.addResourceScope(String(request.resource), 'openid');
  await grant.save();
  const details = signDetailsOf(request.params as Record<string, unknown>);
  const result = await signatureResult(deps, row);
  await provider.backchannelResult(request, grant, {
    acr: ACR_DEVICE_PIN,
    amr: ['pin', 'hwk'],
    authTime: Math.floor((row.decided_at ?? deps.clock.now()).getTime() / 1000),
    rar: details.map((detail) => ({ ...detail, type: String(detail.type), signature: result })),
  } as unknown as Parameters<Provider['backchannelResult']>[2]);
}
