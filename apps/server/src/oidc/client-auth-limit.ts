/**
 * The attempt counter of client credentials (client-auth-attempts.ts) on oidc-provider's
 * client-authenticated endpoints (token, introspection, revocation, PAR, CIBA): a request with
 * `client_secret_basic` credentials reserves a slot for its client id before oidc-provider checks
 * the secret, and is answered 429 unchecked while the id is locked. The check's outcome is read
 * from the answer: 401 `invalid_client` is a failed check, anything else a passed one. The budget
 * is the relying party's, shared with Open KYC (the same client secret). `private_key_jwt` and
 * `client_secret_post` are not counted: the first is a signature with the client's private key
 * (nothing to guess), the second is not offered (clientAuthMethods in provider.ts).
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { reserveClientAuth } from '../client-api/client-auth-attempts';
import type { Deps } from '../deps';
import { findRelyingParty } from './relying-parties';

/** The client id of an RFC 6749 §2.3.1 Basic header (form-encoded), or undefined. */
export function basicClientId(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

export const clientAuthLimit = (deps: Deps) => async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
  const clientId = ctx.method === 'POST' ? basicClientId(ctx.get('authorization')) : undefined;
  if (!clientId || clientId.length > 200) return next();
  const gate = await reserveClientAuth(deps, {
    clientId,
    known: (await findRelyingParty(deps.db, clientId)) !== undefined,
    api: 'oidc',
    ip: ctx.ip,
    requestId: String(ctx.get('x-request-id') || ''),
  });
  if (gate.refused) {
    ctx.status = 429;
    ctx.set('Retry-After', String(gate.retryAfterSeconds));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: 'invalid_client', error_description: 'Too many failed attempts; retry later' };
    return;
  }
  // A thrown error (an outage) is no failed check: the slot is given back.
  let failed = false;
  try {
    await next();
    failed = ctx.status === 401 && (ctx.body as { error?: unknown } | undefined)?.error === 'invalid_client';
  } finally {
    await gate.settle(!failed);
  }
};
