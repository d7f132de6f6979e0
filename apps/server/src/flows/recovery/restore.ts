/**
 * Gives a recovered account back, in the caller's transaction: the new phone becomes the only
 * registered device (with its Face ID credential if chosen), every other device, credential,
 * session, grant, refresh token, client-API token and pending approval is revoked, the new PIN
 * replaces the old one (failure counters cleared), a citizen's own lock is lifted, and the
 * cooling-off starts. `announce()` runs after the commit: the e-mail address and the old phones
 * are told at once, in the citizen's language, with a "this wasn't me" link that locks the
 * account and undoes the recovery.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '@camdigikey/db';
import { format } from '@camdigikey/messages';
import type { Transaction } from 'kysely';
import { publishAccountStatus } from '../../accounts/account-status';
import { issueLockLink } from '../../accounts/action-tokens';
import { insertDevice } from '../../accounts/create-account';
import { openPersonal, PERSONAL_COLUMNS } from '../../accounts/personal-data';
import { revokeAccountAccess } from '../../accounts/revoke-access';
import { appendAudit } from '../../audit/audit-log';
import type { Deps } from '../../deps';
import { AppError } from '../../errors';
import { accountPushTargets, notifyTargets } from '../../push/push';
import { issueForAccount } from '../../signing/certificates';
import type { RequestContext } from '../flow-store';
import type { RecoveryFlow } from './recovery-flow';

export async function restoreAccount(
  trx: Transaction<Database>,
  deps: Deps,
  input: { flow: RecoveryFlow; pinVerifier: string; ctx: RequestContext },
  now: Date,
) {
  const { flow } = input;
  const accountId = flow.accountId!;
  const account = await trx
    .selectFrom('accounts')
    .select(['status', 'locked_reason', 'language', ...PERSONAL_COLUMNS])
    .where('id', '=', accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const citizenLock = account.status === 'locked' && (account.locked_reason ?? 'citizen') === 'citizen';
  if (!['active', 'pending_review', 'resubmission_requested'].includes(account.status) && !citizenLock)
    throw new AppError('account_not_active');

  const row = await trx
    .selectFrom('flows')
    .select('device_jwk')
    .where('id', '=', flow.id)
    .executeTakeFirstOrThrow();
  const taken = await trx
    .selectFrom('devices')
    .select('id')
    .where('thumbprint', '=', flow.deviceThumbprint)
    .executeTakeFirst();
  if (taken) throw new AppError('device_key_mismatch');

  // The old phones' push subscriptions, read before they are revoked: they get the notice.
  const oldTargets = await accountPushTargets(trx, accountId);

  const deviceId = randomUUID();
  const faceId = flow.data.faceId?.status === 'registered' ? flow.data.faceId : undefined;
  await insertDevice(
    trx,
    accountId,
    deviceId,
    { thumbprint: flow.deviceThumbprint, jwk: row.device_jwk },
    faceId
      ? {
          credentialId: faceId.credentialId,
          publicKey: Buffer.from(faceId.publicKey, 'base64url'),
          counter: faceId.counter,
          transports: faceId.transports,
        }
      : undefined,
    now,
  );
  const revoked = await revokeAccountAccess(trx, accountId, now, deviceId);
  await trx
    .updateTable('accounts')
    .set({
      pin_verifier: input.pinVerifier,
      pin_failed_count: 0,
      pin_locked_until: null,
      recovered_at: now,
      updated_at: now,
      ...(citizenLock ? { status: 'active', locked_reason: null } : {}),
    })
    .where('id', '=', accountId)
    .execute();
  const lockLink = await issueLockLink(
    trx,
    deps,
    accountId,
    { reason: 'recovery', flowId: flow.id, deviceId },
    now,
    Math.max(24, deps.config.recovery.coolingOffHours),
  );
  await appendAudit(
    trx,
    {
      actorType: 'device',
      actorId: deviceId,
      action: 'account.recovered',
      subjectType: 'account',
      subjectId: accountId,
      ip: input.ctx.ip,
      device: deviceId,
      requestId: input.ctx.requestId,
      details: {
        flowId: flow.id,
        faceId: Boolean(faceId),
        revokedDevices: revoked.devices.length,
        endedSessions: revoked.sessions,
        revokedOidcTokens: revoked.oidcPayloads,
        revokedApiTokens: revoked.apiTokens,
        unlocked: citizenLock,
      },
    },
    now,
  );

  return {
    deviceId,
    async announce(): Promise<void> {
      // The new phone's signing certificate; the old phones' are revoked with their devices.
      await issueForAccount(deps, accountId);
      await publishAccountStatus(deps, accountId);
      const language = account.language;
      const at = now.toISOString();
      notifyTargets(deps, oldTargets, { type: 'security_notice', event: 'account_recovered', at });
      try {
        await deps.notifier.email(
          openPersonal(deps.envelope, account).email,
          language,
          format('notify.recovered.email.subject', language),
          format('notify.recovered.email.body', language, {
            link: lockLink,
            hours: String(deps.config.recovery.coolingOffHours),
          }),
        );
      } catch (error) {
        deps.logger.warn({ err: error }, 'recovery notice e-mail not sent');
      }
    },
  };
}
