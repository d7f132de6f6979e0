/**
 * Step 1/4, contacts: phone number and e-mail address, each proven with a one-time code
 * (user guide 1.4). Answers never reveal whether an address already has an account: the OTP
 * service sends the owner a notice instead of a code and answers exactly the same.
 */
import { normalizePhone } from '@camdigikey/core/identity/phone';
import { LIVE_ACCOUNT_STATUSES } from '@camdigikey/db';
import { accountByContact } from '../../accounts/personal-data';
import type { Deps } from '../../deps';
import { AppError, fieldIssue } from '../../errors';
import type { OtpChannel } from '../../otp/otp-service';
import { loadFlow, type RegistrationFlow, type RequestContext, saveFlow } from './flow-store';

/** A deliberately plain check: one @, a dot in the domain, no spaces; the OTP proves the rest. */
const EMAIL =
  /^[^\s@<>()[\],;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function normalizeEmail(input: string): string {
  const trimmed = input.trim().normalize('NFC');
  const at = trimmed.lastIndexOf('@');
  const email = at > 0 ? `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}` : trimmed;
  if (email.length > 254 || !EMAIL.test(email))
    throw new AppError('email_invalid', { fields: [fieldIssue('email', 'email_invalid')] });
  return email;
}

async function addressInUse(deps: Deps, channel: OtpChannel, target: string): Promise<boolean> {
  const owner = await accountByContact(deps.db, deps, channel === 'sms' ? 'phone' : 'email', target)
    .select('id')
    .where('status', 'in', [...LIVE_ACCOUNT_STATUSES])
    .executeTakeFirst();
  return Boolean(owner);
}

export async function submitPhone(
  deps: Deps,
  flowId: string,
  phone: string,
  ctx: RequestContext,
): Promise<RegistrationFlow> {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'submit_phone');
  const parsed = normalizePhone(phone);
  if (!parsed.ok) throw new AppError(parsed.code, { fields: [fieldIssue('phone', parsed.code)] });
  const { e164, national } = parsed.value;
  await deps.otp.send({
    flowId,
    channel: 'sms',
    target: e164,
    language: flow.language,
    ip: ctx.ip,
    inUse: await addressInUse(deps, 'sms', e164),
    resend: false,
  });
  return saveFlow(deps, flow, {
    action: 'submit_phone',
    state: 'awaiting_phone_code',
    data: { ...flow.data, phone: { e164, national, verified: false } },
    ctx,
    audit: { country: parsed.value.country },
  });
}

export async function resendCode(
  deps: Deps,
  flowId: string,
  channel: OtpChannel,
  ctx: RequestContext,
): Promise<RegistrationFlow> {
  const action = channel === 'sms' ? 'resend_phone_code' : 'resend_email_code';
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, action);
  const target = channel === 'sms' ? flow.data.phone?.e164 : flow.data.email?.address;
  if (!target) throw new AppError('otp_not_sent');
  await deps.otp.send({
    flowId,
    channel,
    target,
    language: flow.language,
    ip: ctx.ip,
    inUse: await addressInUse(deps, channel, target),
    resend: true,
  });
  return saveFlow(deps, flow, { action, state: flow.state, data: flow.data, ctx });
}

export async function verifyCode(
  deps: Deps,
  flowId: string,
  channel: OtpChannel,
  code: string,
  ctx: RequestContext,
): Promise<RegistrationFlow> {
  const action = channel === 'sms' ? 'verify_phone_code' : 'verify_email_code';
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, action);
  const target = channel === 'sms' ? flow.data.phone?.e164 : flow.data.email?.address;
  if (!target) throw new AppError('otp_not_sent');
  await deps.otp.verify({ flowId, channel, target, code, ip: ctx.ip });
  const data =
    channel === 'sms'
      ? { ...flow.data, phone: { ...flow.data.phone!, verified: true } }
      : { ...flow.data, email: { ...flow.data.email!, verified: true } };
  return saveFlow(deps, flow, {
    action,
    state: channel === 'sms' ? 'awaiting_email' : 'awaiting_pin',
    data,
    ctx,
  });
}

export async function submitEmail(
  deps: Deps,
  flowId: string,
  email: string,
  ctx: RequestContext,
): Promise<RegistrationFlow> {
  const flow = await loadFlow(deps, flowId, ctx.deviceThumbprint, 'submit_email');
  const address = normalizeEmail(email);
  await deps.otp.send({
    flowId,
    channel: 'email',
    target: address,
    language: flow.language,
    ip: ctx.ip,
    inUse: await addressInUse(deps, 'email', address),
    resend: false,
  });
  return saveFlow(deps, flow, {
    action: 'submit_email',
    state: 'awaiting_email_code',
    data: { ...flow.data, email: { address, verified: false } },
    ctx,
    audit: { domain: address.split('@')[1] },
  });
}
