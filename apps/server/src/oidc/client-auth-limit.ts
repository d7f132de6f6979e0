/**
 * The attempt counter of client credentials (client-auth-attempts.ts) in oidc-provider: every
 * client secret it checks (`client_secret_basic`, and a `client_secret` in the form body, which
 * oidc-provider also accepts for such a client) reserves a slot for the client id first, inside
 * the provider's own secret comparison (`Client#compareClientSecret`, wrapped on this provider's
 * Client class), so the slot is settled as soon as the secret is compared. While the client id is
 * locked for the caller's address the secret is not compared: 429 `invalid_client` with
 * Retry-After. The budget is the relying party's per source address, shared with Open KYC (the
 * same client secret). The address is Fastify's `request.ip` (TRUST_PROXY honoured), which
 * @fastify/middie puts on the raw request the provider sees; Koa's `ctx.ip` (provider.proxy is
 * the same TRUST_PROXY) only if it is missing.
 *
 * oidc-provider refuses an unknown client id before any secret is looked at; such refusals are
 * counted per claimed id and address in the hot state after the fact and, past the cap, answered with the
 * same 429, so a lockout does not tell whether the id exists. `private_key_jwt` is not counted: it
 * is a signature with the client's private key (nothing to guess).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { reserveClientAuth } from '../client-api/client-auth-attempts';
import type { Deps } from '../deps';

interface Call {
  ip: string;
  requestId: string;
  retryAfterSeconds?: number;
}
const calls = new AsyncLocalStorage<Call>();
const LOCKED = 'Too many failed attempts; retry later';

/** The client id of an RFC 6749 §2.3.1 Basic header (form-encoded), or undefined. */
export function basicClientId(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

/** The caller's address as the rest of the server sees it (Fastify's request.ip, via middie). */
const callerIp = (ctx: KoaContextWithOIDC): string => {
  const fromFastify = (ctx.req as { ip?: unknown }).ip;
  return typeof fromFastify === 'string' && fromFastify ? fromFastify : ctx.ip;
};

const lockedError = () =>
  Object.assign(new errors.OIDCProviderError(429, 'invalid_client'), { error_description: LOCKED });

export function limitClientSecretChecks(provider: Provider, deps: Deps): void {
  const proto = provider.Client.prototype as unknown as {
    clientId: string;
    compareClientSecret(actual: string): Promise<boolean>;
  };
  const compare = proto.compareClientSecret;
  proto.compareClientSecret = async function (this: { clientId: string }, actual: string) {
    const call = calls.getStore();
    const gate = await reserveClientAuth(deps, {
      clientId: this.clientId,
      known: true,
      api: 'oidc',
      ip: call?.ip ?? '',
      requestId: call?.requestId ?? '',
    });
    if (gate.refused) {
      if (call) call.retryAfterSeconds = gate.retryAfterSeconds;
      throw lockedError();
    }
    let matches = false;
    try {
      matches = await compare.call(this, actual);
    } finally {
      await gate.settle(matches);
    }
    return matches;
  };

  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    const call: Call = { ip: callerIp(ctx), requestId: String(ctx.get('x-request-id') || '') };
    await calls.run(call, next);
    if (call.retryAfterSeconds !== undefined) {
      ctx.set('Retry-After', String(call.retryAfterSeconds));
      return;
    }
    // An unknown client id (no client found): count it, and past the cap answer like a lock.
    const body = ctx.body as { error?: unknown } | undefined;
    if (ctx.method !== 'POST' || ctx.status !== 401 || body?.error !== 'invalid_client' || ctx.oidc?.client)
      return;
    let claimed = basicClientId(ctx.get('authorization'));
    if (!claimed) {
      try {
        const param = ctx.oidc?.params?.client_id;
        if (typeof param === 'string') claimed = param;
      } catch {
        // no parameters on this route
      }
    }
    if (!claimed || claimed.length > 200) return;
    const gate = await reserveClientAuth(deps, {
      clientId: claimed,
      known: false,
      api: 'oidc',
      ip: call.ip,
      requestId: call.requestId,
    });
    if (gate.refused) {
      ctx.status = 429;
      ctx.set('Retry-After', String(gate.retryAfterSeconds));
      ctx.body = { error: 'invalid_client', error_description: LOCKED };
    }
  });
}
