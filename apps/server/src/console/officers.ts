/**
 * Officer accounts and sign-in (identity-proofing issue §2): created by an administrator with a
 * password (Argon2id in the password pool, separate from citizens' PINs: deps.ts) and a TOTP secret (RFC 6238, sealed at rest, shown once
 * as an otpauth URI); sign-in needs both. 5 failures lock the account for 15 minutes; a TOTP code
 * is accepted once (the last used time step is remembered). Sessions are random 256-bit tokens
 * stored hashed, 8 hours absolute and 30 minutes idle.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { OfficerRole } from '@camdigikey/db';
import { sql } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import type { Deps } from '../deps';
import { AppError } from '../errors';

export const totpContext = (id: string) => `officer:${id}:totp`;
const hash = (token: string) => createHash('sha256').update(token).digest('base64url');
const SESSION_HOURS = 8;
const SESSION_IDLE_MINUTES = 30;
const LOCK_AFTER = 5;
const LOCK_MINUTES = 15;
let dummyVerifier: Promise<string> | undefined;

export const totpFor = (secret: string, label: string) =>
  new TOTP({
    issuer: 'CamDigiKey Console',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secret),
  });

export async function createOfficer(
  deps: Deps,
  input: { username: string; displayName: string; role: OfficerRole; password: string },
) {
  const id = randomUUID();
  const secret = new Secret({ size: 20 }).base32;
  await deps.db
    .insertInto('officers')
    .values({
      id,
      username: input.username.toLowerCase(),
      display_name: input.displayName,
      role: input.role,
      password_verifier: await deps.passwords.hash(input.password),
      totp_secret_enc: deps.envelope.sealText(secret, totpContext(id)),
      status: 'active',
      locked_until: null,
      last_totp_step: null,
      created_at: deps.clock.now(),
    })
    .execute();
  return { id, totpSecret: secret, otpauthUri: totpFor(secret, input.username).toString() };
}

export async function signIn(deps: Deps, input: { username: string; password: string; totp: string }) {
  // A full password pool answers 503 before any database work (a flood then costs little).
  deps.passwords.ensureCapacity();
  const now = deps.clock.now();
  const username = input.username.toLowerCase();
  const lockUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000);
  // 1. Reserve the attempt before any secret is looked at: decide and count in ONE statement
  //    (issue 19, defect 1; before, a burst of parallel sign-ins read the same count and lost
  //    updates, never locking). On PostgreSQL concurrent UPDATEs of the row queue on its row lock
  //    and re-check the WHERE clause against the committed row, so at most LOCK_AFTER attempts
  //    hold a slot per lock period. An expired lock starts a new streak. The reservation that
  //    reaches LOCK_AFTER sets the lock at once; a successful sign-in lifts it.
  const reserved = await sql<{ failed_logins: number }>`
    update officers
       set failed_logins = case when locked_until is not null and locked_until <= ${now}
                                then 1 else failed_logins + 1 end,
           locked_until = case
             when locked_until is not null and locked_until <= ${now} then null
             when failed_logins + 1 >= ${LOCK_AFTER} then ${lockUntil}::timestamptz
             else locked_until end
     where username = ${username}
       and status = 'active'
       and (locked_until is null or locked_until <= ${now})
     returning failed_logins`.execute(deps.db);
  const slot = reserved.rows[0];
  const officer = slot
    ? await deps.db.selectFrom('officers').selectAll().where('username', '=', username).executeTakeFirst()
    : undefined;
  if (!slot) {
    const current = await deps.db
      .selectFrom('officers')
      .select(['status', 'locked_until'])
      .where('username', '=', username)
      .executeTakeFirst();
    if (current?.status === 'active' && current.locked_until && current.locked_until > now) {
      throw new AppError('officer_locked', {
        details: { retryAfterMinutes: Math.ceil((current.locked_until.getTime() - now.getTime()) / 60_000) },
      });
    }
  }
  // 2. Verify, only with a slot. Same work and the same answer whether or not the officer exists.
  dummyVerifier ??= deps.passwords.hash(randomBytes(16).toString('hex'), { clientGone: () => false });
  const passwordOk = await deps.passwords.verify(
    officer?.password_verifier ?? (await dummyVerifier),
    input.password,
  );
  if (officer?.status !== 'active') throw new AppError('officer_login_failed');
  const totp = totpFor(
    deps.envelope.openText(officer.totp_secret_enc, totpContext(officer.id)),
    officer.username,
  );
  const delta = /^\d{6}$/.test(input.totp)
    ? totp.validate({ token: input.totp, timestamp: now.getTime(), window: 1 })
    : null;
  const step = Math.floor(now.getTime() / 30_000) + (delta ?? 0);
  // 3. Settle. A TOTP step is accepted once: the success update itself checks and advances
  //    last_totp_step, so two parallel sign-ins with the same code cannot both pass.
  const accepted =
    passwordOk && delta !== null
      ? await deps.db
          .updateTable('officers')
          .set({ failed_logins: 0, locked_until: null, last_totp_step: step })
          .where('id', '=', officer.id)
          .where((eb) => eb.or([eb('last_totp_step', 'is', null), eb('last_totp_step', '<', step)]))
          .returning('id')
          .executeTakeFirst()
      : undefined;
  if (!accepted) throw new AppError('officer_login_failed');
  const token = randomBytes(32).toString('base64url');
  await deps.db
    .insertInto('officer_sessions')
    .values({
      token_hash: hash(token),
      officer_id: officer.id,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + SESSION_HOURS * 3_600_000),
    })
    .execute();
  return {
    token,
    officer: {
      id: officer.id,
      username: officer.username,
      displayName: officer.display_name,
      role: officer.role,
    },
  };
}

export async function officerForToken(deps: Deps, token: string | undefined) {
  if (!token) throw new AppError('unauthorized');
  const now = deps.clock.now();
  const row = await deps.db
    .selectFrom('officer_sessions')
    .innerJoin('officers', 'officers.id', 'officer_sessions.officer_id')
    .select([
      'officers.id',
      'officers.username',
      'officers.display_name',
      'officers.role',
      'officers.status',
      'officer_sessions.expires_at',
      'officer_sessions.last_seen_at',
    ])
    .where('officer_sessions.token_hash', '=', hash(token))
    .executeTakeFirst();
  if (
    row?.status !== 'active' ||
    row.expires_at <= now ||
    now.getTime() - row.last_seen_at.getTime() > SESSION_IDLE_MINUTES * 60_000
  ) {
    throw new AppError('unauthorized');
  }
  await deps.db
    .updateTable('officer_sessions')
    .set({ last_seen_at: now })
    .where('token_hash', '=', hash(token))
    .execute();
  return { id: row.id, username: row.username, displayName: row.display_name, role: row.role };
}

export async function signOut(deps: Deps, token: string): Promise<void> {
  await deps.db.deleteFrom('officer_sessions').where('token_hash', '=', hash(token)).execute();
}
