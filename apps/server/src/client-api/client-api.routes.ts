/**
 * The CamDigiKey client API, v2 and v3 (rp-protocol.md §3), so RPs using the official
 * `camdigikey-client` libraries switch to this platform without code changes. Every POST is the
 * §2.3 envelope: the MAC is checked (constant time, the same answer for an unknown client and a
 * bad signature, which are told apart only in the audit log) before anything is decrypted; the
 * reply is sealed for the caller with `{error, message, data}`. Over the client-API TLS listener
 * the caller's certificate must be the one issued with its credentials.
 *
 *   v3 /api/v3.0/authentication/service-account/…   v2 /api/v2.0/oauth2/client-lib/…
 *   login-token                                      login-token
 *   access-token                                     access-token
 *   access-token/status                              status-access-token
 *   refresh-access-token                             refresh-access-token
 *   access-token/logout                              logout-access-token
 *   organization-access-token                        organization-access-token
 *   lookup                                           user-lookup-profile
 *   lookup/user-profile                              verify-user-profile
 *   user-face                                        user-face   (and user-info, Java v2)
 *   GET /api/v3.0/authentication/certificates/access-token, /api/v2.0/certificates/access-token-certificate-chain
 *   GET /api/v2.0/clients
 */

import type { TLSSocket } from 'node:tls';
import {
  EnvelopeError,
  errorResponse,
  okResponse,
  openRequestWithKeys,
  SERVER_ERROR_CODES,
  sealResponse,
  signerChainBody,
} from '@camdigikey/rp-protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { coolingOffUntil } from '../accounts/cooling-off';
import { recordAudit } from '../audit/audit-log';
import { auditText } from '../audit/audit-text';
import type { Deps } from '../deps';
import { signingClientApiCalls } from '../signing/client-api';
import { latestAccountBlob } from '../uploads/blobs';
import { type ApiClient, findApiClient } from './api-clients';
import { API_ERRORS, ApiError, endApiToken, issueApiToken, openApiToken } from './api-tokens';
import { reserveClientAuth } from './client-auth-attempts';
import { platformKeys } from './platform-keys';
import { accountByPersonalCode, accountRow, lookupProfile, statusClaims, userStatus } from './profiles';

const V2 = '/api/v2.0/oauth2/client-lib';
const V3 = '/api/v3.0/authentication/service-account';
const MINUTE = 60_000;

const token = z.string().min(10).max(4000);
const domain = z.string().min(1).max(253);
const requestedDate = z.union([z.number(), z.string().regex(/^\d{10,14}$/)]);
const url = z.url().max(2000);

/** The §2.3 envelope's shape (what openRequestWithKeys refuses as malformed before any MAC). */
const wellFormed = (body: unknown) =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as Record<string, unknown>).params === 'string' &&
  typeof (body as Record<string, unknown>).signature === 'string';

interface Context {
  client: ApiClient;
  request: FastifyRequest;
}

