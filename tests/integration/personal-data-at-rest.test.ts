/**
 * Personal data at rest (issue 19, item 8): after a registration, neither the `accounts` row nor
 * the `flows` row holds the citizen's name, phone, e-mail or birth date in clear (the whole row's
 * JSON is searched), yet every look-up by phone or e-mail still works through the blind indexes:
 * a second registration with the same number or address is refused, the database itself refuses
 * a duplicate, and recovery finds the account by its number. Migration 0022: rows written in the
 * old shape are sealed by the server's data step (also at start-up) and written back in clear
 * before the schema goes down; the keyless `down` refuses while anything is sealed only.
 * The one-time code tables (`otp_challenges`, `otp_sends`) hold no phone number or e-mail address
 * either, only their keyed blind indexes (migration 0024): rows written in clear before it are
 * keyed by the server's start-up data step, and its keyless `down` drops the keyed rows.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { normalizePhone } from '@camdigikey/core/identity/phone';
import { type Database, migrateDown, migrateTo, migrateToLatest } from '@camdigikey/db';
import { insertAccount } from '@camdigikey/server/accounts/create-account';
import {
  openPersonal,
  type PersonalData,
  personalOf,
  restorePlaintextRows,
  sealPlaintextRows,
} from '@camdigikey/server/accounts/personal-data';
import { keyClearOtpTargets } from '@camdigikey/server/otp/otp-targets';
import { makeCitizen, type SyntheticCitizen } from '@camdigikey/testkit/citizens';
import { RECOVERY, recoveryStep, startRecovery } from '@camdigikey/testkit/recovery-walker';
import { REGISTRATION, startRegistration, walkRegistration } from '@camdigikey/testkit/registration-walker';
import { createTestDatabase, type TestDatabase } from '@camdigikey/testkit/test-database';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const e164 = (phone: string) => {
  const r = normalizePhone(phone);
  if (!r.ok) throw new Error('test phone number invalid');
  return r.value.e164;
};

/** A citizen's phone number and e-mail address in every form they could be stored in. */
const contactValues = (c: SyntheticCitizen) => {
  const r = normalizePhone(c.phone);
  if (!r.ok) throw new Error('test phone number invalid');
  const { e164, national } = r.value;
  return [
    c.phone,
    e164,
    e164.slice(1),
    national,
    national.replace(/\D/g, ''),
    national.replace(/\D/g, '').replace(/^0/, ''),
    c.email,
    c.email.toLowerCase(),
    c.email.split('@')[0]!,
  ];
};

/** Every personal value of a citizen as the app entered it (and the forms it is stored in). */
const personalValues = (c: SyntheticCitizen) =>
  [
    c.latinSurname,
    c.latinGivenName,
    c.khmerSurname,
    c.khmerGivenName,
    c.email,
    c.email.toLowerCase(),
    e164(c.phone),
    e164(c.phone).slice(1),
    c.birthDate,
  ].filter((v): v is string => typeof v === 'string' && v.length > 0);

