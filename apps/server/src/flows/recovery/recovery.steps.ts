/**
 * The steps of a recovery on a new phone (user guide §2): phone number and its code, a new PIN,
 * optionally Face ID, and the face check that decides.
 *
 * Enumeration safety: submitting a number answers the same whether or not it belongs to an
 * account that can be recovered. Only a recoverable account's number receives a code; for any
 * other number the challenge is stored and limited exactly the same, but nothing is sent, so no
 * code can verify. Only after the code is verified does the flow learn (and act on) the account.
 */
import { randomUUID } from 'node:crypto';
import { normalizePhone } from '@camdigikey/core/identity/phone';
import { checkPin } from '@camdigikey/core/identity/pin-policy';
import type { Database } from '@camdigikey/db';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { sql, type Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { AppError, fieldIssue } from '../../errors';
import { unpackRecording } from '../../uploads/blobs';
import type { RequestContext } from '../flow-store';
import { newFaceIdOptions, verifyFaceId } from '../registration/credentials.steps';
import {
  checkLivenessUpload,
  type LivenessUpload,
  newLivenessChallenge,
} from '../registration/liveness.steps';
import { checkRecoveryFace } from './face-check';
import { type RecoveryData, type RecoveryFlow, recoveryStore } from './recovery-flow';
import { restoreAccount } from './restore';

const { load, save } = recoveryStore;

type Referral = NonNullable<RecoveryData['referralReason']>;

/** The account a number belongs to and whether the app may recover it. */
async function accountForPhone(deps: Deps, e164: string) {
  const account = await deps.db
    .selectFrom('accounts')
    .select(['id', 'status', 'locked_reason', 'birth_date'])
    .where('phone_e164', '=', e164)
    .where('status', 'in', ['active', 'pending_review', 'resubmission_requested', 'locked'])
    .executeTakeFirst();
  if (!account) return undefined;
  const reason = account.locked_reason ?? 'citizen';
  if (account.status === 'locked' && reason === 'recovery_disputed')
    return { ...account, recoverable: false, disputed: true };
  if (account.status === 'locked' && reason !== 'citizen') return undefined;
  return { ...account, recoverable: true, disputed: false };
}

/** Failed face checks counted against today's cap (since an officer last allowed a retry). */
export async function failuresToday(deps: Deps, accountId: string, now: Date): Promise<number> {
  const since = new Date(now.getTime() - 24 * 3_600_000);
  const retry = await deps.db
    .selectFrom('recovery_referrals')
    .select(sql<Date | null>`max(resolved_at)`.as('at'))
    .where('account_id', '=', accountId)
    .where('decision', '=', 'retry_allowed')
    .executeTakeFirst();
  const from = retry?.at && new Date(retry.at).getTime() > since.getTime() ? new Date(retry.at) : since;
  const row = await deps.db
    .selectFrom('recovery_attempts')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('account_id', '=', accountId)
    .where('outcome', '!=', 'passed')
    .where('created_at', '>', from)
    .executeTakeFirstOrThrow();
  return row.n;
}

async function openReferral(deps: Deps, accountId: string) {
  return deps.db
    .selectFrom('recovery_referrals')
    .select(['id', 'reason'])
    .where('account_id', '=', accountId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
}

/** Refer the account to an officer (one open referral per account: a second one is not added). */
async function refer(
  trx: Transaction<Database>,
  accountId: string,
  flowId: string,
  reason: Referral,
  now: Date,
): Promise<void> {
  await sql`
    insert into recovery_referrals (id, account_id, flow_id, reason, created_at)
    values (${randomUUID()}, ${accountId}, ${flowId}, ${reason}, ${now})
    on conflict (account_id) where resolved_at is null do nothing`.execute(trx);
}

export async function submitPhone(deps: Deps, flowId: string, phone: string, ctx: RequestContext) {
  const flow = await load(deps, flowId, ctx.deviceThumbprint, 'submit_phone');
  const parsed = normalizePhone(phone);
  if (!parsed.ok) throw new AppError(parsed.code, { fields: [fieldIssue('phone', parsed.code)] });
  const { e164, national } = parsed.value;
  const account = await accountForPhone(deps, e164);
  await deps.otp.send({
    flowId,
    channel: 'sms',
    target: e164,
    language: flow.language,
    ip: ctx.ip,
    inUse: false,
    resend: false,
    purpose: 'recovery',
    silent: !account,
  });
  return save(deps, flow, {
    action: 'submit_phone',
    state: 'awaiting_phone_code',
    data: { ...flow.data, phone: { e164, national, verified: false } },
    ctx,
    audit: { country: parsed.value.country },
  });
}

export async function resendPhoneCode(deps: Deps, flowId: string, ctx: RequestContext) {
  const flow = await load(deps, flowId, ctx.deviceThumbprint, 'resend_phone_code');
  const target = flow.data.phone?.e164;
  if (!target) throw new AppError('otp_not_sent');
  await deps.otp.send({
    flowId,
    channel: 'sms',
    target,
    language: flow.language,
    ip: ctx.ip,
    inUse: false,
    resend: true,
    purpose: 'recovery',
    silent: !(await accountForPhone(deps, target)),
  });
  return save(deps, flow, { action: 'resend_phone_code', state: flow.state, data: flow.data, ctx });
}

export async function verifyPhoneCode(deps: Deps, flowId: string, code: string, ctx: RequestContext) {
  const flow = await load(deps, flowId, ctx.deviceThumbprint, 'verify_phone_code');
  const target = flow.data.phone?.e164;
  if (!target) throw new AppError('otp_not_sent');
  await deps.otp.verify({ flowId, channel: 'sms', target, code, ip: ctx.ip });
  const account = await accountForPhone(deps, target);
  // A code can only verify when one was delivered, i.e. for an account; a number whose account
  // changed since is answered like a wrong code, never with a different message.
  if (!account) throw new AppError('otp_invalid', { details: { attemptsLeft: 0 } });
  const data: RecoveryData = { ...flow.data, phone: { ...flow.data.phone!, verified: true } };
  const now = deps.clock.now();
  const open = await openReferral(deps, account.id);
  let reason: Referral | undefined = open?.reason;
  if (!reason && account.disputed) reason = 'recovery_disputed';
  if (!reason && (await failuresToday(deps, account.id, now)) >= deps.config.recovery.maxFailuresPerDay)
    reason = 'too_many_failures';
  if (reason) {
    const referral = reason;
    return save(deps, flow, {
      action: 'verify_phone_code',
      state: 'referred',
      data: { ...data, referralReason: referral },
      accountId: account.id,
      ctx,
      audit: { referred: referral },
      also: (trx, at) => refer(trx, account.id, flow.id, referral, at),
    });
  }
  return save(deps, flow, {
    action: 'verify_phone_code',
    state: 'awaiting_pin',
    data: {
      ...data,
      triesLeft: deps.config.recovery.maxFailuresPerDay - (await failuresToday(deps, account.id, now)),
    },
    accountId: account.id,
    ctx,
  });
}

async function accountOf(deps: Deps, flow: RecoveryFlow) {
  if (!flow.accountId) throw new AppError('flow_step_out_of_order');
  return deps.db
    .selectFrom('accounts')
    .select(['id', 'birth_date', 'phone_e164', 'email'])
    .where('id', '=', flow.accountId)
    .executeTakeFirstOrThrow();
}

export async function setPin(
  deps: Deps,
  flowId: string,
  body: { pin: string; pinConfirmation: string },
  ctx: RequestContext,
) {
  const flow = await load(deps, flowId, ctx.deviceThumbprint, 'set_pin');
  const account = await accountOf(deps, flow);
  const policy = checkPin(body.pin, { birthDate: account.birth_date });
  if (!policy.ok) throw new AppError(policy.code, { fields: [fieldIssue('pin', policy.code)] });
  if (body.pin !== body.pinConfirmation)
    throw new AppError('pin_mismatch', { fields: [fieldIssue('pinConfirmation', 'pin_mismatch')] });
  const pinVerifier = await deps.pins.hash(body.pin);
  return save(deps, flow, {
    action: 'set_pin',
    state: 'awaiting_face_id',
    data: { ...flow.data, pinVerifier },
    ctx,
  });
}

export async function faceIdOptions(deps: Deps, flowId: string, ctx: RequestContext) {
  const flow = await load(deps, flowId, ctx.deviceThumbprint, 'face_id_options');
  const account = await accountOf(deps, flow);
  const { options, pending } = await newFaceIdOptions(deps, {
    name: account.phone_e164,
    displayName: account.email,
  });
  const saved = await save(deps, flow, {
    action: 'face_id_options',
    state: 'awaiting_face_id',
    data: { ...flow.data, faceId: pending },
    ctx,
  });
  return { flow: saved, options };
}

export async function registerFaceId(
  deps: Deps,
  flowId: string,
  credential: RegistrationResponseJSON,
  ctx: RequestContext,
) {
  const flow = await load(deps, flowId, ctx.deviceThumbprint, 'register_face_id');
  const { faceId, deviceType } = await verifyFaceId(deps, flow.data.faceId, credential);
  return save(deps, flow, {
    action: 'register_face_id',
    state: 'awaiting_liveness',
    data: { ...flow.data, faceId },
    ctx,
    audit: { deviceType },
  });
}

export async function skipFaceId(deps: Deps, flowId: string, ctx: RequestContext) {
  const flow = await load(deps, flowId, ctx.deviceThumbprint, 'skip_face_id');
  return save(deps, flow, {
    action: 'skip_face_id',
    state: 'awaiting_liveness',
    data: { ...flow.data, faceId: { status: 'skipped' } },
    ctx,
  });
}

export async function issueLivenessChallenge(deps: Deps, flowId: string, ctx: RequestContext) {
  const flow = await load(deps, flowId, ctx.deviceThumbprint, 'liveness_challenge');
  const challenge = newLivenessChallenge(deps, deps.clock.now());
  const saved = await save(deps, flow, {
    action: 'liveness_challenge',
    state: 'awaiting_liveness',
    data: { ...flow.data, liveness: { challenge } },
    ctx,
    audit: { challengeId: challenge.id, actions: challenge.actions },
  });
  return { flow: saved, challenge };
}

/**
 * The decision: judge the recording and match the face, record the attempt, and either give the
 * account back (restore.ts), ask for another try, or refer to an officer. The challenge is used
 * up by any judged attempt.
 */
export async function submitLiveness(deps: Deps, flowId: string, body: LivenessUpload, ctx: RequestContext) {
  const flow = await load(deps, flowId, ctx.deviceThumbprint, 'submit_liveness');
  const account = await accountOf(deps, flow);
  const upload = await checkLivenessUpload(deps, flow.data.liveness?.challenge, body, deps.clock.now());
  const { frames } = unpackRecording(upload.recording);
  const check = await checkRecoveryFace(deps, {
    accountId: account.id,
    challenge: upload.challenge,
    selfie: Buffer.from(upload.selfie.bytes),
    frames: frames.map((f) => ({ t: f.t, image: Buffer.from(f.bytes) })),
  });
  const { liveness: _used, ...rest } = flow.data;
  const attempt = async (
    trx: Transaction<Database>,
    now: Date,
    outcome: 'passed' | 'liveness_failed' | 'face_mismatch',
  ): Promise<void> => {
    await trx
      .insertInto('recovery_attempts')
      .values({
        id: randomUUID(),
        account_id: account.id,
        flow_id: flow.id,
        outcome,
        details: JSON.stringify(check.details),
        created_at: now,
      })
      .execute();
  };

  if (check.outcome === 'passed') {
    if (!flow.data.pinVerifier) throw new AppError('flow_step_out_of_order');
    let restored: Awaited<ReturnType<typeof restoreAccount>> | undefined;
    const saved = await save(deps, flow, {
      action: 'submit_liveness',
      state: 'recovered',
      data: { ...rest, lastOutcome: undefined, lastFailedAction: undefined },
      ctx,
      audit: { outcome: 'passed' },
      also: async (trx, now) => {
        await attempt(trx, now, 'passed');
        restored = await restoreAccount(trx, deps, { flow, pinVerifier: flow.data.pinVerifier!, ctx }, now);
      },
    });
    await restored!.announce();
    return saved;
  }
  if (check.outcome === 'no_enrolled_face') {
    return save(deps, flow, {
      action: 'submit_liveness',
      state: 'referred',
      data: { ...rest, referralReason: 'no_enrolled_face' },
      ctx,
      audit: { outcome: 'no_enrolled_face' },
      also: (trx, now) => refer(trx, account.id, flow.id, 'no_enrolled_face', now),
    });
  }
  const outcome = check.outcome;
  const failures = (await failuresToday(deps, account.id, deps.clock.now())) + 1;
  const triesLeft = Math.max(0, deps.config.recovery.maxFailuresPerDay - failures);
  const failedAction = (check.details.failedAction as string | null | undefined) ?? null;
  if (triesLeft === 0) {
    return save(deps, flow, {
      action: 'submit_liveness',
      state: 'referred',
      data: {
        ...rest,
        triesLeft,
        lastOutcome: outcome,
        lastFailedAction: failedAction,
        referralReason: 'too_many_failures',
      },
      ctx,
      audit: { outcome, triesLeft },
      also: async (trx, now) => {
        await attempt(trx, now, outcome);
        await refer(trx, account.id, flow.id, 'too_many_failures', now);
      },
    });
  }
  return save(deps, flow, {
    action: 'submit_liveness',
    state: 'awaiting_liveness',
    data: { ...rest, triesLeft, lastOutcome: outcome, lastFailedAction: failedAction },
    ctx,
    audit: { outcome, triesLeft },
    also: (trx, now) => attempt(trx, now, outcome),
  });
}
