/**
 * Cross-device login requests (architecture.md, decision 9; security-rules.md §3.7).
 *
 *  - The browser's login page holds a request bound to it (an HttpOnly cookie whose hash is
 *    stored) and shows a QR that changes every second: `CDK1.<id>.<t>.<mac>`, t = seconds since
 *    the request started, mac = HMAC-SHA256(secret, id.t) with a per-request secret that never
 *    leaves the server (as BankID's animated QR). A scanned QR older than QR_MAX_AGE_SECONDS is
 *    refused, so a relayed screenshot goes stale within seconds.
 *  - One device claims it (atomic); the app receives the relying party's registered name and
 *    domain and three candidate numbers; the page shows the right one (number matching). A wrong
 *    pick cancels the request.
 *  - Approval needs the PIN (or a Face ID assertion) of an active account; only the browser
 *    holding the binding cookie can complete the login.
 */
import { createHash, createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { LoginRequestState, LoginRequestsTable } from '@camdigikey/db';
import type { Selectable } from 'kysely';
import { constantTimeEqual } from '../crypto/keyed-hash';
import type { Deps } from '../deps';
import { AppError } from '../errors';

export const loginChannel = (id: string) => `login:${id}`;
export const secretContext = (id: string) => `login-request:${id}:qr-secret`;
const bindingHash = (token: string) => createHash('sha256').update(token).digest('base64url');

type LoginRequestRow = Selectable<LoginRequestsTable>;

export interface LoginRequestView {
  id: string;
  state: LoginRequestState;
  matchCode?: string;
  expiresAt: string;
  reason?: string | null;
}

export async function createLoginRequest(deps: Deps, input: { uid: string; clientId: string }) {
  const now = deps.clock.now();
  const id = randomUUID();
  const bindingToken = randomBytes(32).toString('base64url');
  const code = String(randomInt(10, 100));
  const choices = new Set([code]);
  while (choices.size < 3) choices.add(String(randomInt(10, 100)));
  const shuffled = [...choices];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const expiresAt = new Date(now.getTime() + deps.config.login.requestSeconds * 1000);
  const secret = randomBytes(32).toString('base64url');
  await deps.db
    .insertInto('login_requests')
    .values({
      id,
      interaction_uid: input.uid,
      client_id: input.clientId,
      qr_secret_enc: deps.envelope.sealText(secret, secretContext(id)),
      browser_binding: bindingHash(bindingToken),
      state: 'pending',
      device_id: null,
      account_id: null,
      match_code: code,
      match_choices: JSON.stringify(shuffled),
      webauthn_challenge: null,
      method: null,
      reason: null,
      created_at: now,
      expires_at: expiresAt,
      claimed_at: null,
      decided_at: null,
    })
    .execute();
  deps.metrics.login('qr', 'requested');
  // The page's first QR, from what was just written (no read back).
  return {
    id,
    bindingToken,
    expiresAt,
    firstQr: qrAt({ id, secret, createdAt: now, expiresAt }, now.getTime()),
  };
}

/** What the animated QR is made of: fixed for the request's life (its state aside). */
export interface QrSource {
  id: string;
  /** The per-request secret, opened. */
  secret: string;
  createdAt: Date;
  expiresAt: Date;
}

/** The QR source of a stored request (opens the secret's envelope once). */
export const qrSourceOf = (deps: Deps, row: LoginRequestRow): QrSource => ({
  id: row.id,
  secret: deps.envelope.openText(row.qr_secret_enc, secretContext(row.id)),
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

/** The QR content at `now` (ms) of a request still pending; undefined once it has expired. */
export function qrAt(source: QrSource, now: number): { payload: string; secondsLeft: number } | undefined {
  if (source.expiresAt.getTime() <= now) return undefined;
  const t = Math.floor((now - source.createdAt.getTime()) / 1000);
  return {
    payload: `CDK1.${source.id}.${t}.${mac(source.secret, source.id, t)}`,
    secondsLeft: Math.ceil((source.expiresAt.getTime() - now) / 1000),
  };
}

async function load(deps: Deps, id: string) {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new AppError('login_request_not_found');
  const row = await deps.db.selectFrom('login_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('login_request_not_found');
  return row;
}

const mac = (secret: string, id: string, t: number) =>
  createHmac('sha256', secret).update(`${id}.${t}`).digest('base64url').slice(0, 22);

/** The QR content for the current second (for the browser page). */
export async function currentQr(
  deps: Deps,
  id: string,
): Promise<{ payload: string; secondsLeft: number } | undefined> {
  const row = await load(deps, id);
  if (row.state !== 'pending') return undefined;
  return qrAt(qrSourceOf(deps, row), deps.clock.now().getTime());
}

export async function viewOf(deps: Deps, id: string): Promise<LoginRequestView> {
  return viewOfRow(deps, await load(deps, id));
}

/** What the browser is told of a request, from its row as read or as just written. */
export function viewOfRow(deps: Deps, row: LoginRequestRow): LoginRequestView {
  const expired = row.state === 'pending' && row.expires_at.getTime() <= deps.clock.now().getTime();
  return {
    id: row.id,
    state: expired ? 'expired' : row.state,
    ...(row.state === 'claimed' ? { matchCode: row.match_code } : {}),
    expiresAt: row.expires_at.toISOString(),
    reason: row.reason,
  };
}

/** Announces a state change, from the row the changing statement returned (no read back). */
async function publish(deps: Deps, row: LoginRequestRow) {
  await deps.hot.publish(loginChannel(row.id), JSON.stringify(viewOfRow(deps, row)));
}

/** The app scanned a QR: verify it is fresh and genuine, and claim the request for this device. */
export async function scanQr(deps: Deps, input: { payload: string; deviceId: string; accountId: string }) {
  const parts = input.payload.trim().split('.');
  if (parts.length !== 4 || parts[0] !== 'CDK1' || !/^\d{1,6}$/.test(parts[2] ?? ''))
    throw new AppError('qr_invalid');
  const [, id, tText, givenMac] = parts as [string, string, string, string];
  const row = await load(deps, id).catch(() => {
    throw new AppError('qr_invalid');
  });
  const now = deps.clock.now().getTime();
  const t = Number(tText);
  const { secret } = qrSourceOf(deps, row);
  if (!constantTimeEqual(mac(secret, id, t), givenMac)) throw new AppError('qr_invalid');
  if (row.expires_at.getTime() <= now) throw new AppError('login_request_expired');
  const elapsed = (now - row.created_at.getTime()) / 1000;
  if (t > elapsed + 1 || elapsed - t > deps.config.login.qrMaxAgeSeconds) throw new AppError('qr_expired');
  if (row.state === 'rejected') throw new AppError('login_request_cancelled');
  if (row.state !== 'pending') throw new AppError('login_request_claimed');

  // The claim and the account's check in one statement: only an active account claims a request
  // still pending (the account is read within the same statement). When nothing was claimed, the
  // reason is looked up afterwards.
  const claimed = await deps.db
    .updateTable('login_requests')
    .set({
      state: 'claimed',
      device_id: input.deviceId,
      account_id: input.accountId,
      claimed_at: new Date(now),
    })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('accounts')
          .select('accounts.id')
          .where('accounts.id', '=', input.accountId)
          .where('accounts.status', '=', 'active'),
      ),
    )
    .returningAll()
    .executeTakeFirst();
  if (!claimed) {
    const account = await deps.db
      .selectFrom('accounts')
      .select('status')
      .where('id', '=', input.accountId)
      .executeTakeFirst();
    if (account?.status !== 'active')
      throw new AppError('account_not_active', { details: { status: account?.status ?? 'unknown' } });
    throw new AppError('login_request_claimed');
  }
  deps.metrics.login('qr', 'scanned');
  await publish(deps, claimed);

  const rp = await deps.relyingParties.find(row.client_id);
  return {
    requestId: id,
    relyingParty: {
      name: rp?.app_name ?? row.client_id,
      nameKm: rp?.app_name_km ?? null,
      organisation: rp?.organisation ?? null,
      organisationKm: rp?.organisation_km ?? null,
      domain: rp?.domain ?? null,
      logoUrl: rp?.logo_url ?? null,
    },
    choices: row.match_choices,
    expiresAt: row.expires_at.toISOString(),
  };
}

/** The request as claimed by this device, still open; refuses anything else. */
export async function claimedBy(deps: Deps, id: string, deviceId: string) {
  const row = await load(deps, id);
  if (row.device_id !== deviceId) throw new AppError('login_request_not_found');
  if (row.expires_at.getTime() <= deps.clock.now().getTime()) throw new AppError('login_request_expired');
  // A wrong number, a locked PIN or a refusal ended it: the phone is told to start again.
  if (row.state === 'rejected') throw new AppError('login_request_cancelled');
  if (row.state !== 'claimed') throw new AppError('login_request_claimed');
  return row;
}

export async function decide(
  deps: Deps,
  id: string,
  decision: { state: 'approved'; method: 'pin' | 'face_id' } | { state: 'rejected'; reason: string },
) {
  const now = deps.clock.now();
  const updated = await deps.db
    .updateTable('login_requests')
    .set({
      state: decision.state,
      decided_at: now,
      ...(decision.state === 'approved' ? { method: decision.method } : { reason: decision.reason }),
    })
    .where('id', '=', id)
    .where('state', '=', 'claimed')
    .returningAll()
    .executeTakeFirst();
  if (!updated) {
    // Lost a race with another decision on the same request: say which.
    const now = await load(deps, id);
    throw new AppError(now.state === 'rejected' ? 'login_request_cancelled' : 'login_request_claimed');
  }
  deps.metrics.login('qr', decision.state);
  await publish(deps, updated);
}

/**
 * The login request as seen by the browser that started it: the interaction must match and the
 * browser must hold the binding cookie issued with this very request (its hash compared in
 * constant time). Anything else is "not found", whether the request exists or not.
 */
export async function boundRequest(
  deps: Deps,
  input: { uid: string; requestId: string; bindingToken: string | undefined },
) {
  const row = await load(deps, input.requestId);
  const presented = bindingHash(input.bindingToken ?? '');
  const sameBrowser = constantTimeEqual(row.browser_binding, presented);
  if (row.interaction_uid !== input.uid || !input.bindingToken || !sameBrowser) {
    throw new AppError('login_request_not_found');
  }
  return row;
}

/** The browser that started the request collects an approved login, once. */
export async function completeLogin(
  deps: Deps,
  input: { uid: string; requestId: string; bindingToken: string | undefined },
) {
  const row = await boundRequest(deps, input);
  if (row.state !== 'approved' || !row.account_id) throw new AppError('login_not_approved');
  const done = await deps.db
    .updateTable('login_requests')
    .set({ state: 'completed' })
    .where('id', '=', row.id)
    .where('state', '=', 'approved')
    .returning('id')
    .executeTakeFirst();
  if (!done) throw new AppError('login_not_approved');
  deps.metrics.login('qr', 'completed');
  return {
    accountId: row.account_id,
    method: (row.method ?? 'pin') as 'pin' | 'face_id',
    deviceId: row.device_id,
    clientId: row.client_id,
  };
}
