/**
 * Changing the phone number or the e-mail address from the app (the "Me" section): the PIN first
 * (a wrong one counts toward the lock), then a one-time code to the NEW address, then the change,
 * and a notice to the OLD address with a "this wasn't me" link. Not during the cooling-off after a
 * recovery. Each change is a small stored flow (kind `contact_change`) so the OTP rules, limits and
 * audit are exactly the registration's.
 *
 * Enumeration safety: when the new address already belongs to another account, the answer is the
 * same but no code is sent (so none can verify); the owner of that address is not disturbed.
 */
import { maskPhone, normalizePhone } from '@camdigikey/core/identity/phone';
import { LIVE_ACCOUNT_STATUSES } from '@camdigikey/db';
import { format } from '@camdigikey/messages';
import type { Deps } from '../deps';
import { AppError, fieldIssue } from '../errors';
import { flowStore, type RequestContext, type StoredFlow } from '../flows/flow-store';
import { normalizeEmail } from '../flows/registration/contacts.steps';
import { checkAccountPin } from '../login/pin-check';
import { notifyAccount } from '../push/push';
import { issueLockLink } from './action-tokens';
import { assertNotCoolingOff } from './cooling-off';
import { accountByContact, personalOf, updatePersonal } from './personal-data';

type ContactState = 'awaiting_code' | 'changed';
type ContactAction = 'resend_code' | 'verify_code';
export interface ContactChangeData {
  channel: 'sms' | 'email';
  target: string;
  accountId: string;
}
export type ContactChange = StoredFlow<ContactState, ContactChangeData>;

const store = flowStore<ContactState, ContactAction, ContactChangeData>({
  kind: 'contact_change',
  initial: 'awaiting_code',
  transitions: {
    resend_code: { from: ['awaiting_code'], to: ['awaiting_code'] },
    verify_code: { from: ['awaiting_code'], to: ['changed'] },
  },
  finalStates: ['changed'],
});

export interface DeviceContext extends RequestContext {
  deviceId: string;
  accountId: string;
}

async function addressTaken(deps: Deps, channel: 'sms' | 'email', target: string, accountId: string) {
  const taken = await accountByContact(deps.db, deps, channel === 'sms' ? 'phone' : 'email', target)
    .select('id')
    .where('status', 'in', [...LIVE_ACCOUNT_STATUSES])
    .where('id', '!=', accountId)
    .executeTakeFirst();
  return Boolean(taken);
}

function normalize(channel: 'sms' | 'email', value: string): string {
  if (channel === 'email') return normalizeEmail(value);
  const parsed = normalizePhone(value);
  if (!parsed.ok) throw new AppError(parsed.code, { fields: [fieldIssue('value', parsed.code)] });
  return parsed.value.e164;
}

const view = (change: ContactChange, sent: { resendAt: Date; expiresAt: Date } | undefined) => ({
  id: change.id,
  channel: change.data.channel,
  state: change.state,
  target: change.data.channel === 'sms' ? maskPhone(change.data.target) : change.data.target,
  ...(sent ? { resendAt: sent.resendAt.toISOString(), codeExpiresAt: sent.expiresAt.toISOString() } : {}),
});

export async function startContactChange(
  deps: Deps,
  input: { channel: 'sms' | 'email'; value: string; pin: string },
  ctx: DeviceContext,
) {
  await assertNotCoolingOff(deps, ctx.accountId);
  await checkAccountPin(deps, ctx.accountId, input.pin, { ...ctx, purpose: `change_${input.channel}` });
  const target = normalize(input.channel, input.value);
  const account = await deps.db
    .selectFrom('accounts')
    .select('language')
    .where('id', '=', ctx.accountId)
    .executeTakeFirstOrThrow();
  const personal = (await personalOf(deps.db, deps.envelope, ctx.accountId))!;
  const current = input.channel === 'sms' ? personal.phoneE164 : personal.email.toLowerCase();
  if (current === (input.channel === 'sms' ? target : target.toLowerCase()))
    throw new AppError('validation_failed', { fields: [fieldIssue('value', 'validation_failed')] });
  const created = await store.create(deps, {
    language: account.language,
    thumbprint: ctx.deviceThumbprint,
    jwk: {},
    ctx,
  });
  const change = await store.save(deps, created, {
    action: { name: 'requested' },
    state: 'awaiting_code',
    data: { channel: input.channel, target, accountId: ctx.accountId },
    accountId: ctx.accountId,
    ctx,
    audit: { channel: input.channel },
  });
  const sent = await deps.otp.send({
    flowId: change.id,
    channel: input.channel,
    target,
    language: account.language,
    ip: ctx.ip,
    inUse: false,
    resend: false,
    purpose: 'contact_change',
    silent: await addressTaken(deps, input.channel, target, ctx.accountId),
  });
  return view(change, sent);
}

