/**
 * Single-use links sent in security notices ("this wasn't me: lock my account"). The token is
 * 256 random bits in the link; only its keyed hash is stored, and it is consumed once, atomically
 * (UPDATE … WHERE consumed_at IS NULL AND expires_at > now RETURNING).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '@camdigikey/db';
import type { Kysely, Transaction } from 'kysely';
import { hmacHex } from '../crypto/keyed-hash';
import type { Deps } from '../deps';

export const LOCK_LINK_PATH = '/account/lock';

const hashOf = (deps: Deps, token: string) =>
  hmacHex(deps.config.secrets.otpKey, 'account-action-token', token);

/** A "this wasn't me" link for a notice; `details` says what happened (e.g. the recovery). */
export async function issueLockLink(
  trx: Transaction<Database> | Kysely<Database>,
  deps: Deps,
  accountId: string,
  details: Record<string, unknown>,
  now: Date,
  validHours: number,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await trx
    .insertInto('account_action_tokens')
    .values({
      id: randomUUID(),
      account_id: accountId,
      purpose: 'lock_account',
      token_hash: hashOf(deps, token),
      details: JSON.stringify(details),
      created_at: now,
      expires_at: new Date(now.getTime() + validHours * 3_600_000),
      consumed_at: null,
    })
    .execute();
  return `${deps.config.http.publicUrl.replace(/\/$/, '')}${LOCK_LINK_PATH}/${token}`;
}

/** Is the link still usable (for the confirmation page)? Does not consume it. */
export async function peekLockLink(deps: Deps, token: string): Promise<boolean> {
  const row = await deps.db
    .selectFrom('account_action_tokens')
    .select('id')
    .where('token_hash', '=', hashOf(deps, token))
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', deps.clock.now())
    .executeTakeFirst();
  return Boolean(row);
}

/** Consume the link once: its account and details, or undefined (unknown, used or expired). */
export async function consumeLockLink(trx: Transaction<Database>, deps: Deps, token: string, now: Date) {
  return trx
    .updateTable('account_action_tokens')
    .set({ consumed_at: now })
    .where('token_hash', '=', hashOf(deps, token))
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['id', 'account_id', 'details'])
    .executeTakeFirst();
}