export function clientApiRoutes(app: FastifyInstance, deps: Deps): void {
  const cfg = deps.config.clientApi;
  const now = () => deps.clock.now();
  const loginUrl = (loginToken: string) =>
    `${deps.config.http.publicUrl}/client-api/login?loginToken=${encodeURIComponent(loginToken)}`;

  const audit = (
    request: FastifyRequest,
    action: string,
    clientId: string,
    details: Record<string, unknown>,
  ) =>
    recordAudit(
      deps.db,
      {
        actorType: 'relying_party',
        actorId: clientId,
        action,
        subjectType: 'relying_party',
        subjectId: clientId,
        ip: request.ip,
        requestId: request.id,
        details,
      },
      now(),
    );

  const checkDomain = (ctx: Context, value: string | undefined, required: boolean) => {
    if (value === undefined) {
      if (required) throw API_ERRORS.wrongDomain();
      return;
    }
    if (value.toLowerCase() !== ctx.client.rp.domain.toLowerCase()) throw API_ERRORS.wrongDomain();
  };
  const checkFresh = (value: number | string | undefined) => {
    if (value === undefined) return;
    if (Math.abs(Number(value) - now().getTime()) > cfg.requestSkewSeconds * 1000)
      throw API_ERRORS.staleRequest();
  };

  /** The certificate rule of the TLS listener: the caller's certificate must be its own. */
  const certificateRefused = (request: FastifyRequest, client: ApiClient | undefined) => {
    const socket = request.raw.socket as Partial<TLSSocket>;
    if (!socket.encrypted || typeof socket.getPeerCertificate !== 'function') return false;
    const peer = socket.getPeerCertificate(false);
    if (!peer?.fingerprint256) return cfg.requireClientCert;
    return !client || peer.fingerprint256 !== client.certificateFingerprint;
  };

  const handle = <S extends z.ZodType>(
    paths: string[],
    schema: S,
    run: (params: z.infer<S>, ctx: Context) => Promise<unknown>,
  ) => {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as { clientId?: unknown } | undefined;
      const clientId = typeof body?.clientId === 'string' ? body.clientId : '';
      const client = clientId ? await findApiClient(deps, clientId) : undefined;
      let opened: ReturnType<typeof openRequestWithKeys>;
      let settle: ((credentialsOk: boolean) => Promise<void>) | undefined;
      try {
        if (certificateRefused(request, client))
          throw new EnvelopeError('invalid_signature', 'unknown_client');
        // Reserve the signature check before the MAC is computed (client-auth-attempts.ts): past
        // CLIENT_AUTH_MAX_FAILURES bad signatures from this address the client id is refused
        // unchecked from it, known or not (other addresses are not affected).
        if (clientId && wellFormed(body)) {
          const gate = await reserveClientAuth(deps, {
            clientId,
            known: client !== undefined,
            api: 'client_api',
            ip: request.ip,
            requestId: request.id,
          });
          if (gate.refused) {
            await audit(request, 'client_api.refused', auditText(clientId, 60), {
              reason: 'attempts_locked',
              path: request.url,
            });
            return reply
              .status(429)
              .header('retry-after', String(gate.retryAfterSeconds))
              .send({ error: 429, message: 'Too many failed attempts; retry later' });
          }
          settle = gate.settle;
        }
        try {
          opened = openRequestWithKeys(request.body, client?.keys);
        } catch (error) {
          // Only a failed MAC (or an unknown id) is a failed credential check.
          await settle?.(!(error instanceof EnvelopeError && error.code === 'invalid_signature'));
          throw error;
        }
        await settle?.(true);
      } catch (error) {
        if (!(error instanceof EnvelopeError)) throw error;
        if (client && error.code !== 'invalid_signature' && error.code !== 'malformed_envelope') {
          return reply.send(
            sealResponse(client.keys, errorResponse(SERVER_ERROR_CODES.INVALID_REQUEST, error.message)),
          );
        }
        await audit(request, 'client_api.refused', auditText(clientId, 60) || 'none', {
          reason: error.auditReason ?? error.code,
          path: request.url,
        });
        return reply
          .status(error.code === 'malformed_envelope' ? 400 : 401)
          .send({ error: error.code === 'malformed_envelope' ? 400 : 401, message: error.message });
      }
      const ctx: Context = { client: client as ApiClient, request };
      try {
        if (ctx.client.rp.status !== 'active') throw API_ERRORS.suspended();
        const parsed = schema.safeParse(opened.params);
        if (!parsed.success) {
          throw new ApiError(
            SERVER_ERROR_CODES.INVALID_REQUEST,
            `Invalid request: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
          );
        }
        const data = await run(parsed.data, ctx);
        return reply.send(sealResponse(ctx.client.keys, okResponse(data)));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        return reply.send(sealResponse(ctx.client.keys, errorResponse(error.code, error.message)));
      }
    };
    for (const path of paths) app.post(path, handler);
  };

  // --- unwrapped GETs ---------------------------------------------------------------------
  const chain = async () => signerChainBody((await platformKeys(deps)).signer);
  app.get('/api/v3.0/authentication/certificates/access-token', chain);
  app.get('/api/v2.0/certificates/access-token-certificate-chain', chain);
  app.get('/api/v2.0/clients', async () => {
    const rows = await deps.db
      .selectFrom('api_clients')
      .innerJoin('relying_parties', 'relying_parties.client_id', 'api_clients.rp_client_id')
      .select('relying_parties.domain')
      .where('relying_parties.status', '=', 'active')
      .orderBy('relying_parties.domain')
      .execute();
    return { error: 0, message: 'OK', data: [...new Set(rows.map((r) => r.domain))] };
  });

  // --- login -------------------------------------------------------------------------------
  handle(
    [`${V3}/login-token`, `${V2}/login-token`],
    z
      .object({
        domain,
        requestedDate: requestedDate.optional(),
        callbackVars: z.record(z.string().max(100), z.string().max(1000)).nullable().optional(),
        successReturnUrl: url.optional(),
        errorReturnUrl: url.optional(),
      })
      .loose(),
    async (p, ctx) => {
      checkDomain(ctx, p.domain, true);
      checkFresh(p.requestedDate);
      for (const u of [p.successReturnUrl, p.errorReturnUrl]) {
        if (u !== undefined && !ctx.client.returnUrls.includes(u)) throw API_ERRORS.returnUrlNotRegistered();
      }
      if (p.callbackVars && Object.keys(p.callbackVars).length > 20) throw API_ERRORS.invalidRequest();
      const issued = await issueApiToken(deps, ctx.client, {
        kind: 'LOGIN',
        lifetimeMs: cfg.loginTokenSeconds * 1000,
        claims: {
          callback_vars: p.callbackVars ?? null,
          ...(p.successReturnUrl ? { success_return_url: p.successReturnUrl } : {}),
          ...(p.errorReturnUrl ? { error_return_url: p.errorReturnUrl } : {}),
        },
        data: {
          callbackVars: p.callbackVars ?? null,
          successReturnUrl: p.successReturnUrl ?? null,
          errorReturnUrl: p.errorReturnUrl ?? null,
        },
      });
      const rp = ctx.client.rp;
      return {
        loginToken: issued.token,
        loginUrl: loginUrl(issued.token),
        // App-to-app (a mobile app opens the CamDigiKey app with this link): whether this relying
        // party can be returned to, said here so its developers learn it before a citizen does.
        appLoginUrl: `camdigikey://login?token=${encodeURIComponent(issued.token)}`,
        appToApp:
          rp.ios_bundle_id || rp.android_app_id
            ? { available: true }
            : {
                available: false,
                reason:
                  'No iOS bundle id or Android application id is registered for this relying party: app-to-app logins are refused (error app_login_not_registered) until an administrator registers one.',
              },
      };
    },
  );

  handle(
    [`${V3}/access-token`, `${V2}/access-token`],
    z.object({ authToken: token }).loose(),
    async (p, ctx) => {
      const auth = await openApiToken(deps, ctx.client, p.authToken, ['AUTH']);
      if (!(await endApiToken(deps, auth.jti, 'used'))) throw API_ERRORS.disabled();
      const account = auth.accountId ? await accountRow(deps, auth.accountId) : undefined;
      if (account?.status !== 'active') throw API_ERRORS.userUnavailable();
      const access = await issueApiToken(deps, ctx.client, {
        kind: 'USER',
        lifetimeMs: cfg.accessTokenMinutes * MINUTE,
        accountId: account.id,
        parentJti: auth.jti,
        claims: { camdigikey_id: account.id },
      });
      await audit(ctx.request, 'client_api.login', ctx.client.keys.clientId, { accountId: account.id });
      return { accessToken: access.token };
    },
  );

  // --- access tokens -----------------------------------------------------------------------
  const status = async (p: { accessToken: string }, ctx: Context) => {
    const inactive = { status: false, accessToken: p.accessToken };
    let opened: Awaited<ReturnType<typeof openApiToken<'USER' | 'ORGANIZATION'>>>;
    try {
      opened = await openApiToken(deps, ctx.client, p.accessToken, ['USER', 'ORGANIZATION']);
    } catch (error) {
      if (error instanceof ApiError) return inactive;
      throw error;
    }
    const c = opened.claims;
    const base = {
      status: true,
      accessToken: p.accessToken,
      domain: c.domain,
      iss: c.iss,
      type: c.type,
      jti: c.jti,
      iat: c.iat,
      nbf: c.nbf,
      exp: c.exp,
    };
    if (c.type === 'ORGANIZATION') return base;
    const account = opened.accountId ? await accountRow(deps, opened.accountId) : undefined;
    if (account?.status !== 'active') return inactive;
    return { ...base, ...statusClaims(deps, account) };
  };
  handle(
    [`${V3}/access-token/status`, `${V2}/status-access-token`, `${V2}/user-info`],
    z.object({ accessToken: token }).loose(),
    status,
  );

  handle(
    [`${V3}/refresh-access-token`, `${V2}/refresh-access-token`],
    z.object({ accessToken: token }).loose(),
    async (p, ctx) => {
      const old = await openApiToken(deps, ctx.client, p.accessToken, ['USER']);
      const account = old.accountId ? await accountRow(deps, old.accountId) : undefined;
      if (account?.status !== 'active') throw API_ERRORS.userUnavailable();
      if (!(await endApiToken(deps, old.jti, 'refreshed'))) throw API_ERRORS.disabled();
      const fresh = await issueApiToken(deps, ctx.client, {
        kind: 'USER',
        lifetimeMs: cfg.accessTokenMinutes * MINUTE,
        accountId: account.id,
        parentJti: old.jti,
        claims: { camdigikey_id: account.id },
      });
      return {
        service_account_id: ctx.client.keys.clientId,
        accessToken: fresh.token,
        created_date: fresh.claims.iat,
      };
    },
  );

  handle(
    [`${V3}/access-token/logout`, `${V2}/logout-access-token`],
    z.object({ accessToken: token }).loose(),
    async (p, ctx) => {
      const opened = await openApiToken(deps, ctx.client, p.accessToken, ['USER', 'ORGANIZATION']);
      if (!(await endApiToken(deps, opened.jti, 'logged_out'))) throw API_ERRORS.disabled();
      return {
        accessToken: p.accessToken,
        status: 0,
        jwtId: opened.jti,
        issued: opened.claims.iat,
        expiry: opened.claims.exp,
      };
    },
  );

  handle(
    [`${V3}/organization-access-token`, `${V2}/organization-access-token`],
    // The v3 Node library may omit domain here (rp-protocol.md §3, "v3 bug"): checked when sent.
    z.object({ domain: domain.optional(), requestedDate: requestedDate.optional() }).loose(),
    async (p, ctx) => {
      checkDomain(ctx, p.domain, false);
      checkFresh(p.requestedDate);
      const issued = await issueApiToken(deps, ctx.client, {
        kind: 'ORGANIZATION',
        lifetimeMs: cfg.organizationTokenMinutes * MINUTE,
      });
      return { accessToken: issued.token, created_date: issued.claims.iat };
    },
  );

  // --- people ------------------------------------------------------------------------------
  handle(
    [`${V3}/lookup`, `${V2}/user-lookup-profile`],
    z.object({ domain, accessToken: token, personalCode: z.string().min(1).max(40) }).loose(),
    async (p, ctx) => {
      checkDomain(ctx, p.domain, true);
      if (!ctx.client.rp.allowed_scopes.includes('personal_code')) throw API_ERRORS.notPermitted();
      await openApiToken(deps, ctx.client, p.accessToken, ['USER', 'ORGANIZATION']);
      const account = await accountByPersonalCode(deps, p.personalCode);
      await audit(ctx.request, 'client_api.lookup', ctx.client.keys.clientId, {
        found: Boolean(account),
        accountId: account?.id,
      });
      if (!account) throw API_ERRORS.unknownPersonalCode();
      const profile = lookupProfile(deps, account);
      const issued = await issueApiToken(deps, ctx.client, {
        kind: 'PROFILE_LOOKUP',
        lifetimeMs: cfg.accountTokenMinutes * MINUTE,
        accountId: account.id,
        claims: { camdigikey_id: account.id, personal_code: profile.personal_code },
      });
      return {
        ...profile,
        account_token: issued.token,
        expired_date: issued.claims.exp,
      };
    },
  );

  handle(
    [`${V3}/lookup/user-profile`, `${V2}/verify-user-profile`],
    z.object({ domain, accountToken: token }).loose(),
    async (p, ctx) => {
      checkDomain(ctx, p.domain, true);
      const opened = await openApiToken(deps, ctx.client, p.accountToken, ['PROFILE_LOOKUP']);
      const account = opened.accountId ? await accountRow(deps, opened.accountId) : undefined;
      if (!account) throw API_ERRORS.unknownPersonalCode();
      return {
        ...lookupProfile(deps, account),
        user_status: userStatus(account, now().toISOString().slice(0, 10)),
      };
    },
  );

  handle([`${V3}/user-face`, `${V2}/user-face`], z.object({ accessToken: token }).loose(), async (p, ctx) => {
    if (!ctx.client.rp.allowed_scopes.includes('face')) throw API_ERRORS.notPermitted();
    const opened = await openApiToken(deps, ctx.client, p.accessToken, ['USER']);
    // The face photo waits out the cooling-off after a recovery (a SIM-swap defence).
    const coolingOff = opened.accountId
      ? coolingOffUntil(deps, (await accountRow(deps, opened.accountId))?.recovered_at ?? null)
      : undefined;
    if (coolingOff) throw API_ERRORS.faceCoolingOff(coolingOff);
    const blob = opened.accountId
      ? await latestAccountBlob(deps.db, deps.envelope, opened.accountId, 'selfie')
      : undefined;
    // An active account without a face photo is not "not active": say what is missing (issue 16).
    if (!blob) throw API_ERRORS.noFacePhoto();
    await audit(ctx.request, 'client_api.user_face', ctx.client.keys.clientId, {
      accountId: opened.accountId,
    });
    return { face: blob.bytes.toString('base64') };
  });

  // Signature requests (issue 17), in the same envelope.
  signingClientApiCalls(handle, deps);
}
