/**
 * JSON bodies are parsed from a buffer we keep, because device proofs sign the SHA-256 of the
 * exact bytes sent. Any other content type is refused with 415 (the API speaks JSON only).
 * Bodies that are not clean text (invalid UTF-8, NUL, lone surrogates in any JSON string, bad
 * percent-encoding in a form) are refused with 400 `request_malformed` (see request-guard.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors';
import { cleanUtf8, isCleanForm, isCleanJson, malformed } from './request-guard';

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
      const text = cleanUtf8(raw);
      if (text === undefined) return done(malformed('body'), undefined);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        return done(
          new AppError('validation_failed', { cause, details: { reason: 'malformed JSON' } }),
          undefined,
        );
      }
      done(isCleanJson(parsed) ? null : malformed('body'), parsed);
    },
  );
  // HTML forms of the hosted login pages (small bodies only).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer', bodyLimit: 8192 },
    (_request, raw: Buffer, done) => {
      if (!isCleanForm(raw)) return done(malformed('body'), undefined);
      done(null, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
    },
  );
  app.addContentTypeParser('*', (_request, _payload, done) =>
    done(new AppError('unsupported_media_type'), undefined),
  );
}

export const rawBodyOf = (request: FastifyRequest): Uint8Array => request.rawBody ?? new Uint8Array();