describe('a registered citizen', () => {
  let server: TestServer;
  let citizen: SyntheticCitizen;
  let accountId: string;
  let flowId: string;
  let device: Awaited<ReturnType<TestServer['device']>>;
  const otp = () => ({ sms: (p: string) => server.smsCode(p), email: (a: string) => server.emailCode(a) });

  beforeAll(async () => {
    server = await startTestServer();
    citizen = makeCitizen(8801);
    device = await server.device();
    const flow = await walkRegistration(device, citizen, { otp: otp() });
    expect(flow.state).toBe('submitted');
    accountId = flow.account!.id;
    flowId = flow.id;
  });
  afterAll(async () => server?.close());

  it('has no name, phone, e-mail or birth date in clear in its accounts row', async () => {
    const row = await server.deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    const json = JSON.stringify(row);
    for (const value of personalValues(citizen)) expect(json).not.toContain(value);
    expect(row.personal_enc).toMatch(/^v1\./);
    expect(row.phone_bidx).toMatch(/^[0-9a-f]{64}$/);
    expect(row.email_bidx).toMatch(/^[0-9a-f]{64}$/);
    // …and the one module that reads it gets it all back.
    expect(await personalOf(server.deps.db, server.deps.envelope, accountId)).toMatchObject({
      phoneE164: e164(citizen.phone),
      latinSurname: citizen.latinSurname,
      latinGivenName: citizen.latinGivenName,
      birthDate: citizen.birthDate,
      nationality: citizen.nationality,
    });
  });

  it('has none of it in its flows rows either, once the account exists', async () => {
    const flows = await server.deps.db.selectFrom('flows').selectAll().where('id', '=', flowId).execute();
    expect(flows.map((f) => f.state)).toEqual(['submitted']);
    const json = JSON.stringify(flows);
    for (const value of personalValues(citizen)) expect(json).not.toContain(value);
    // The app still reads its flow after submission: it answers with the account's status.
    const resumed = await device.call<{ state: string; account?: { id: string } }>(
      'GET',
      `${REGISTRATION}/${flowId}`,
    );
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ state: 'submitted', account: { id: accountId } });
  });

  it('has no phone number or e-mail address in clear in the one-time code tables, only keyed indexes', async () => {
    const { db, blindIndex } = server.deps;
    const challenges = await db
      .selectFrom('otp_challenges')
      .selectAll()
      .where('flow_id', '=', flowId)
      .execute();
    const sends = await db.selectFrom('otp_sends').selectAll().execute();
    // The phone code and the e-mail code of this registration, each sent once…
    const phone = blindIndex.phone(e164(citizen.phone));
    const email = blindIndex.email(citizen.email);
    expect(challenges.map((c) => [c.channel, c.target_bidx, c.target]).sort()).toEqual([
      ['email', email, null],
      ['sms', phone, null],
    ]);
    expect(sends.filter((s) => s.target_bidx === phone || s.target_bidx === email)).toHaveLength(2);
    expect(sends.every((s) => s.target === null && /^[0-9a-f]{64}$/.test(s.target_bidx ?? ''))).toBe(true);
    // …and the number (E.164, national, digits only) and the address appear in no row at all.
    const json = JSON.stringify([
      challenges,
      sends,
      await db.selectFrom('otp_challenges').selectAll().execute(),
    ]);
    for (const value of contactValues(citizen)) expect(json).not.toContain(value);
  });

  it('refuses a second registration with the same phone number (the owner is told, no code is sent)', async () => {
    const device = await server.device();
    const fresh = await startRegistration(device);
    const r = await device.call('POST', `${REGISTRATION}/${fresh.id}/phone`, { phone: citizen.phone });
    expect(r.status).toBe(200);
    await server.notified();
    const sms = await server.deps.outbox.latest(e164(citizen.phone));
    expect(sms?.text).toMatch(/គណនីមានស្រាប់/);
    expect(sms?.text).not.toMatch(/\b\d{6}\b/);
  });

  it('refuses a second registration with the same e-mail address in other letter case', async () => {
    const other = makeCitizen(8802);
    const device = await server.device();
    const flow = await walkRegistration(device, other, { otp: otp(), stopBefore: 'email' });
    server.inbox.clear();
    const shouted = citizen.email.toUpperCase();
    const r = await device.call('POST', `${REGISTRATION}/${flow.id}/email`, { email: shouted });
    expect(r.status).toBe(200);
    const mail = await server.inbox.waitFor({ to: citizen.email.toLowerCase() });
    expect(mail.text).not.toMatch(/\b\d{6}\b/);
  });

  it('is refused by the database itself when a duplicate phone or e-mail is written', async () => {
    const base = await server.deps.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow();
    const mine = openPersonal(server.deps.envelope, base);
    const other = makeCitizen(8803);
    const write = (change: Partial<PersonalData>) =>
      server.deps.db.transaction().execute((trx) =>
        insertAccount(
          trx,
          server.deps,
          {
            status: 'active',
            language: 'en',
            phoneE164: change.phoneE164 ?? e164(other.phone),
            email: change.email ?? other.email,
            khmerSurname: null,
            khmerGivenName: null,
            latinSurname: other.latinSurname,
            latinGivenName: other.latinGivenName,
            gender: other.gender,
            birthDate: other.birthDate,
            nationality: other.nationality,
            documentType: 'passport',
            issuingState: 'KHM',
            documentNumber: `N${randomUUID().slice(0, 7)}`.toUpperCase(),
            issueDate: null,
            expiryDate: '2031-01-01',
            mrz: 'not a real mrz',
            reviewFlags: [],
            pinVerifier: base.pin_verifier,
            submittedAt: server.clock.now(),
            reviewDeadline: server.clock.now(),
            device: { thumbprint: randomUUID(), jwk: {} },
            consent: {
              purpose: 'registration',
              version: 'test',
              language: 'en',
              acceptedAt: server.clock.now(),
            },
          },
          server.clock.now(),
        ),
      );
    await expect(write({ phoneE164: mine.phoneE164 })).rejects.toThrow(/phone_bidx|duplicate key/);
    await expect(write({ email: mine.email.toUpperCase() })).rejects.toThrow(/email_bidx|duplicate key/);
  });

  it('is found by its phone number for a recovery (the code verifies and the flow moves on)', async () => {
    const device = await server.device();
    const flow = await startRecovery(device);
    const sent = await recoveryStep(device, flow.id, 'phone', { phone: citizen.phone });
    expect(sent.state).toBe('awaiting_phone_code');
    const code = await server.smsCode(e164(citizen.phone));
    const verified = await device.call<{ state: string }>('POST', `${RECOVERY}/${flow.id}/phone/verify`, {
      code,
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.state).toBe('awaiting_pin');
    const row = await server.deps.db
      .selectFrom('flows')
      .select('account_id')
      .where('id', '=', flow.id)
      .executeTakeFirstOrThrow();
    expect(row.account_id).toBe(accountId);
  });
});

