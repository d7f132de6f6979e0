/**
 * The provider's signing keys: ES256 (default) and RS256 (for relying parties that need it),
 * private halves sealed with envelope encryption. Rotation adds new keys first in the set (they
 * sign from the next start of each instance) and keeps retired keys published until every token
 * they signed has expired, so relying parties never meet an unknown `kid`.
 */
import type { Database } from '@camdigikey/db';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Envelope } from '../crypto/envelope';

const ALGS = ['ES256', 'RS256'] as const;
export const context = (kid: string) => `signing-key:${kid}`;

async function createKey(db: Kysely<Database>, envelope: Envelope, alg: (typeof ALGS)[number], now: Date) {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  const jwk = await exportJWK(privateKey);
  const kid = `${alg.toLowerCase()}-${(await calculateJwkThumbprint(jwk)).slice(0, 16)}`;
  const full: JWK = { ...jwk, kid, alg, use: 'sig' };
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = full;
  await db
    .insertInto('signing_keys')
    .values({
      kid,
      alg,
      private_jwk_enc: envelope.sealText(JSON.stringify(full), context(kid)),
      public_jwk: JSON.stringify(publicJwk),
      created_at: now,
      retired_at: null,
      expires_at: null,
    })
    .execute();
}

/** Make sure an active key exists for every algorithm (first start). */
export async function ensureSigningKeys(db: Kysely<Database>, envelope: Envelope, now: Date): Promise<void> {
  for (const alg of ALGS) {
    const active = await db
      .selectFrom('signing_keys')
      .select('kid')
      .where('alg', '=', alg)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    if (!active) await createKey(db, envelope, alg, now);
  }
}

/** Retire the active keys (still published for `keepSeconds`) and create new ones. */
export async function rotateSigningKeys(
  db: Kysely<Database>,
  envelope: Envelope,
  keepSeconds: number,
  now: Date,
) {
  await db
    .updateTable('signing_keys')
    .set({ retired_at: now, expires_at: new Date(now.getTime() + keepSeconds * 1000) })
    .where('retired_at', 'is', null)
    .execute();
  for (const alg of ALGS) await createKey(db, envelope, alg, now);
}

/** Private JWKs for the provider: active keys first (they sign), then retired unexpired ones. */
export async function loadSigningKeys(db: Kysely<Database>, envelope: Envelope, now: Date): Promise<JWK[]> {
  const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').execute();
  const live = rows.filter((r) => !r.expires_at || r.expires_at.getTime() > now.getTime());
  live.sort((a, b) => Number(a.retired_at !== null) - Number(b.retired_at !== null));
  return live.map((r) => JSON.parse(envelope.openText(r.private_jwk_enc, context(r.kid))) as JWK);
}
