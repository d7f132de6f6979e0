/**
 * "This wasn't me" (the link in a security notice, e.g. the e-mail sent when the account was
 * recovered on a new phone):
 *
 *   GET  /account/lock/:token    a confirmation page (Khmer by default, ?lang=en)
 *   POST /account/lock/:token    lock the account, once
 *
 * A link from a recovery notice undoes the recovery: every device (the new phone too), credential,
 * session and token is revoked, the account is locked as disputed, and an officer must see the
 * citizen (a recovery referral). Any other link locks the account as the citizen's own lock.
 * Unknown, used and expired links get the same page.
 */

import { randomUUID } from 'node:crypto';
import { accountLockedPage, CSP, lockAccountPage, lockLinkInvalidPage } from '@camdigikey/login';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { appendAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { languageOf } from '../login/pages.routes';
import { publishAccountStatus } from './account-status';
import { consumeLockLink, LOCK_LINK_PATH, peekLockLink } from './action-tokens';
import { revokeAccountAccess } from './revoke-access';

const params = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

const html = (reply: FastifyReply, status: number, body: string) =>
  reply
    .status(status)
    .header('content-security-policy', CSP)
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(body);

export function lockLinkRoutes(app: FastifyInstance, deps: Deps): void {
  const tokenOf = (raw: unknown) => {
    const parsed = params.safeParse(raw);
    return parsed.success ? parsed.data.token : undefined;
  };

  app.get(`${LOCK_LINK_PATH}/:token`, async (request, reply) => {
    const lang = languageOf(request);
    const token = tokenOf(request.params);
    if (!token || !(await peekLockLink(deps, token))) return html(reply, 404, lockLinkInvalidPage(lang));
    return html(reply, 200, lockAccountPage(lang, `${LOCK_LINK_PATH}/${token}`));
  });

  app.post(`${LOCK_LINK_PATH}/:token`, async (request, reply) => {
    const lang = languageOf(request);
    const token = tokenOf(request.params);
    if (!token) return html(reply, 404, lockLinkInvalidPage(lang));
    const locked = await deps.db.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      const link = await consumeLockLink(trx, deps, token, now);
      if (!link) return undefined;
      const details = link.details as { reason?: string; flowId?: string };
      const disputed = details.reason === 'recovery';
      const revoked = disputed ? await revokeAccountAccess(trx, link.account_id, now) : undefined;
      await trx
        .updateTable('accounts')
        .set({ status: 'locked', locked_reason: disputed ? 'recovery_disputed' : 'citizen', updated_at: now })
        .where('id', '=', link.account_id)
        .where('status', 'in', ['active', 'pending_review', 'resubmission_requested', 'locked'])
        .execute();
      if (disputed) {
        await sql`
          insert into recovery_referrals (id, account_id, flow_id, reason, created_at)
          values (${randomUUID()}, ${link.account_id}, ${details.flowId ?? null}, 'recovery_disputed', ${now})
          on conflict (account_id) where resolved_at is null do nothing`.execute(trx);
      }
      await appendAudit(
        trx,
        {
          actorType: 'citizen',
          actorId: null,
          action: 'account.locked_by_link',
          subjectType: 'account',
          subjectId: link.account_id,
          ip: request.ip,
          requestId: request.id,
          details: {
            reason: disputed ? 'recovery_disputed' : 'citizen',
            ...(revoked ? { revokedDevices: revoked.devices.length, endedSessions: revoked.sessions } : {}),
          },
        },
        now,
      );
      return link.account_id;
    });
    if (!locked) return html(reply, 404, lockLinkInvalidPage(lang));
    await publishAccountStatus(deps, locked);
    return html(reply, 200, accountLockedPage(lang));
  });
}
