/**
 * The storage adapter of oidc-provider on PostgreSQL (or PGlite): every model (sessions,
 * interactions, codes, tokens, grants…) is a row of `oidc_payloads` keyed by kind and id, so
 * sessions and grants survive restarts and are shared by every instance. Expired rows are
 * invisible and swept lazily (bounded batches as the adapter writes, and the scheduled clean-up). Clients are not stored here: they come from the relying-party
 * registry (relying-parties.ts), which is the single source of client metadata.
 *
 * Contract (oidc-provider Adapter): upsert, find, findByUid, findByUserCode, consume, destroy,
 * revokeByGrantId. `consume` marks the payload consumed (codes are single use); the provider
 * itself refuses and revokes on a second use.
 *
 * Within one HTTP request a payload found by id is remembered (in the request's work context,
 * observability/context.ts) and not read again: oidc-provider loads the same interaction,
 * session or grant two or three times while serving one request (interactionDetails, then
 * interactionFinished). What the request writes replaces or drops the remembered copy (upsert,
 * consume, destroy, revoke), so the request sees its own writes; another request's writes are as
 * (un)ordered with this one as they were without the memo. Callers get a copy each time.
 */
import type { Database } from '@camdigikey/db';
import { type Kysely, sql } from 'kysely';
import { workContext } from '../observability/context';
import { providerEpochSeconds, providerNow } from './provider-time';

export type AdapterPayload = Record<string, unknown> & {
  grantId?: string;
  userCode?: string;
  uid?: string;
  consumed?: number;
};

export interface ClientSource {
  find(clientId: string): Promise<Record<string, unknown> | undefined>;
}

/** Every SWEEP_EVERY writes a sweep deletes up to SWEEP_BATCH expired rows (SWEEP_BATCH > SWEEP_EVERY). */
export const SWEEP_EVERY = 500;
export const SWEEP_BATCH = 2000;
/** Other payloads stay an hour past their expiry (invisible) before they are deleted. */
const GRACE_MS = 3_600_000;

/**
 * Deletes up to `batch` expired payloads: interactions as soon as they have expired (each
 * authorization request stores one, anonymous and unused after its TTL, so a flood of them is
 * gone LOGIN_REQUEST_SECONDS + 10 minutes later), everything else an hour after its expiry.
 * Bounded, on the expiry index, so that no single sweep grows with what a flood left behind.
 */
export async function sweepExpiredPayloads(db: Kysely<Database>, now: Date, batch: number): Promise<number> {
  const result = await sql`
    delete from oidc_payloads where ctid in (
      select ctid from oidc_payloads
       where expires_at <= ${now}
         and (kind = 'Interaction' or expires_at < ${new Date(now.getTime() - GRACE_MS)})
       limit ${batch})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** The current request's remembered payloads (none outside a request). */
function requestMemo(): Map<string, unknown> | undefined {
  const store = workContext.getStore();
  if (!store?.requestId) return undefined;
  store.oidcPayloads ??= new Map();
  return store.oidcPayloads;
}
const memoKey = (kind: string, id: string) => `${kind}\u0000${id}`;
/** Counts the request's writes: a read that overlapped a write is not remembered. */
const WRITES = '\u0000writes';
function forgetOnWrite(memo: Map<string, unknown> | undefined, key?: string) {
  if (!memo) return;
  const writes = ((memo.get(WRITES) as number | undefined) ?? 0) + 1;
  if (key === undefined) memo.clear();
  else memo.delete(key);
  memo.set(WRITES, writes);
}

export function createAdapterClass(db: Kysely<Database>, clients: ClientSource) {
  let writes = 0;
  let sweeping: Promise<unknown> | undefined;
  // In the background, one at a time: a write never waits for a sweep (the scheduled clean-up,
  // background/maintenance.ts, deletes what a failed sweep left).
  const written = () => {
    if (++writes % SWEEP_EVERY !== 0 || sweeping) return;
    sweeping = sweepExpiredPayloads(db, providerNow(), SWEEP_BATCH)
      .catch(() => undefined)
      .finally(() => {
        sweeping = undefined;
      });
  };

  return class PostgresAdapter {
    constructor(readonly name: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(providerNow().getTime() + expiresIn * 1000) : null;
      const row = {
        kind: this.name,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expires_at: expiresAt,
        consumed_at: null,
      };
      await db
        .insertInto('oidc_payloads')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['kind', 'id']).doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            user_code: row.user_code,
            uid: row.uid,
            expires_at: row.expires_at,
          }),
        )
        .execute();
      forgetOnWrite(requestMemo(), memoKey(this.name, id));
      written();
    }

    async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      if (this.name === 'Client' && column === 'id')
        return clients.find(value) as Promise<AdapterPayload | undefined>;
      const row = await db
        .selectFrom('oidc_payloads')
        .select(['payload', 'expires_at', 'consumed_at'])
        .where('kind', '=', this.name)
        .where(column, '=', value)
        .executeTakeFirst();
      if (!row) return undefined;
      if (row.expires_at && row.expires_at.getTime() <= providerNow().getTime()) return undefined;
      const payload = row.payload as AdapterPayload;
      return row.consumed_at
        ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) }
        : payload;
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.name === 'Client') return this.findWhere('id', id);
      const memo = requestMemo();
      const key = memoKey(this.name, id);
      if (memo?.has(key)) return structuredClone(memo.get(key) as AdapterPayload);
      const writes = memo?.get(WRITES);
      const found = await this.findWhere('id', id);
      // Remembered only when found, and when no write of this request overlapped the read.
      if (memo && found && memo.get(WRITES) === writes) memo.set(key, structuredClone(found));
      return found;
    }

    findByUid(uid: string) {
      return this.findWhere('uid', uid);
    }

    findByUserCode(userCode: string) {
      return this.findWhere('user_code', userCode);
    }

    async consume(id: string): Promise<void> {
      await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: new Date(providerEpochSeconds() * 1000) })
        .where('kind', '=', this.name)
        .where('id', '=', id)
        .execute();
      forgetOnWrite(requestMemo(), memoKey(this.name, id));
    }

    async destroy(id: string): Promise<void> {
      forgetOnWrite(requestMemo(), memoKey(this.name, id));
      await db.deleteFrom('oidc_payloads').where('kind', '=', this.name).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      forgetOnWrite(requestMemo());
      await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
    }
  };
}
