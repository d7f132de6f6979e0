/**
 * One place that turns every failure into the error body of packages/contracts:
 * AppError → its code; schema failures → validation_failed with per-field issues; body-size
 * and media-type refusals → 413/415; unknown routes → not_found; anything else → a logged
 * internal_error that reveals nothing.
 */
import type { ErrorBody, ErrorCode, FieldIssue } from '@camdigikey/contracts/errors';
import { errorMessageId } from '@camdigikey/contracts/errors';
import { bilingual, isMessageId, type MessageId } from '@camdigikey/messages';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, fieldIssue } from '../errors';
import { dependencyOutage, OUTAGE_RETRY_AFTER_SECONDS } from '../infra/outage';

/** The error envelope of an AppError. */
export function errorBody(error: AppError, requestId: string): ErrorBody {
  const id = (isMessageId(error.messageId) ? error.messageId : 'error.internal_error') as MessageId;
  return {
    error: {
      code: error.code,
      messageId: error.messageId,
      message: bilingual(id, error.params),
      requestId,
      ...(error.fields?.length ? { fields: error.fields } : {}),
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation_failed',
};

/** The answer to a request that needed a dependency which is away. */
export const outageError = (dependency: string, cause?: unknown) =>
  new AppError('service_unavailable', {
    details: { retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS, reason: 'dependency_unavailable' },
    cause: cause ?? new Error(dependency),
  });

export function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) {
    // A refusal wrapping a dependency failure (e.g. "proof invalid" because Redis did not
    // answer) is not the client's fault: answered as the outage it is.
    const dependency =
      error.status < 500 || error.code === 'internal_error' ? dependencyOutage(error.cause) : undefined;
    return dependency ? outageError(dependency, error.cause) : error;
  }
  const e = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(e)) {
    const fields: FieldIssue[] = e.validation.map((v) => {
      const issuePath = (v.params as { issue?: { path?: PropertyKey[] } } | undefined)?.issue?.path;
      const path =
        v.instancePath.replace(/^\//, '').replaceAll('/', '.') || (issuePath ?? []).map(String).join('.');
      return {
        field: path || '(body)',
        code: 'validation_failed',
        messageId: errorMessageId('validation_failed'),
      };
    });
    return new AppError('validation_failed', { fields, details: { in: e.validationContext ?? 'body' } });
  }
  const mapped = e?.code ? FASTIFY_CODES[e.code] : undefined;
  if (mapped) return new AppError(mapped, { cause: error });
  if (e instanceof SyntaxError || e?.statusCode === 400)
    return new AppError('validation_failed', { cause: error });
  if (e?.statusCode === 413) return new AppError('payload_too_large', { cause: error });
  if (e?.statusCode === 415) return new AppError('unsupported_media_type', { cause: error });
  // PostgreSQL or Redis away (down, frozen, restarting): 503 with Retry-After, never a 500.
  const dependency = dependencyOutage(error);
  if (dependency) return outageError(dependency, error);
  return undefined;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : undefined);

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const known = toAppError(error);
    if (known) {
      const reason = known.details?.reason;
      // Refusals under load (shed, hashing queue full, client gone) are expected: one info line.
      if (reason === 'dependency_unavailable')
        request.log.warn(
          {
            code: known.code,
            reason,
            dependency: dependencyOutage(known.cause),
            error: errorText(known.cause),
          },
          'request refused: dependency unavailable',
        );
      else if (
        reason === 'client_gone' ||
        reason === 'overloaded' ||
        (known.status === 503 && known.details?.retryAfterSeconds)
      )
        request.log.info({ code: known.code, reason }, 'request refused');
      else if (known.status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: known.code }, 'request refused');
      if (typeof known.details?.retryAfterSeconds === 'number')
        reply.header('retry-after', known.details.retryAfterSeconds);
      return reply.status(known.status).send(errorBody(known, request.id));
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.status(500).send(errorBody(new AppError('internal_error'), request.id));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(errorBody(new AppError('not_found', { fields: [fieldIssue('url', 'not_found')] }), request.id)),
  );
}
