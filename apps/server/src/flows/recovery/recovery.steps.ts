/**
 * The steps of a recovery on a new phone (user guide §2): phone number and its code, a new PIN,
 * optionally Face ID, and the face check that decides.
 *
 * Enumeration safety: submitting a number answers the same whether or not it belongs to an
 * account that can be recovered. Only a recoverable account's number receives a code; any other
 * number gets an SMS saying that no CamDigiKey account uses it (so the app can say plainly that
 * an SMS was sent), and its challenge is stored and limited exactly the same, so no code can
 * verify. Only after the code is verified does the flow learn (and act on) the account.
 */
import { randomUUID } from 'node:crypto';
import { normalizePhone } from '@camdigikey/core/identity/phone';
import { checkPin } from '@camdigikey/core/identity/pin-policy';
import type { Database } from '@camdigikey/db';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { type Kysely, sql, type Transaction } from 'kysely';
import { accountByContact, personalOf } from '../../accounts/personal-data';
import type { Deps } from '../../deps';
import { AppError, fieldIssue } from '../../errors';
import { takeChallengeSlot } from '../../proofing/liveness-challenge';
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
  const account = await accountByContact(deps.db, deps, 'phone', e164)
    .select(['id', 'status', 'locked_reason'])
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
export async function failuresToday(
  deps: Deps,
  accountId: string,
  now: Date,
  db: Kysely<Database> = deps.db,
): Promise<number> {
  const since = new Date(now.getTime() - 24 * 3_600_000);
  const retry = await db
    .selectFrom('recovery_referrals')
    .select(sql<Date | null>`max(resolved_at)`.as('at'))
    .where('account_id', '=', accountId)
    .where('decision', '=', 'retry_allowed')
    .executeTakeFirst();
  const from = retry?.at && new Date(retry.at).getTime() > since.getTime() ? new Date(retry.at) : since;
  const row = await db
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
    noAccount: !account,
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
    noAccount: !(await accountForPhone(deps, target)),
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
  const personal = await personalOf(deps.db, deps.envelope, flow.accountId);
  if (!personal) throw new AppError('flow_step_out_of_order');
  return { id: flow.accountId, ...personal };
}

export async function setPin(
  deps: Deps,
  flowId: string,
  body: { pin: string; pinConfirmation: string },
  ctx: RequestContext,
) {
  const flow = await load(deps, flowId, ctx.deviceThumbprint, 'set_pin');
  const account = await accountOf(deps, flow);
  const policy = checkPin(body.pin, { birthDate: account.birthDate });
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
    name: account.phoneE164,
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
  const now = deps.clock.now();
  await takeChallengeSlot(deps, `flow:${flow.id}`, now);
  const challenge = newLivenessChallenge(deps, now);
  const saved = await save(deps, flow, {
    action: 'liveness_challenge',
    state: 'awaiting_liveness',
    data: { ...flow.data, liveness: { challenge } },
    ctx,
    audit: { challengeId: challenge.id, actions: challenge.actions, steps: challenge.steps },
  });
  return { flow: saved, challenge };
}

/** Marks a recovery_attempts row that holds a slot and has not been judged yet. */
const RESERVED = { reserved: true };

/**
 * Reserve one face check of today's cap before anything is judged (issue 19, defect 1): the
 * reservation is an attempt row counted as a failure until the judgement settles it, taken under
 * a row lock on the account (SELECT … FOR UPDATE in one transaction). On PostgreSQL parallel
 * submissions, from one flow or from several flows of the same account, queue on that lock and
 * each counts the rows the previous one committed, so at most RECOVERY_MAX_FAILURES_PER_DAY face
 * checks are ever run. A reservation left behind by a crash stays counted (fail closed).
 */
async function reserveFaceCheck(deps: Deps, accountId: string, flowId: string, now: Date) {
  return deps.db.transaction().execute(async (trx) => {
    await trx.selectFrom('accounts').select('id').where('id', '=', accountId).forUpdate().executeTakeFirst();
    if ((await failuresToday(deps, accountId, now, trx)) >= deps.config.recovery.maxFailuresPerDay)
      return undefined;
    const id = randomUUID();
    await trx
      .insertInto('recovery_attempts')
      .values({
        id,
        account_id: accountId,
        flow_id: flowId,
        outcome: 'liveness_failed',
        details: JSON.stringify(RESERVED),
        created_at: now,
      })
      .execute();
    return id;
  });
}

/** Give a slot back: the upload was refused before any judgement (nothing was learnt). */
const releaseFaceCheck = (deps: Deps, id: string) =>
  deps.db.deleteFrom('recovery_attempts').where('id', '=', id).execute();

