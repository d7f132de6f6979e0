/**
 * Ends every way into an account but one device: registered devices and their Face ID
 * credentials, single-sign-on sessions, grants and every OIDC token issued under them (refresh,
 * access, codes, back-channel requests), live client-API tokens, and pending approval requests.
 * Used by recovery (everything but the new phone) and by "this wasn't me" (everything).
 */
import type { Database } from '@camdigikey/db';
import { sql, type Transaction } from 'kysely';

/** The OIDC payload kinds that carry an account (oidc-provider models). */
const ACCOUNT_BOUND_KINDS = [
  'Session',
  'Grant',
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'BackchannelAuthenticationRequest',
];

export interface RevokedAccess {
  devices: string[];
  sessions: number;
  oidcPayloads: number;
  apiTokens: number;
}

export async function revokeAccountAccess(
  trx: Transaction<Database>,
  accountId: string,
  now: Date,
  keepDeviceId?: string,
): Promise<RevokedAccess> {
  let devices = trx
    .updateTable('devices')
    .set({ status: 'revoked', revoked_at: now })
    .where('account_id', '=', accountId)
    .where('status', '=', 'active');
  if (keepDeviceId) devices = devices.where('id', '!=', keepDeviceId);
  const revokedDevices = await devices.returning('id').execute();
  let credentials = trx
    .updateTable('webauthn_credentials')
    .set({ revoked_at: now })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null);
  if (keepDeviceId) credentials = credentials.where('device_id', '!=', keepDeviceId);
  await credentials.execute();
  if (revokedDevices.length > 0) {
    await trx
      .deleteFrom('push_subscriptions')
      .where(
        'device_id',
        'in',
        revokedDevices.map((d) => d.id),
      )
      .execute();
  }

  const payloads = await trx
    .deleteFrom('oidc_payloads')
    .where('kind', 'in', ACCOUNT_BOUND_KINDS)
    .where(sql<boolean>`payload->>'accountId' = ${accountId}`)
    .returning('kind')
    .execute();
  const apiTokens = await trx
    .updateTable('api_tokens')
    .set({ state: 'logged_out', ended_at: now })
    .where('account_id', '=', accountId)
    .where('state', '=', 'active')
    .returning('jti')
    .execute();
  await trx
    .updateTable('device_approvals')
    .set({ state: 'rejected', decided_at: now })
    .where('account_id', '=', accountId)
    .where('state', '=', 'pending')
    .execute();
  return {
    devices: revokedDevices.map((d) => d.id),
    sessions: payloads.filter((p) => p.kind === 'Session').length,
    oidcPayloads: payloads.length,
    apiTokens: apiTokens.length,
  };
}

/** Drop one OIDC grant and every token issued under it (access, refresh, codes). */
export async function deleteGrant(trx: Transaction<Database>, grantId: string): Promise<void> {
  await trx.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
  await trx.deleteFrom('oidc_payloads').where('kind', '=', 'Grant').where('id', '=', grantId).execute();
}
