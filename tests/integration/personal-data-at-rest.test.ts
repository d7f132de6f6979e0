/**
 * Personal data at rest (issue 19, item 8): after a registration, neither the `accounts` row nor
 * the `flows` row holds the citizen's name, phone, e-mail or birth date in clear (the whole row's
 * JSON is searched), yet every look-up by phone or e-mail still works through the blind indexes:
 * a second registration with the same number or address is refused, the database itself refuses
 * a duplicate, and recovery finds the account by its number. Migration 0022: rows written in the
 * old shape are sealed by the server's data step (also at start-up) and written back in clear
 * before the schema goes down; the keyless `down` refuses while anything is sealed only.
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

  it('refuses a second registration with the same phone number (the owner is told, no code is sent)', async () => {
    const device = await server.device();
    const fresh = await startRegistration(device);
    const r = await device.call('POST', `${REGISTRATION}/${fresh.id}/phone`, { phone: citizen.phone });
    expect(r.status).toBe(200);
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