/**
 * The decision: judge the recording and match the face (face-check.ts), record the attempt, and
 * either give the account back (restore.ts), ask for another try, or refer to an officer (too
 * many failures, or a face check that was not confident: `face_check_review`). The challenge is used
 * up by any judged attempt.
 */
export async function submitLiveness(deps: Deps, flowId: string, body: LivenessUpload, ctx: RequestContext) {
  const flow = await load(deps, flowId, ctx.deviceThumbprint, 'submit_liveness');
  const account = await accountOf(deps, flow);
  const challenge = flow.data.liveness?.challenge;
  if (!challenge || challenge.id !== body.challengeId) {
    // Refused before a slot is taken (same answer as checkLivenessUpload's).
    await checkLivenessUpload(deps, challenge, body, deps.clock.now());
  }
  const slot = await reserveFaceCheck(deps, account.id, flow.id, deps.clock.now());
  if (!slot) {
    // Today's tries are used up (by this flow or by parallel ones): refer, judge nothing.
    const { liveness: _gone, ...kept } = flow.data;
    return save(deps, flow, {
      action: 'submit_liveness',
      state: 'referred',
      data: { ...kept, triesLeft: 0, referralReason: 'too_many_failures' },
      ctx,
      audit: { outcome: 'not_judged', triesLeft: 0 },
      also: (trx, now) => refer(trx, account.id, flow.id, 'too_many_failures', now),
    });
  }
  let check: Awaited<ReturnType<typeof checkRecoveryFace>>;
  try {
    const upload = await checkLivenessUpload(deps, challenge, body, deps.clock.now());
    const { frames } = unpackRecording(upload.recording);
    check = await checkRecoveryFace(deps, {
      accountId: account.id,
      challenge: upload.challenge,
      selfie: Buffer.from(upload.selfie.bytes),
      frames: frames.map((f) => ({ t: f.t, image: Buffer.from(f.bytes) })),
    });
  } catch (error) {
    await releaseFaceCheck(deps, slot);
    throw error;
  }
  const { liveness: _used, ...rest } = flow.data;
  const attempt = async (
    trx: Transaction<Database>,
    _now: Date,
    outcome: 'passed' | 'liveness_failed' | 'face_mismatch' | 'referred',
  ): Promise<void> => {
    // Settle the reservation with the judgement (its created_at stays the reservation's).
    await trx
      .updateTable('recovery_attempts')
      .set({ outcome, details: JSON.stringify(check.details) })
      .where('id', '=', slot)
      .execute();
  };

  if (check.outcome === 'passed') {
    if (!flow.data.pinVerifier) throw new AppError('flow_step_out_of_order');
    let restored: Awaited<ReturnType<typeof restoreAccount>> | undefined;
    // The account is the citizen's again: the finished flow keeps neither the phone number
    // (sealed in the account) nor the PIN verifier (the account's now).
    const { phone: _phone, pinVerifier: _pin, ...kept } = rest;
    const saved = await save(deps, flow, {
      action: 'submit_liveness',
      state: 'recovered',
      data: { ...kept, lastOutcome: undefined, lastFailedAction: undefined },
      ctx,
      audit: { outcome: 'passed' },
      also: async (trx, now) => {
        await attempt(trx, now, 'passed');
        restored = await restoreAccount(trx, deps, { flow, pinVerifier: flow.data.pinVerifier!, ctx }, now);
      },
    });
    await restored!.announce();
    return { ...saved, data: { ...saved.data, phone: flow.data.phone, pinVerifier: flow.data.pinVerifier } };
  }
  if (check.outcome === 'no_enrolled_face') {
    return save(deps, flow, {
      action: 'submit_liveness',
      state: 'referred',
      data: { ...rest, referralReason: 'no_enrolled_face' },
      ctx,
      audit: { outcome: 'no_enrolled_face' },
      also: async (trx, now) => {
        // Nothing was judged: the slot is given back.
        await trx.deleteFrom('recovery_attempts').where('id', '=', slot).execute();
        await refer(trx, account.id, flow.id, 'no_enrolled_face', now);
      },
    });
  }
  if (check.outcome === 'referred') {
    // Not confident enough (or suspicious) to give the account back on a face alone: an officer
    // decides with the evidence kept in the attempt (recovery_attempts.details).
    return save(deps, flow, {
      action: 'submit_liveness',
      state: 'referred',
      data: { ...rest, referralReason: 'face_check_review' },
      ctx,
      audit: { outcome: 'referred', referrals: check.details.referrals },
      also: async (trx, now) => {
        await attempt(trx, now, 'referred');
        await refer(trx, account.id, flow.id, 'face_check_review', now);
      },
    });
  }
  const outcome = check.outcome;
  // This attempt's reservation is already counted among today's failures.
  const failures = await failuresToday(deps, account.id, deps.clock.now());
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