/** An account row as migration 0021 left it: everything in clear. */
async function insertOldShape(db: Kysely<Database>, c: SyntheticCitizen, khmer: boolean): Promise<string> {
  const id = randomUUID();
  await sql`
    insert into accounts (
      id, status, language, phone_e164, email, khmer_surname, khmer_given_name, latin_surname,
      latin_given_name, gender, birth_date, nationality, document_type, document_issuing_state,
      document_number_enc, document_number_bidx, document_number_hint, document_expiry_date,
      mrz_enc, pin_verifier, submitted_at, review_deadline, created_at, updated_at)
    values (
      ${id}, 'active', 'km', ${e164(c.phone)}, ${c.email}, ${khmer ? c.khmerSurname : null},
      ${khmer ? c.khmerGivenName : null}, ${c.latinSurname}, ${c.latinGivenName}, ${c.gender},
      ${c.birthDate}, ${c.nationality}, 'id_card', 'KHM', 'sealed-elsewhere', ${randomUUID()}, '•••123',
      '2031-01-01', 'sealed-elsewhere', 'verifier', now(), now(), now(), now())`.execute(db);
  return id;
}

const personalOfOldShape = (c: SyntheticCitizen, khmer: boolean) => ({
  phone_e164: e164(c.phone),
  email: c.email,
  khmer_surname: khmer ? c.khmerSurname : null,
  khmer_given_name: khmer ? c.khmerGivenName : null,
  latin_surname: c.latinSurname,
  latin_given_name: c.latinGivenName,
  birth_date: c.birthDate,
  nationality: c.nationality,
});

