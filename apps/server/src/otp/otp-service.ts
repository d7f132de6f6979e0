/**
 * One-time codes sent by SMS or e-mail to prove control of an address (security-rules.md, OTP).
 *
 * Rules, each pinned by a test:
 *  - 6 digits from the CSPRNG (crypto.randomInt), valid OTP_TTL_SECONDS (5 min);
 *  - stored only as HMAC(OTP_KEY, challenge id, code); compared in constant time;
 *  - consumed once, atomically (UPDATE … WHERE consumed_at IS NULL RETURNING);
 *  - OTP_MAX_FAILURES (5) wrong tries per address within OTP_LOCK_SECONDS, counted across
 *    resends and across flows (a resend never resets the count), then the address is locked;
 *  - a resend at the earliest OTP_RESEND_SECONDS (60 s) after the previous code, at most
 *    OTP_MAX_SENDS_PER_HOUR (5) codes per address per hour, and per-IP limits on sends and tries;
 *  - enumeration safety: when the address already belongs to an account, the answer and every
 *    limit are exactly the same, but the owner receives a notice instead of a code;
 *  - the address itself is never stored here: `otp_challenges` and `otp_sends` hold its keyed
 *    blind index only (migration 0024, otp-targets.ts); every limit matches on that index, and
 *    the clear address to deliver to is the caller's (from the flow's data or the request).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Database } from '@camdigikey/db';
import type { Language } from '@camdigikey/messages';
import { type Kysely, sql, type Transaction } from 'kysely';
import { type BlindIndex, constantTimeEqual, hmacHex } from '../crypto/keyed-hash';
import { AppError } from '../errors';
import type { HotState } from '../infra/hot-state';
import type { Clock } from '../ports/clock';
import { otpTargetIndex } from './otp-targets';

export type OtpChannel = 'sms' | 'email';
/** What the code is for: its text says so (a recovery code warns against sharing it). */
export type OtpPurpose = 'registration' | 'recovery' | 'contact_change';

export interface OtpSettings {
  ttlSeconds: number;
  maxFailures: number;
  lockSeconds: number;
  resendSeconds: number;
  maxSendsPerHour: number;
  maxSendsPerIpPerHour: number;
  maxVerifyPerIpPerHour: number;
}

/**
 * What to deliver: the code to the address, a notice that the address is already in use (a new
 * registration), or a notice that no account uses the number (a recovery): every address that is
 * asked for gets a message, so the app can say plainly "we sent an SMS to …" (issue 16, item 4)
 * without telling whether an account exists.
 */
export type OtpDelivery =
  | { kind: 'code'; channel: OtpChannel; to: string; code: string; language: Language; purpose: OtpPurpose }
  | { kind: 'address_in_use' | 'no_account'; channel: OtpChannel; to: string; language: Language };

export interface OtpDeps {
  db: Kysely<Database>;
  hot: HotState;
  clock: Clock;
  key: Uint8Array;
  /** Keys the stored form of an address (BLIND_INDEX_KEY, the accounts' phone/e-mail indexes). */
  blindIndex: BlindIndex;
  settings: OtpSettings;
  /**
   * Queue the message in the send's transaction (it commits with the challenge: a crash between
   * them loses nothing); `delivered` runs after the commit (wakes the sending workers). The
   * request never waits on an SMS gateway or SMTP server, and cannot tell whether one answered.
   */
  deliver(delivery: OtpDelivery, trx: Transaction<Database>): Promise<void>;
  delivered?(): Promise<void>;
}

