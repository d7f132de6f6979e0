/**
 * Loading and saving registration flow records with the checks every step shares:
 * the flow exists, belongs to the signing device, has not expired, and allows the action in its
 * current state. Saves are optimistic (version column), so two concurrent requests for the same
 * flow cannot both advance it; each save pushes the idle expiry forward and writes its audit
 * event in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { RegistrationState } from '@camdigikey/contracts/registration';
import {
  canEndIn,
  canRun,
  REGISTRATION_TRANSITIONS,
  type RegistrationAction,
} from '@camdigikey/core/flows/registration';
import type { Database } from '@camdigikey/db';
import type { Transaction } from 'kysely';
import { appendAudit } from '../../audit/audit-log';
import type { Deps } from '../../deps';
import { AppError } from '../../errors';
import type { RegistrationData } from './flow-data';

export const FLOW_KIND = 'registration';

export interface RegistrationFlow {
  id: string;
  state: RegistrationState;
  language: 'km' | 'en';
  deviceThumbprint: string;
  data: RegistrationData;
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

export async function createFlow(
  deps: Deps,
  input: { language: 'km' | 'en'; thumbprint: string; jwk: Record<string, unknown>; ctx: RequestContext },
): Promise<RegistrationFlow> {
  const now = deps.clock.now();
  const flow: RegistrationFlow = {
    id: randomUUID(),
    state: 'awaiting_phone',
    language: input.language,
    deviceThumbprint: input.thumbprint,
    data: {},
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
        kind: FLOW_KIND,
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
    await appendAudit(
      trx,
      audit(input.ctx, flow.id, 'registration.started', { language: input.language }),
      now,
    );
  });
  return flow;
}

const audit = (ctx: RequestContext, flowId: string, action: string, details: Record<string, unknown>) => ({
  actorType: 'device' as const,
  actorId: ctx.deviceThumbprint,
  action,
  subjectType: 'registration_flow',
  subjectId: flowId,
  ip: ctx.ip,
  device: ctx.deviceThumbprint,
  requestId: ctx.requestId,
  details,
});

/** Load a flow for a device; optionally require that `action` may run now. */
export async function loadFlow(
  deps: Deps,
  id: string,
  thumbprint: string,
  action?: RegistrationAction,
): Promise<RegistrationFlow> {
  const row = await deps.db
    .selectFrom('flows')
    .selectAll()
    .where('id', '=', id)
    .where('kind', '=', FLOW_KIND)
    .executeTakeFirst();
  if (!row) throw new AppError('flow_not_found');
  if (row.device_thumbprint !== thumbprint) throw new AppError('device_key_mismatch');
  const flow: RegistrationFlow = {
    id: row.id,
    state: row.state as RegistrationState,
    language: row.language,
    deviceThumbprint: row.device_thumbprint,
    data: row.data as RegistrationData,
    version: row.version,
    accountId: row.account_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
  if (flow.state !== 'submitted' && flow.expiresAt.getTime() <= deps.clock.now().getTime())
    throw new AppError('flow_expired');
  if (action && !canRun(flow.state, action)) {
    throw new AppError('flow_step_out_of_order', {
      details: { state: flow.state, action, allowedFrom: [...REGISTRATION_TRANSITIONS[action].from] },
    });
  }
  return flow;
}

/**
 * Persist a step: new state and data, audit event, and any extra writes (`also`) in one
 * transaction. Fails with flow_conflict when another request saved the flow meanwhile.
 */
export async function saveFlow(
  deps: Deps,
  flow: RegistrationFlow,
  change: {
    action: RegistrationAction | 'draft';
    state: RegistrationState;
    data: RegistrationData;
    ctx: RequestContext;
    audit?: Record<string, unknown>;
    accountId?: string;
    also?: (trx: Transaction<Database>, now: Date) => Promise<void>;
  },
): Promise<RegistrationFlow> {
  if (change.action !== 'draft' && !canEndIn(change.action, change.state)) {
    throw new Error(`transition ${change.action} cannot end in ${change.state}`);
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
    const action = change.action === 'draft' ? 'details_draft_saved' : change.action;
    await appendAudit(
      trx,
      audit(change.ctx, flow.id, `registration.${action}`, { state: change.state, ...change.audit }),
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
}
