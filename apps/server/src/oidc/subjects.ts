/**
 * The `sub` a relying party receives (OIDC Core §8): the account id for a `public` client, or a
 * pairwise identifier for a `pairwise` one, HMAC(PAIRWISE_SALT, sector | account id), so two
 * relying parties cannot join their users. Each pairwise identifier is recorded when the provider
 * computes it, so a CIBA request naming the `sub` that relying party received finds the account
 * (issue 19, item 12); the identifier itself cannot be reversed.
 */
import { createHmac } from 'node:crypto';
import type { Database } from '@camdigikey/db';
import type { Kysely } from 'kysely';

const ACCOUNT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function pairwiseSubject(salt: Uint8Array, sector: string, accountId: string): string {
  return createHmac('sha256', salt).update(`${sector}|${accountId}`).digest('base64url');
}

/** Remember which account a sector's pairwise identifier stands for (once). */
export async function recordPairwiseSubject(
  db: Kysely<Database>,
  entry: { sector: string; sub: string; accountId: string },
  now: Date,
): Promise<void> {
  await db
    .insertInto('pairwise_subjects')
    .values({ sector: entry.sector, sub: entry.sub, account_id: entry.accountId, created_at: now })
    .onConflict((oc) => oc.columns(['sector', 'sub']).doNothing())
    .execute();
}

/**
 * The account a relying party means by a `sub` it received: the account id itself for a public
 * client; for a pairwise client only one of its sector's identifiers (an account id is refused).
 * Undefined when there is none, whether or not an account exists.
 */
export async function accountForSubject(
  db: Kysely<Database>,
  client: { subjectType?: string; sectorIdentifier?: string | undefined } | undefined,
  sub: string,
): Promise<string | undefined> {
  if (!client || sub.length > 128) return undefined;
  if (client.subjectType !== 'pairwise') return ACCOUNT_ID.test(sub) ? sub : undefined;
  if (!client.sectorIdentifier || ACCOUNT_ID.test(sub)) return undefined;
  const row = await db
    .selectFrom('pairwise_subjects')
    .select('account_id')
    .where('sector', '=', client.sectorIdentifier)
    .where('sub', '=', sub)
    .executeTakeFirst();
  return row?.account_id;
}

export const isAccountId = (value: string) => ACCOUNT_ID.test(value);