const HOUR = 3600;
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export class OtpService {
  constructor(private readonly deps: OtpDeps) {}

  private hash(challengeId: string, code: string): string {
    return hmacHex(this.deps.key, 'otp', challengeId, code);
  }

  /** What the tables hold and match on instead of the address. */
  private targetIndex(channel: OtpChannel, target: string): string {
    return otpTargetIndex(this.deps.blindIndex, channel, target);
  }

  /**
   * Send (or resend) a code to `target` for a flow. `inUse` = the address has an account (the
   * owner gets a notice instead of a code); `noAccount` = store and count the challenge exactly the
   * same but send a notice that no account uses the number instead of a code (a recovery for a
   * number without a recoverable account); `silent` = deliver nothing at all.
   */
  async send(input: {
    flowId: string;
    channel: OtpChannel;
    target: string;
    language: Language;
    ip: string;
    inUse: boolean;
    resend: boolean;
    purpose?: OtpPurpose;
    noAccount?: boolean;
    silent?: boolean;
  }): Promise<{ expiresAt: Date; resendAt: Date }> {
    const { db, clock, settings } = this.deps;
    const now = clock.now();
    const target = this.targetIndex(input.channel, input.target);

    await this.limitIp(`otp-send-ip:${input.ip}`, settings.maxSendsPerIpPerHour, now);
    await this.assertNotLocked(input.channel, target, now);

    const existing = await this.challenge(input.flowId, input.channel, target);
    if (input.resend && !existing) throw new AppError('otp_not_sent');
    if (existing) {
      const wait = existing.last_sent_at.getTime() + settings.resendSeconds * 1000 - now.getTime();
      if (wait > 0)
        throw new AppError('otp_resend_too_soon', { details: { retryAfterSeconds: seconds(wait) } });
    }

    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const challengeId = existing?.id ?? randomUUID();
    const expiresAt = new Date(now.getTime() + settings.ttlSeconds * 1000);

    await db.transaction().execute(async (trx) => {
      // Serialise sends to one address so the hourly cap holds under concurrency.
      await sql`select pg_advisory_xact_lock(hashtext(${`otp:${input.channel}:${target}`}))`.execute(trx);
      const since = new Date(now.getTime() - HOUR * 1000);
      const sent = await trx
        .selectFrom('otp_sends')
        .select([sql<number>`count(*)::int`.as('n'), sql<Date | null>`min(sent_at)`.as('oldest')])
        .where('channel', '=', input.channel)
        .where('target_bidx', '=', target)
        .where('sent_at', '>', since)
        .executeTakeFirstOrThrow();
      if (sent.n >= settings.maxSendsPerHour) {
        const oldest = sent.oldest ? new Date(sent.oldest).getTime() : now.getTime();
        const retry = oldest + HOUR * 1000 - now.getTime();
        throw new AppError('otp_send_limit', {
          details: { retryAfterMinutes: Math.ceil(retry / 60_000), retryAfterSeconds: seconds(retry) },
        });
      }
      await trx
        .insertInto('otp_sends')
        .values({ channel: input.channel, target_bidx: target, sent_at: now })
        .execute();
      const codeHash = this.hash(challengeId, code);
      if (existing) {
        await trx
          .updateTable('otp_challenges')
          .set({
            code_hash: codeHash,
            expires_at: expiresAt,
            last_sent_at: now,
            send_count: sql`send_count + 1`,
            consumed_at: null,
          })
          .where('id', '=', challengeId)
          .execute();
      } else {
        await trx
          .insertInto('otp_challenges')
          .values({
            id: challengeId,
            flow_id: input.flowId,
            channel: input.channel,
            target_bidx: target,
            code_hash: codeHash,
            expires_at: expiresAt,
            last_sent_at: now,
            created_at: now,
            locked_at: null,
            last_failed_at: null,
            consumed_at: null,
          })
          .execute();
      }
      if (!input.silent) {
        await this.deps.deliver(
          input.inUse || input.noAccount
            ? {
                kind: input.inUse ? 'address_in_use' : 'no_account',
                channel: input.channel,
                to: input.target,
                language: input.language,
              }
            : {
                kind: 'code',
                channel: input.channel,
                to: input.target,
                code,
                language: input.language,
                purpose: input.purpose ?? 'registration',
              },
          trx,
        );
      }
    });

    if (!input.silent) await this.deps.delivered?.();
    return { expiresAt, resendAt: new Date(now.getTime() + settings.resendSeconds * 1000) };
  }

  /**
   * Check a code; on success the challenge is consumed and cannot be used again.
   *
   * Decide, compare and count happen in ONE transaction that holds a per-address advisory lock
   * (the same lock `send` takes), issue 19 defect 1: the failure count of an address is a sum over
   * its challenges (resends and other flows included), which no single-row UPDATE can guard, so
   * parallel tries of one address queue on `pg_advisory_xact_lock` and each reads the count the
   * previous one committed. On PostgreSQL the lock is held until commit, so at most
   * OTP_MAX_FAILURES wrong codes are ever compared, whatever the burst (PGlite, one connection,
   * serialises anyway, which alone would prove nothing). The comparison itself is a constant-time
   * HMAC, cheap enough to run under the lock.
   */
  async verify(input: {
    flowId: string;
    channel: OtpChannel;
    target: string;
    code: string;
    ip: string;
  }): Promise<void> {
    const { db, clock, settings } = this.deps;
    const now = clock.now();
    const target = this.targetIndex(input.channel, input.target);
    await this.limitIp(`otp-verify-ip:${input.ip}`, settings.maxVerifyPerIpPerHour, now);
    const outcome = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`otp:${input.channel}:${target}`}))`.execute(trx);
      const challenge = await this.challenge(input.flowId, input.channel, target, trx);
      if (!challenge || challenge.consumed_at) return { error: new AppError('otp_not_sent') };
      const before = await this.recentFailures(input.channel, target, now, trx);
      if (before.total >= settings.maxFailures) return { error: this.lockedError(before.last ?? now, now) };
      if (challenge.expires_at.getTime() <= now.getTime()) return { error: new AppError('otp_expired') };

      if (constantTimeEqual(this.hash(challenge.id, input.code), challenge.code_hash)) {
        const consumed = await trx
          .updateTable('otp_challenges')
          .set({ consumed_at: now })
          .where('id', '=', challenge.id)
          .where('consumed_at', 'is', null)
          .where('code_hash', '=', challenge.code_hash)
          .returning('id')
          .executeTakeFirst();
        if (!consumed) return { error: new AppError('otp_not_sent') };
        // A success ends the failure streak of this address (NIST 800-63B-4 §3.2.2).
        await trx
          .updateTable('otp_challenges')
          .set({ failed_attempts: 0 })
          .where('channel', '=', input.channel)
          .where('target_bidx', '=', target)
          .execute();
        return { error: undefined };
      }

      await trx
        .updateTable('otp_challenges')
        .set({ failed_attempts: sql`failed_attempts + 1`, last_failed_at: now })
        .where('id', '=', challenge.id)
        .execute();
      const total = before.total + 1;
      if (total >= settings.maxFailures) {
        await trx
          .updateTable('otp_challenges')
          .set({ locked_at: now })
          .where('id', '=', challenge.id)
          .execute();
        return { error: this.lockedError(now, now) };
      }
      return {
        error: new AppError('otp_invalid', { details: { attemptsLeft: settings.maxFailures - total } }),
      };
    });
    if (outcome.error) throw outcome.error;
  }

  /** `target` here and below: the address's index (targetIndex), never the address. */
  private challenge(
    flowId: string,
    channel: OtpChannel,
    target: string,
    db: Kysely<Database> = this.deps.db,
  ) {
    return db
      .selectFrom('otp_challenges')
      .selectAll()
      .where('flow_id', '=', flowId)
      .where('channel', '=', channel)
      .where('target_bidx', '=', target)
      .executeTakeFirst();
  }

  private async limitIp(key: string, max: number, now: Date): Promise<void> {
    const hit = await this.deps.hot.hit(key, HOUR, now, max);
    if (hit.count > max)
      throw new AppError('rate_limited', { details: { retryAfterSeconds: seconds(hit.resetInMs) } });
  }

  private async recentFailures(
    channel: OtpChannel,
    target: string,
    now: Date,
    db: Kysely<Database> = this.deps.db,
  ) {
    const since = new Date(now.getTime() - this.deps.settings.lockSeconds * 1000);
    const row = await db
      .selectFrom('otp_challenges')
      .select([
        sql<number>`coalesce(sum(failed_attempts), 0)::int`.as('total'),
        sql<Date | null>`max(last_failed_at)`.as('last'),
      ])
      .where('channel', '=', channel)
      .where('target_bidx', '=', target)
      .where('last_failed_at', '>', since)
      .executeTakeFirstOrThrow();
    return { total: row.total, last: row.last ? new Date(row.last) : null };
  }

  private lockedError(lastFailure: Date, now: Date): AppError {
    const retry = lastFailure.getTime() + this.deps.settings.lockSeconds * 1000 - now.getTime();
    return new AppError('otp_locked', {
      details: { retryAfterMinutes: Math.ceil(retry / 60_000), retryAfterSeconds: seconds(retry) },
    });
  }

  private async assertNotLocked(channel: OtpChannel, target: string, now: Date): Promise<void> {
    const failures = await this.recentFailures(channel, target, now);
    if (failures.total >= this.deps.settings.maxFailures) throw this.lockedError(failures.last ?? now, now);
  }
}
