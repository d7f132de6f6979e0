/**
 * Tokens of the client API (rp-protocol.md §4): signed and payload-encrypted by
 * @camdigikey/rp-protocol, and recorded here with their state, so a valid signature is never
 * enough: an auth token is used once, a refreshed or logged-out access token is dead at once,
 * and a token is only ever accepted from the client it was issued to.
 *
 * Inner error codes (the `error` of the sealed reply; 100–107 are the official libraries' own):
 *   101 bad token signature or format   102 token issued to another client / wrong domain
 *   103 expired                          104 disabled (used, refreshed or logged out)
 *   105 undecryptable payload            106 wrong token type       107 empty token id
 */
import { randomUUID } from 'node:crypto';
import type { ApiTokenKind, ApiTokenState } from '@camdigikey/db';
import {
  CLIENT_ERROR_CODES,
  type ClaimsOf,
  openToken,
  SERVER_ERROR_CODES,
  signToken,
  type TokenClaimsInput,
  TokenError,
  type TokenKind,
} from '@camdigikey/rp-protocol';
import type { Deps } from '../deps';
import type { ApiClient } from './api-clients';
import { platformKeys } from './platform-keys';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const C = CLIENT_ERROR_CODES;
const S = SERVER_ERROR_CODES;
export const API_ERRORS = {
  invalidRequest: () => new ApiError(S.INVALID_REQUEST, 'Invalid request'),
  wrongDomain: () => new ApiError(C.INVALID_CLIENT_DOMAIN, 'Invalid client domain.'),
  staleRequest: () => new ApiError(S.STALE_REQUEST, 'The requestedDate is too far from the server time.'),
  returnUrlNotRegistered: () =>
    new ApiError(S.RETURN_URL_NOT_REGISTERED, 'The return URL is not registered for this client.'),
  unknownPersonalCode: () => new ApiError(S.USER_NOT_FOUND, 'User not found.'),
  notPermitted: () => new ApiError(S.NOT_PERMITTED, 'This client is not permitted to use this service.'),
  suspended: () => new ApiError(S.CLIENT_SUSPENDED, 'Service account is suspended.'),
  userUnavailable: () => new ApiError(S.USER_NOT_ACTIVE, 'The user account is not active.'),
  noFacePhoto: () => new ApiError(S.FACE_NOT_AVAILABLE, 'The user account has no face photo to release.'),
  faceCoolingOff: (until: Date) =>
    new ApiError(
      S.NOT_PERMITTED,
      `The face photo is not released until ${until.toISOString()}: the account was recovered on a new phone recently.`,
    ),
  disabled: () => new ApiError(C.DISABLED_ACCESS_TOKEN, 'Access token has been disabled.'),
  otherClient: () => new ApiError(C.INVALID_CLIENT_DOMAIN, 'The token was issued to another client.'),
};

export const contextOf = (jti: string) => `api-token:${jti}:data`;

export async function issueApiToken<K extends TokenKind>(
  deps: Deps,
  client: ApiClient,
  input: {
    kind: K;
    lifetimeMs: number;
    accountId?: string;
    parentJti?: string;
    claims?: Record<string, unknown>;
    data?: Record<string, unknown>;
  },
) {
  const keys = await platformKeys(deps);
  const now = deps.clock.now();
  const jti = randomUUID();
  const signed = signToken(
    {
      type: input.kind,
      client_id: client.keys.clientId,
      domain: client.rp.domain,
      ...(input.claims ?? {}),
    } as TokenClaimsInput,
    {
      signerKey: keys.signer.privateKey,
      payloadKey: keys.payloadKey,
      lifetimeMs: input.lifetimeMs,
      now: now.getTime(),
      jwtId: jti,
    },
  );
  await deps.db
    .insertInto('api_tokens')
    .values({
      jti,
      kind: input.kind as ApiTokenKind,
      client_id: client.keys.clientId,
      account_id: input.accountId ?? null,
      state: 'active',
      parent_jti: input.parentJti ?? null,
      data_enc: input.data ? deps.envelope.sealText(JSON.stringify(input.data), contextOf(jti)) : null,
      created_at: now,
      expires_at: new Date(now.getTime() + input.lifetimeMs),
      ended_at: null,
    })
    .execute();
  return { token: signed.token, jti, claims: signed.claims as ClaimsOf<K> };
}

export interface OpenedApiToken<K extends TokenKind> {
  jti: string;
  claims: ClaimsOf<K>;
  accountId: string | null;
  data: Record<string, unknown> | undefined;
}

/**
 * Opens a token presented by `client`: signature, payload, kind and time window (rp-protocol),
 * then the recorded state: issued to this client and still active.
 */
export async function openApiToken<K extends TokenKind>(
  deps: Deps,
  client: ApiClient | undefined,
  token: unknown,
  kinds: readonly K[],
): Promise<OpenedApiToken<K>> {
  const keys = await platformKeys(deps);
  let opened: ReturnType<typeof openToken>;
  try {
    opened = openToken(token, {
      signer: keys.signer.certificate,
      payloadKey: keys.payloadKey,
      expectedTypes: kinds,
      now: deps.clock.now().getTime(),
    });
  } catch (error) {
    if (error instanceof TokenError) throw new ApiError(error.code, error.message);
    throw error;
  }
  if (client && opened.claims.client_id !== client.keys.clientId) throw API_ERRORS.otherClient();
  const row = await deps.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('jti', '=', opened.jwtId)
    .executeTakeFirst();
  if (!row || row.client_id !== opened.claims.client_id) throw API_ERRORS.disabled();
  if (row.state !== 'active') throw API_ERRORS.disabled();
  return {
    jti: row.jti,
    claims: opened.claims as ClaimsOf<K>,
    accountId: row.account_id,
    data: row.data_enc ? JSON.parse(deps.envelope.openText(row.data_enc, contextOf(row.jti))) : undefined,
  };
}

/** Moves an active token to its end state, once: false when another request got there first. */
export async function endApiToken(deps: Deps, jti: string, state: Exclude<ApiTokenState, 'active'>) {
  const updated = await deps.db
    .updateTable('api_tokens')
    .set({ state, ended_at: deps.clock.now() })
    .where('jti', '=', jti)
    .where('state', '=', 'active')
    .returning('jti')
    .executeTakeFirst();
  return Boolean(updated);
}

export async function updateApiTokenData(deps: Deps, jti: string, data: Record<string, unknown>) {
  await deps.db
    .updateTable('api_tokens')
    .set({ data_enc: deps.envelope.sealText(JSON.stringify(data), contextOf(jti)) })
    .where('jti', '=', jti)
    .execute();
}

export async function apiTokenRow(deps: Deps, jti: string) {
  const row = await deps.db.selectFrom('api_tokens').selectAll().where('jti', '=', jti).executeTakeFirst();
  if (!row) return undefined;
  return {
    ...row,
    data: row.data_enc
      ? (JSON.parse(deps.envelope.openText(row.data_enc, contextOf(row.jti))) as Record<string, unknown>)
      : undefined,
  };
}
