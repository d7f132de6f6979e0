/**
 * The web login of the client API (rp-protocol.md §6.1) on the same login core as OIDC:
 *
 *   GET /client-api/login?loginToken=…   the `loginUrl` an RP redirects the browser to. The login
 *       token is checked (signature, kind, time, still unused) and the browser continues into our
 *       own OIDC provider as the public client `api.<rp>` (authorization code + PKCE S256, state =
 *       the login token's id), so the citizen sees the same login page (QR with number matching,
 *       or one-click "Continue as" when the browser already has a CamDigiKey session: single sign-on
 *       across every site, whichever protocol it speaks).
 *   GET /client-api/callback?code&state  the provider's answer. The code is redeemed here, never
 *       leaves the server (client, redirect URI and PKCE verifier checked), the login token is
 *       spent (once, atomically) and the browser goes to the RP's success callback with
 *       `?authToken=` (plus its `callbackVars`), or to its error callback with
 *       `?errorCode=&errorMessage=` (plus `callbackVars`). Per-request return URLs are honoured only
 *       when whitelisted (checked when the login token was issued).
 */
import { createHash, randomBytes } from 'node:crypto';
import { errorPage } from '@camdigikey/login';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import type { Deps } from '../deps';
import { API_CLIENT_PREFIX, apiCallbackUrl } from '../oidc/relying-parties';
import { findApiClient } from './api-clients';
import {
  ApiError,
  apiTokenRow,
  endApiToken,
  issueApiToken,
  openApiToken,
  updateApiTokenData,
} from './api-tokens';

const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";

interface LoginData {
  callbackVars: Record<string, string> | null;
  successReturnUrl: string | null;
  errorReturnUrl: string | null;
  verifier?: string;
  language?: 'km' | 'en';
}

const withQuery = (base: string, params: Record<string, string>) => {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
};

export function clientApiWebRoutes(app: FastifyInstance, deps: Deps, provider: Provider): void {
  const publicUrl = deps.config.http.publicUrl;
  const languageOf = (request: FastifyRequest): 'km' | 'en' => {
    const q = (request.query as { lang?: string }).lang;
    if (q === 'en' || q === 'km') return q;
    return /^en\b/i.test(String(request.headers['accept-language'] ?? '')) ? 'en' : 'km';
  };
  const failPage = (reply: FastifyReply, lang: 'km' | 'en', code: string) =>
    reply
      .status(400)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', CSP)
      .send(errorPage(lang, code));

  app.get(
    '/client-api/login',
    {
      schema: {
        querystring: z
          .object({ loginToken: z.string().min(10).max(4000), lang: z.enum(['km', 'en']).optional() })
          .loose(),
      },
    },
    async (request, reply) => {
      const lang = languageOf(request);
      const { loginToken } = request.query as { loginToken: string };
      let opened: Awaited<ReturnType<typeof openApiToken<'LOGIN'>>>;
      try {
        opened = await openApiToken(deps, undefined, loginToken, ['LOGIN']);
      } catch (error) {
        if (error instanceof ApiError) return failPage(reply, lang, 'login_request_expired');
        throw error;
      }
      const client = await findApiClient(deps, opened.claims.client_id);
      if (client?.rp.status !== 'active') return failPage(reply, lang, 'login_request_expired');
      const verifier = randomBytes(32).toString('base64url');
      await updateApiTokenData(deps, opened.jti, {
        ...(opened.data as unknown as LoginData),
        verifier,
        language: lang,
      });
      const auth = withQuery(`${deps.config.oidc.issuer}/auth`, {
        client_id: `${API_CLIENT_PREFIX}${client.rp.client_id}`,
        redirect_uri: apiCallbackUrl(publicUrl),
        response_type: 'code',
        scope: 'openid',
        state: opened.jti,
        nonce: randomBytes(16).toString('base64url'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        ui_locales: lang,
      });
      return reply.redirect(auth);
    },
  );

  app.get(
    '/client-api/callback',
    {
      schema: {
        querystring: z
          .object({
            state: z.uuid(),
            code: z.string().max(200).optional(),
            error: z.string().max(100).optional(),
            error_description: z.string().max(500).optional(),
          })
          .loose(),
      },
    },
    async (request, reply) => {
      const lang = languageOf(request);
      const q = request.query as { state: string; code?: string; error?: string; error_description?: string };
      const row = await apiTokenRow(deps, q.state);
      if (row?.kind !== 'LOGIN' || row.state !== 'active')
        return failPage(reply, lang, 'login_request_expired');
      const data = row.data as unknown as LoginData;
      const client = await findApiClient(deps, row.client_id);
      if (!client) return failPage(reply, lang, 'login_request_expired');
      const vars = data.callbackVars ?? {};
      const fail = async (errorCode: string, errorMessage: string) => {
        await endApiToken(deps, row.jti, 'used');
        return reply.redirect(
          withQuery(data.errorReturnUrl ?? client.errorCallbackUrl, { ...vars, errorCode, errorMessage }),
        );
      };
      if (row.expires_at <= deps.clock.now()) return fail('103', 'Login token is expired.');
      if (!q.code) {
        const denied = q.error === 'access_denied';
        return fail(
          denied ? '401' : '500',
          denied ? 'The user rejected the login.' : (q.error ?? 'login failed'),
        );
      }
      const code = await provider.AuthorizationCode.find(q.code);
      const verifier = data.verifier ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (
        !code?.isValid ||
        code.clientId !== `${API_CLIENT_PREFIX}${client.rp.client_id}` ||
        code.redirectUri !== apiCallbackUrl(publicUrl) ||
        code.codeChallenge !== challenge ||
        !code.accountId
      ) {
        return fail('500', 'The login could not be completed.');
      }
      await code.consume();
      if (!(await endApiToken(deps, row.jti, 'used'))) return failPage(reply, lang, 'login_request_expired');
      const auth = await issueApiToken(deps, client, {
        kind: 'AUTH',
        lifetimeMs: deps.config.clientApi.authTokenSeconds * 1000,
        accountId: code.accountId,
        parentJti: row.jti,
        claims: { camdigikey_id: code.accountId, login_jti: row.jti },
      });
      return reply.redirect(
        withQuery(data.successReturnUrl ?? client.successCallbackUrl, { ...vars, authToken: auth.token }),
      );
    },
  );
}
