/**
 * Signature requests in the CamDigiKey client API (issue 17): the same §2.3 envelope as every v3
 * call, two calls beside the official ones:
 *
 *   POST /api/v3.0/authentication/service-account/sign          {accessToken, text, format?, document?}
 *        → {signRequestId, verificationCode, expiresAt}   (show the code on your screen)
 *   POST /api/v3.0/authentication/service-account/sign/status   {signRequestId}
 *        → {state: pending|signed|declined|expired, …, statement, signature, padesSignature?}
 *
 * The citizen is the one the access token (a USER token from a login) names. Inner errors:
 * 118 the citizen cannot take a request now (too many pending, "this wasn't me", rate),
 * 119 no such request for this client; 110 for a request that fails the contract.
 */
import { signRequestInput } from '@camdigikey/contracts/signing';
import { SERVER_ERROR_CODES } from '@camdigikey/rp-protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-log';
import type { ApiClient } from '../client-api/api-clients';
import { API_ERRORS, ApiError, openApiToken } from '../client-api/api-tokens';
import type { Deps } from '../deps';
import { createSigningRequest, SigningRefused, signatureResult } from './requests';

type Handle = <S extends z.ZodType>(
  paths: string[],
  schema: S,
  run: (params: z.infer<S>, ctx: { client: ApiClient; request: FastifyRequest }) => Promise<unknown>,
) => void;

const V3 = '/api/v3.0/authentication/service-account';

export function signingClientApiCalls(handle: Handle, deps: Deps): void {
  handle(
    [`${V3}/sign`],
    // loose like every call of the envelope (it carries clientId and the library's own fields)
    signRequestInput.extend({ accessToken: z.string().min(10).max(4000) }).loose(),
    async ({ accessToken, text, format, document }, ctx) => {
      const request = { text, format, ...(document ? { document } : {}) };
      const opened = await openApiToken(deps, ctx.client, accessToken, ['USER']);
      if (!opened.accountId) throw API_ERRORS.userUnavailable();
      try {
        const row = await createSigningRequest(deps, {
          channel: 'client_api',
          clientId: ctx.client.rp.client_id,
          accountId: opened.accountId,
          request,
        });
        await recordAudit(
          deps.db,
          {
            actorType: 'relying_party',
            actorId: ctx.client.keys.clientId,
            action: 'client_api.sign_requested',
            subjectType: 'account',
            subjectId: opened.accountId,
            ip: ctx.request.ip,
            requestId: ctx.request.id,
            details: { signingRequestId: row.id, document: Boolean(request.document) },
          },
          deps.clock.now(),
        );
        return {
          signRequestId: row.id,
          verificationCode: row.verification_code,
          expiresAt: row.expires_at.toISOString(),
        };
      } catch (error) {
        if (error instanceof SigningRefused) {
          if (error.reason === 'account_not_active') throw API_ERRORS.userUnavailable();
          throw new ApiError(SERVER_ERROR_CODES.SIGN_REQUEST_REFUSED, 'The user cannot take a request now.');
        }
        throw error;
      }
    },
  );

  handle([`${V3}/sign/status`], z.object({ signRequestId: z.uuid() }).loose(), async (p, ctx) => {
    const row = await deps.db
      .selectFrom('signing_requests')
      .selectAll()
      .where('id', '=', p.signRequestId)
      .where('client_id', '=', ctx.client.rp.client_id)
      .where('channel', '=', 'client_api')
      .executeTakeFirst();
    if (!row) throw new ApiError(SERVER_ERROR_CODES.SIGN_REQUEST_NOT_FOUND, 'No such signature request.');
    if (row.state === 'pending' && row.expires_at <= deps.clock.now()) {
      return { ...(await signatureResult(deps, { ...row, state: 'expired' })) };
    }
    return signatureResult(deps, row);
  });
}
