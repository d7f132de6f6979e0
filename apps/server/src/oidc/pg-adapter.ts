/**
 * The storage adapter of oidc-provider on PostgreSQL (or PGlite): every model (sessions,
 * interactions, codes, tokens, grants…) is a row of `oidc_payloads` keyed by kind and id, so
 * sessions and grants survive restarts and are shared by every instance. Expired rows are
 * invisible and swept lazily. Clients are not stored here: they come from the relying-party
 * registry (relying-parties.ts), which is the single source of client metadata.
 *
 * Contract (oidc-provider Adapter): upsert, find, findByUid, findByUserCode, consume, destroy,
 * revokeByGrantId. `consume` marks the payload consumed (codes are single use); the provider
 * itself refuses and revokes on a second use.
 */
import type { Database } from '@camdigikey/db';
import type { Kysely } from 'kysely';
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

export function createAdapterClass(db: Kysely<Database>, clients: ClientSource) {
  let sweeps = 0;
  const sweep = async () => {
    if (++sweeps % 500 !== 0) return;
    await db
      .deleteFrom('oidc_payloads')
      .where('expires_at', '<', new Date(providerNow().getTime() - 3600_000))
      .execute();
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
      await sweep();
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

    find(id: string) {
      return this.findWhere('id', id);
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
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('kind', '=', this.name).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
    }
  };
}
