/**
 * Who may use the administration API (holiday calendar, relying-party registry, officer accounts):
 * the bootstrap administrator (a bearer ADMIN_TOKEN compared in constant time, for the first
 * officer and for automation) or a signed-in console officer with the `administrator` role.
 * Returns the actor recorded in the audit log.
 */
import type { FastifyRequest } from 'fastify';
import { officerForToken } from '../console/officers';
import { constantTimeEqual } from '../crypto/keyed-hash';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { cookieValue } from '../login/pages.routes';

export const CONSOLE_COOKIE = 'cdk_console';

/** The console session token of a request: a bearer token or the HttpOnly console cookie. */
export function consoleToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : cookieValue(request, CONSOLE_COOKIE);
}

export async function requireAdmin(request: FastifyRequest, deps: Deps): Promise<string> {
  const token = consoleToken(request);
  if (!token) throw new AppError('unauthorized');
  if (constantTimeEqual(token, deps.config.secrets.adminToken)) return 'bootstrap-admin';
  const officer = await officerForToken(deps, token);
  if (officer.role !== 'administrator') throw new AppError('forbidden');
  return `officer:${officer.id}`;
}
