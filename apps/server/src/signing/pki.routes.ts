/**
 * The signing PKI's public endpoints (issue 17), unauthenticated like any CA's:
 *
 *   GET  /pki/root.crt          the platform root (DER), also in every RP trust store
 *   GET  /pki/citizen-ca.crt    the citizen signing CA (DER), the certificates' AIA caIssuers
 *   GET  /pki/citizen-ca.crl    its CRL (DER), the certificates' CRL distribution point: every
 *                               certificate of a revoked device is listed
 *   POST /pki/tsa               RFC 3161 time-stamping over HTTP (application/timestamp-query →
 *                               application/timestamp-reply), SHA-256 imprints only, 120 a minute
 *                               per address
 */
import { randomBytes } from 'node:crypto';
import {
  parseTimeStampRequest,
  TimeStampRequestError,
  timeStampResponse,
  timeStampToken,
} from '@camdigikey/rp-protocol';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { currentCrl } from './certificates';
import { signingKeys } from './signing-keys';

const QUERY = 'application/timestamp-query';
const TSA_PER_MINUTE = 120;

export function signingPkiRoutes(app: FastifyInstance, deps: Deps): void {
  app.get('/pki/root.crt', async (_request, reply) =>
    reply
      .type('application/pkix-cert')
      .header('cache-control', 'public, max-age=86400')
      .send((await signingKeys(deps)).root.raw),
  );
  app.get('/pki/citizen-ca.crt', async (_request, reply) =>
    reply
      .type('application/pkix-cert')
      .header('cache-control', 'public, max-age=86400')
      .send((await signingKeys(deps)).ca.certificate.raw),
  );
  app.get('/pki/citizen-ca.crl', async (_request, reply) =>
    reply
      .type('application/pkix-crl')
      .header('cache-control', 'public, max-age=60')
      .send(await currentCrl(deps)),
  );

  // The time-stamp query is binary: read it raw in this route's own scope.
  app.register(async (scope) => {
    scope.addContentTypeParser(QUERY, { parseAs: 'buffer', bodyLimit: 4096 }, (_request, body, done) =>
      done(null, body),
    );
    scope.post('/pki/tsa', async (request, reply) => {
      // A public service: bounded per address (each token is a signature with the TSA's key).
      const hit = await deps.hot.hit(`tsa:${request.ip}`, 60, deps.clock.now());
      if (hit.count > TSA_PER_MINUTE) throw new AppError('rate_limited');
      reply.type('application/timestamp-reply');
      if (
        request.headers['content-type']?.split(';')[0]?.trim() !== QUERY ||
        !Buffer.isBuffer(request.body)
      ) {
        return reply.send(timeStampResponse({ failure: 'badDataFormat', text: `send ${QUERY}` }));
      }
      try {
        const parsed = parseTimeStampRequest(request.body);
        const keys = await signingKeys(deps);
        const token = timeStampToken(keys.tsa, parsed, deps.clock.now(), randomBytes(16));
        return reply.send(timeStampResponse({ token }));
      } catch (error) {
        if (error instanceof TimeStampRequestError) {
          return reply.send(timeStampResponse({ failure: error.failure, text: error.message }));
        }
        throw error;
      }
    });
  });
}
