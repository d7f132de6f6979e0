/**
 * The bootstrap administrator: a bearer ADMIN_TOKEN compared in constant time. It guards the
 * administration API (holiday calendar, relying-party registry) until officer and administrator
 * accounts exist in the console.
 */
import type { FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../crypto/keyed-hash';
import type { Deps } from '../deps';
import { AppError } from '../errors';

export function requireAdmin(request: FastifyRequest, deps: Deps): string {
  const header = request.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  if (!token || !constantTimeEqual(token, deps.config.secrets.adminToken)) throw new AppError('unauthorized');
  return 'bootstrap-admin';
}
