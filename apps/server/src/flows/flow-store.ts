/**
 * Stored, resumable flows (registration, recovery): one row of `flows` per flow, with the checks
 * every step shares: the flow exists and is of the expected kind, belongs to the signing device,
 * has not expired, and allows the action in its current state (the kind's transition table).
 * Saves are optimistic (version column), so two concurrent requests for the same flow cannot both
 * advance it; each save pushes the idle expiry forward and writes its audit event in the same
 * transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '@camdigikey/db';
import type { Transaction } from 'kysely';
import { appendAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { AppError } from '../errors';

export interface StoredFlow<S extends string, D> {
  id: string;
  state: S;
  language: 'km' | 'en';
  deviceThumbprint: string;
  data: D;
  version: number;
  accountId: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** Who did it, for the audit log. */
export interface RequestContext {
  ip: string;
  requestId: string;
  deviceThumbprint: string;
}

export interface FlowKind<S extends string, A extends string> {
  kind: 'registration' | 'recovery' | 'contact_change' | 'face_id_enrolment';
  initial: S;
  transitions: Record<A, { from: readonly S[]; to: readonly S[] }>;
  /** States the flow ends in: they never expire. */
  finalStates: readonly S[];
}

/** A save outside the transition table (the registration's details draft), audited by this name. */
export type OffTableSave = { name: string };

export interface FlowChange<S extends string, A extends string, D> {
  action: A | OffTableSave;
  state: S;
  data: D;
  ctx: RequestContext;
  audit?: Record<string, unknown>;
  accountId?: string;
  also?: (trx: Transaction<Database>, now: Date) => Promise<void>;
}

export function flowStore<S extends string, A extends string, D extends object>(spec: FlowKind<S, A>) {
  const subjectType = `${spec.kind}_flow`;
  const audit = (ctx: RequestContext, flowId: string, action: string, details: Record<string, unknown>) => ({
    actorType: 'device' as const,
    actorId: ctx.deviceThumbprint,
    action: `${spec.kind}.${action}`,
    subjectType,
    subjectId: flowId,
    ip: ctx.ip,
    device: ctx.deviceThumbprint,
    requestId: ctx.requestId,
    details,
  });
  const canRun = (state: S, action: A) => spec.transitions[action].from.includes(state);

  return {
    canRun,

    async create(
      deps: Deps,
      input: { language: 'km' | 'en'; thumbprint: string; jwk: Record<string, unknown>; ctx: RequestContext },
    ): Promise<StoredFlow<S, D>> {
      const now = deps.clock.now();
      const flow: StoredFlow<S, D> = {
        id: randomUUID(),
        state: spec.initial,
        language: input.language,
        deviceThumbprint: input.thumbprint,
        data: {} as D,
        version: 0,
        accountId: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + deps.config.flows.idleMinutes * 60_000),
      };
      await deps.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('flows')
          .values({
            id: flow.id,
            kind: spec.kind,
            state: flow.state,
            language: flow.language,
            device_thumbprint: flow.deviceThumbprint,
            device_jwk: JSON.stringify(input.jwk),
            data: JSON.stringify(flow.data),
            account_id: null,
            created_at: now,
            updated_at: now,
            expires_at: flow.expiresAt,
          })
          .execute();
        await appendAudit(trx, audit(input.ctx, flow.id, 'started', { language: input.language }), now);
      });
      return flow;
    },

    /** Load a flow for a device; optionally require that `action` may run now. */
    async load(deps: Deps, id: string, thumbprint: string, action?: A): Promise<StoredFlow<S, D>> {
      const row = await deps.db
        .selectFrom('flows')
        .selectAll()
        .where('id', '=', id)
        .where('kind', '=', spec.kind)
        .executeTakeFirst();
      if (!row) throw new AppError('flow_not_found');
      if (row.device_thumbprint !== thumbprint) throw new AppError('device_key_mismatch');
      const flow: StoredFlow<S, D> = {
        id: row.id,
        state: row.state as S,
        language: row.language,
        deviceThumbprint: row.device_thumbprint,
        data: row.data as D,
        version: row.version,
        accountId: row.account_id,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      };
      if (!spec.finalStates.includes(flow.state) && flow.expiresAt.getTime() <= deps.clock.now().getTime())
        throw new AppError('flow_expired');
      if (action && !canRun(flow.state, action)) {
        throw new AppError('flow_step_out_of_order', {
          details: { state: flow.state, action, allowedFrom: [...spec.transitions[action].from] },
        });
      }
      return flow;
    },

    /**
     * Persist a step: new state and data, audit event, and any extra writes (`also`) in one
     * transaction. Fails with flow_conflict when another request saved the flow meanwhile.
     */
    async save(deps: Deps, flow: StoredFlow<S, D>, change: FlowChange<S, A, D>): Promise<StoredFlow<S, D>> {
      const onTable = typeof change.action === 'string' ? change.action : undefined;
      if (onTable && !spec.transitions[onTable].to.includes(change.state)) {
        throw new Error(`transition ${onTable} cannot end in ${change.state}`);
      }
      const now = deps.clock.now();
      const expiresAt = new Date(now.getTime() + deps.config.flows.idleMinutes * 60_000);
      await deps.db.transaction().execute(async (trx) => {
        if (change.also) await change.also(trx, now);
        const updated = await trx
          .updateTable('flows')
          .set({
            state: change.state,
            data: JSON.stringify(change.data),
            version: flow.version + 1,
            updated_at: now,
            expires_at: expiresAt,
            ...(change.accountId ? { account_id: change.accountId } : {}),
          })
          .where('id', '=', flow.id)
          .where('version', '=', flow.version)
          .returning('id')
          .executeTakeFirst();
        if (!updated) throw new AppError('flow_conflict');
        const name = onTable ?? (change.action as OffTableSave).name;
        await appendAudit(
          trx,
          audit(change.ctx, flow.id, name, { state: change.state, ...change.audit }),
          now,
        );
      });
      return {
        ...flow,
        state: change.state,
        data: change.data,
        version: flow.version + 1,
        expiresAt,
        accountId: change.accountId ?? flow.accountId,
      };
    },
  };
}