async function loadChange(deps: Deps, id: string, ctx: DeviceContext, action: ContactAction) {
  const change = await store.load(deps, id, ctx.deviceThumbprint, action);
  if (change.data.accountId !== ctx.accountId) throw new AppError('flow_not_found');
  return change;
}

export async function resendContactCode(deps: Deps, id: string, ctx: DeviceContext) {
  const change = await loadChange(deps, id, ctx, 'resend_code');
  const { channel, target } = change.data;
  const sent = await deps.otp.send({
    flowId: change.id,
    channel,
    target,
    language: change.language,
    ip: ctx.ip,
    inUse: false,
    resend: true,
    purpose: 'contact_change',
    silent: await addressTaken(deps, channel, target, ctx.accountId),
  });
  return view(
    await store.save(deps, change, { action: 'resend_code', state: 'awaiting_code', data: change.data, ctx }),
    sent,
  );
}

export async function verifyContactChange(deps: Deps, id: string, code: string, ctx: DeviceContext) {
  const change = await loadChange(deps, id, ctx, 'verify_code');
  const { channel, target } = change.data;
  await assertNotCoolingOff(deps, ctx.accountId);
  await deps.otp.verify({ flowId: change.id, channel, target, code, ip: ctx.ip });
  if (await addressTaken(deps, channel, target, ctx.accountId))
    throw new AppError('otp_invalid', { details: { attemptsLeft: 0 } });
  const language = await deps.db
    .selectFrom('accounts')
    .select('language')
    .where('id', '=', ctx.accountId)
    .executeTakeFirstOrThrow();
  const before = { ...(await personalOf(deps.db, deps.envelope, ctx.accountId))!, ...language };
  let link = '';
  const saved = await store.save(deps, change, {
    action: 'verify_code',
    state: 'changed',
    // The new address is the account's now (sealed there): the finished flow keeps none of it.
    data: { ...change.data, target: '' },
    ctx,
    audit: { channel },
    also: async (trx, now) => {
      await updatePersonal(
        trx,
        deps,
        ctx.accountId,
        channel === 'sms' ? { phoneE164: target } : { email: target },
        now,
      );
      link = await issueLockLink(trx, deps, ctx.accountId, { reason: `${channel}_changed` }, now, 72);
    },
  });
  // The old address hears of it at once (it may be the only channel the real owner still has).
  const lang = before.language;
  const shown = channel === 'sms' ? maskPhone(target) : target;
  const notices =
    channel === 'sms'
      ? [deps.notifier.sms(before.phoneE164, format('notify.contact_changed.sms', lang, { link }))]
      : [
          deps.notifier.email(
            before.email,
            lang,
            format('notify.contact_changed.email.subject', lang),
            format('notify.contact_changed.email.body', lang, { address: shown, link }),
          ),
        ];
  const settled = await Promise.allSettled(notices);
  for (const s of settled)
    if (s.status === 'rejected') deps.logger.warn({ err: s.reason }, 'contact change notice not sent');
  notifyAccount(deps, ctx.accountId, {
    type: 'security_notice',
    event: `${channel === 'sms' ? 'phone' : 'email'}_changed`,
  });
  return view({ ...saved, data: change.data }, undefined);
}