describe('migration 0022', () => {
  let t: TestDatabase;
  let server: TestServer | undefined;
  const ann = makeCitizen(8811);
  const bora = makeCitizen(8812);
  beforeAll(async () => {
    server = await startTestServer();
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('seals rows written in the old shape, and down writes them back in clear', async () => {
    const keys = server!.deps;
    // Back to the schema before 0022 (the later migrations need no keys to go down).
    const step = await migrateTo(t.db, '0021_pairwise_subjects');
    expect(step.join()).toContain('0022_personal_data_sealed');
    const a = await insertOldShape(t.db, ann, true);
    const b = await insertOldShape(t.db, bora, false);
    await migrateToLatest(t.db);

    // The keyed data step: both rows sealed, plaintext cleared; run again, nothing left to do.
    expect(await sealPlaintextRows(t.db, keys, 1)).toBe(2);
    expect(await sealPlaintextRows(t.db, keys)).toBe(0);
    const sealed = await t.db.selectFrom('accounts').selectAll().where('id', 'in', [a, b]).execute();
    expect(sealed).toHaveLength(2);
    const json = JSON.stringify(sealed);
    for (const value of [...personalValues(ann), ...personalValues(bora)]) expect(json).not.toContain(value);
    expect(await personalOf(t.db, keys.envelope, a)).toEqual({
      phoneE164: e164(ann.phone),
      email: ann.email,
      khmerSurname: ann.khmerSurname,
      khmerGivenName: ann.khmerGivenName,
      latinSurname: ann.latinSurname,
      latinGivenName: ann.latinGivenName,
      birthDate: ann.birthDate,
      nationality: ann.nationality,
    });
    expect((await personalOf(t.db, keys.envelope, b))?.khmerSurname).toBeNull();

    // No half-written row: sealed without its indexes, or neither sealed nor whole in clear.
    await expect(
      t.db.updateTable('accounts').set({ phone_bidx: null }).where('id', '=', a).execute(),
    ).rejects.toThrow(/accounts_personal_whole/);
    await expect(
      t.db.updateTable('accounts').set({ personal_enc: null }).where('id', '=', a).execute(),
    ).rejects.toThrow(/accounts_personal_whole/);

    // The keyless down refuses: it would drop the only copy.
    await migrateTo(t.db, '0022_personal_data_sealed');
    await expect(migrateDown(t.db)).rejects.toThrow(/npm run pii -- down/);

    // The keyed restore, then down: the old shape, with the values as they were.
    expect(await restorePlaintextRows(t.db, keys.envelope, 1)).toBe(2);
    expect(await restorePlaintextRows(t.db, keys.envelope)).toBe(0);
    expect((await migrateDown(t.db)).join()).toContain('0022_personal_data_sealed');
    const back = await sql<Record<string, unknown>>`
      select * from accounts where id in (${a}, ${b}) order by latin_surname`.execute(t.db);
    const byId = new Map(back.rows.map((r) => [r.id, r]));
    expect(byId.get(a)).toMatchObject(personalOfOldShape(ann, true));
    expect(byId.get(b)).toMatchObject(personalOfOldShape(bora, false));
    expect(byId.get(a)).not.toHaveProperty('personal_enc');
    await migrateToLatest(t.db);
  });

  it.runIf(process.env.DATABASE_URL)(
    'npm run pii -- seal and -- down do the same with the keys from the environment',
    async () => {
      const { keks, blindIndexKey } = server!.deps.config.secrets;
      const b64 = (k: Uint8Array) => Buffer.from(k).toString('base64');
      const pii = (command: string) =>
        spawnSync('npx', ['tsx', 'apps/server/src/cli/personal-data.ts', command], {
          cwd: ROOT,
          encoding: 'utf8',
          env: {
            ...process.env,
            DATABASE_URL: t.url,
            DATA_KEKS: keks.map((k) => `${k.id}:${b64(k.key)}`).join(','),
            BLIND_INDEX_KEY: b64(blindIndexKey),
            NODE_ENV: 'test',
          },
        });
      const clear = await t.db
        .selectFrom('accounts')
        .select('id')
        .where('personal_enc', 'is', null)
        .execute();
      expect(clear.length).toBeGreaterThan(0);
      const sealed = pii('seal');
      expect(sealed.status, sealed.stderr).toBe(0);
      expect(sealed.stdout).toContain(`sealed: ${clear.length} account(s)`);
      // `pii down` undoes 0022 only when it is the latest: the later ones go down first, keyless.
      await migrateTo(t.db, '0022_personal_data_sealed');
      const down = pii('down');
      expect(down.status, down.stderr).toBe(0);
      expect(down.stdout).toContain(`restored: ${clear.length} account(s)`);
      expect(down.stdout).toContain('0022_personal_data_sealed');
      const back = await sql<{ latin_surname: string | null }>`
        select latin_surname from accounts where latin_surname is not null`.execute(t.db);
      expect(back.rows.map((r) => r.latin_surname).sort()).toEqual(
        [ann.latinSurname, bora.latinSurname].sort(),
      );
      await migrateToLatest(t.db);
    },
  );

  it('is completed by the server at start-up, before it serves', async () => {
    const first = server!;
    const id = await insertOldShape(first.deps.db, makeCitizen(8813), true);
    const second = await startTestServer({ shareWith: first });
    try {
      const row = await second.deps.db
        .selectFrom('accounts')
        .select(['personal_enc', 'latin_surname', 'phone_e164'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        latin_surname: null,
        phone_e164: null,
        personal_enc: expect.stringMatching(/^v1\./),
      });
    } finally {
      await second.close();
    }
  });
});

describe('migration 0024', () => {
  let t: TestDatabase;
  let server: TestServer | undefined;
  const ann = makeCitizen(8821);
  beforeAll(async () => {
    server = await startTestServer();
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  /** A registration flow row, for challenges to hang on. */
  const insertFlow = async (db: Kysely<Database>) => {
    const id = randomUUID();
    await sql`
      insert into flows (id, kind, state, language, device_thumbprint, device_jwk, created_at, updated_at, expires_at)
      values (${id}, 'registration', 'awaiting_email_code', 'km', ${randomUUID()}, '{}', now(), now(), now() + interval '1 day')`.execute(
      db,
    );
    return id;
  };
  const insertClearChallenge = (
    db: Kysely<Database>,
    flowId: string,
    channel: string,
    target: string,
    failed: number,
  ) =>
    sql`
      insert into otp_challenges (id, flow_id, channel, target, code_hash, expires_at, last_sent_at, created_at, failed_attempts, last_failed_at)
      values (${randomUUID()}, ${flowId}, ${channel}, ${target}, 'hash', now(), now(), now(), ${failed}, now())`.execute(
      db,
    );
  const insertClearSend = (db: Kysely<Database>, channel: string, target: string, sentAt: Date) =>
    sql`insert into otp_sends (channel, target, sent_at) values (${channel}, ${target}, ${sentAt})`.execute(
      db,
    );

  it('keys the clear targets written before it, and down drops the keyed rows', async () => {
    const index = server!.deps.blindIndex;
    const now = server!.clock.now();
    const step = await migrateTo(t.db, '0023_durable_hot_state');
    expect(step.join()).toContain('0024_otp_targets_keyed');
    const phone = e164(ann.phone);
    const shouted = ann.email
      .replace(/^./, (c) => c.toUpperCase())
      .replace(/@(.*)$/, (_, d) => `@${d.toUpperCase()}`);
    const flow = await insertFlow(t.db);
    await insertClearChallenge(t.db, flow, 'sms', phone, 1);
    await insertClearChallenge(t.db, flow, 'email', ann.email, 2);
    // The same address in other letter case, in the same flow: one index, so one row after.
    await insertClearChallenge(t.db, flow, 'email', shouted, 1);
    await insertClearSend(t.db, 'sms', phone, now);
    await insertClearSend(t.db, 'email', ann.email, now);
    await insertClearSend(t.db, 'sms', phone, new Date(now.getTime() - 2 * 3_600_000));
    await migrateToLatest(t.db);

    // The keyed data step: 1 stale send deleted, 2 sends keyed, 3 challenges keyed (one folded).
    expect(await keyClearOtpTargets(t.db, index, now, 1)).toBe(6);
    expect(await keyClearOtpTargets(t.db, index, now)).toBe(0);
    const challenges = await t.db.selectFrom('otp_challenges').selectAll().orderBy('channel').execute();
    const sends = await t.db.selectFrom('otp_sends').selectAll().orderBy('channel').execute();
    const json = JSON.stringify([challenges, sends]);
    for (const value of [...contactValues(ann), shouted]) expect(json).not.toContain(value);
    expect(challenges.map((c) => [c.channel, c.target_bidx, c.target, c.failed_attempts])).toEqual([
      ['email', index.email(ann.email), null, 3],
      ['sms', index.phone(phone), null, 1],
    ]);
    expect(sends.map((s) => [s.channel, s.target_bidx, s.target])).toEqual([
      ['email', index.email(ann.email), null],
      ['sms', index.phone(phone), null],
    ]);

    // A row holds exactly one of the two: never both, never neither.
    await expect(
      t.db.updateTable('otp_sends').set({ target_bidx: null }).where('channel', '=', 'sms').execute(),
    ).rejects.toThrow(/otp_sends_target_keyed/);
    await expect(
      t.db.updateTable('otp_challenges').set({ target: phone }).where('channel', '=', 'sms').execute(),
    ).rejects.toThrow(/otp_challenges_target_keyed/);

    // The keyless down: an index cannot be turned back into an address, so the keyed rows go.
    await insertClearSend(t.db, 'sms', phone, now);
    await migrateTo(t.db, '0023_durable_hot_state');
    const left = await sql<{ target: string }>`select target from otp_sends`.execute(t.db);
    expect(left.rows).toEqual([{ target: phone }]);
    expect((await sql`select * from otp_challenges`.execute(t.db)).rows).toEqual([]);
    await migrateToLatest(t.db);
  });

  it('is completed by the server at start-up, before it serves', async () => {
    const first = server!;
    const phone = e164(makeCitizen(8822).phone);
    await sql`
      insert into otp_sends (channel, target, sent_at) values ('sms', ${phone}, ${first.clock.now()})`.execute(
      first.deps.db,
    );
    const second = await startTestServer({ shareWith: first });
    try {
      const rows = await second.deps.db
        .selectFrom('otp_sends')
        .select(['target', 'target_bidx'])
        .where('target_bidx', '=', second.deps.blindIndex.phone(phone))
        .execute();
      expect(rows).toEqual([{ target: null, target_bidx: second.deps.blindIndex.phone(phone) }]);
      expect(
        await second.deps.db.selectFrom('otp_sends').where('target', 'is not', null).select('id').execute(),
      ).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
