/**
 * JSON bodies are parsed from a buffer we keep, because device proofs sign the SHA-256 of the
 * exact bytes sent. Any other content type is refused with 415 (the API speaks JSON only).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

export function installJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request: FastifyRequest, raw: Buffer, done) => {
      request.rawBody = raw;
      if (raw.length === 0) return done(null, {});
      try {
        done(null, JSON.parse(raw.toString('utf8')));
      } catch (cause) {
        done(new AppError('validation_failed', { cause, details: { reason: 'malformed JSON' } }), undefined);
      }
    },
  );
  // HTML forms of the hosted login pages (small bodies only).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 8192 },
    (_request, raw, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(raw))));
    },
  );
  app.addContentTypeParser('*', (_request, _payload, done) =>
    done(new AppError('unsupported_media_type'), undefined),
  );
}

export const rawBodyOf = (request: FastifyRequest): Uint8Array => request.rawBody ?? new Uint8Array();
