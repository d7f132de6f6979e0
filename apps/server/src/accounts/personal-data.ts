/**
 * An account's personal data at rest (issue 19, item 8; architecture.md, decision 10): the phone,
 * e-mail, names, birth date and nationality are one envelope-sealed JSON value in
 * `accounts.personal_enc`, bound to its row by the context `account:<id>:personal` (a value
 * copied into another row does not open). The phone and the e-mail also get keyed blind indexes
 * (`phone_bidx`, `email_bidx`, BLIND_INDEX_KEY) for look-ups and for the live-account uniqueness
 * the database enforces. Gender, status, deadlines and the document's blind index stay in clear:
 * SQL filters and sorts on them.
 *
 * Every reader and writer of these fields goes through this module. Rows written before
 * migration 0022 hold the fields in clear until the data step below seals them; `openPersonal`
 * reads either shape so a reader never depends on where that step is.
 */
import type { AccountsTable, Database } from '@camdigikey/db';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Envelope } from '../crypto/envelope';
import type { BlindIndex } from '../crypto/keyed-hash';
import { inBatches } from '../infra/batches';

export interface PersonalData {
  phoneE164: string;
  email: string;
  khmerSurname: string | null;
  khmerGivenName: string | null;
  latinSurname: string;
  latinGivenName: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  /** ICAO 9303 code, e.g. KHM. */
  nationality: string;
}

export interface PersonalKeys {
  envelope: Envelope;
  blindIndex: BlindIndex;
}

type Db = Kysely<Database> | Transaction<Database>;

/** The columns a reader selects to open an account's personal data (sealed or, before 0022's data step, clear). */
export const PERSONAL_COLUMNS = [
  'id',
  'personal_enc',
  'phone_e164',
  'email',
  'khmer_surname',
  'khmer_given_name',
  'latin_surname',
  'latin_given_name',
  'birth_date',
  'nationality',
] as const satisfies readonly (keyof AccountsTable)[];

export type PersonalRow = Pick<Selectable<AccountsTable>, (typeof PERSONAL_COLUMNS)[number]>;

export const personalContext = (accountId: string) => `account:${accountId}:personal`;

/** The plaintext columns, all null: what a sealed row holds in them. */
const CLEARED = {
  phone_e164: null,
  email: null,
  khmer_surname: null,
  khmer_given_name: null,
  latin_surname: null,
  latin_given_name: null,
  birth_date: null,
  nationality: null,
} as const;

export const phoneIndex = (keys: Pick<PersonalKeys, 'blindIndex'>, e164: string) =>
  keys.blindIndex.phone(e164);
export const emailIndex = (keys: Pick<PersonalKeys, 'blindIndex'>, address: string) =>
  keys.blindIndex.email(address);

/** The column values that store `data` for account `accountId` (insert or update). */
export function sealPersonal(keys: PersonalKeys, accountId: string, data: PersonalData) {
  const canonical: PersonalData = {
    phoneE164: data.phoneE164,
    email: data.email,
    khmerSurname: data.khmerSurname,
    khmerGivenName: data.khmerGivenName,
    latinSurname: data.latinSurname,
    latinGivenName: data.latinGivenName,
    birthDate: data.birthDate,
    nationality: data.nationality,
  };
  return {
    ...CLEARED,
    personal_enc: keys.envelope.sealText(JSON.stringify(canonical), personalContext(accountId)),
    phone_bidx: phoneIndex(keys, data.phoneE164),
    email_bidx: emailIndex(keys, data.email),
  };
}

function isPersonalData(v: unknown): v is PersonalData {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const text = (k: string) => typeof o[k] === 'string';
  const textOrNull = (k: string) => o[k] === null || typeof o[k] === 'string';
  return (
    ['phoneE164', 'email', 'latinSurname', 'latinGivenName', 'birthDate', 'nationality'].every(text) &&
    ['khmerSurname', 'khmerGivenName'].every(textOrNull)
  );
}

/** The personal data of a row: opened from `personal_enc`, or read in clear from a row not yet sealed. */
export function openPersonal(envelope: Envelope, row: PersonalRow): PersonalData {
  if (row.personal_enc !== null) {
    const parsed: unknown = JSON.parse(envelope.openText(row.personal_enc, personalContext(row.id)));
    if (!isPersonalData(parsed)) throw new Error(`account ${row.id}: sealed personal data malformed`);
    return parsed;
  }
  const { phone_e164, email, latin_surname, latin_given_name, birth_date, nationality } = row;
  if (
    phone_e164 === null ||
    email === null ||
    latin_surname === null ||
    latin_given_name === null ||
    birth_date === null ||
    nationality === null
  )
    throw new Error(`account ${row.id}: personal data neither sealed nor in clear`);
  return {
    phoneE164: phone_e164,
    email,
    khmerSurname: row.khmer_surname,
    khmerGivenName: row.khmer_given_name,
    latinSurname: latin_surname,
    latinGivenName: latin_given_name,
    birthDate: birth_date,
    nationality,
  };
}

/** One account's personal data, or undefined when there is no such account. */
export async function personalOf(
  db: Db,
  envelope: Envelope,
  accountId: string,
): Promise<PersonalData | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select(PERSONAL_COLUMNS)
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row ? openPersonal(envelope, row) : undefined;
}

/** The personal data of several accounts (a bounded page: the caller limits `accountIds`). */
export async function personalOfMany(
  db: Db,
  envelope: Envelope,
  accountIds: readonly string[],
): Promise<Map<string, PersonalData>> {
  if (accountIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('accounts')
    .select(PERSONAL_COLUMNS)
    .where('id', 'in', [...accountIds])
    .execute();
  return new Map(rows.map((r) => [r.id, openPersonal(envelope, r)]));
}

/**
 * Changes some fields (a new phone or e-mail) inside the caller's transaction: the row is locked,
 * opened, changed and sealed again with fresh indexes. Returns the data as stored.
 */
export async function updatePersonal(
  trx: Transaction<Database>,
  keys: PersonalKeys,
  accountId: string,
  change: Partial<PersonalData>,
  now: Date,
): Promise<PersonalData> {
  const row = await trx
    .selectFrom('accounts')
    .select(PERSONAL_COLUMNS)
    .where('id', '=', accountId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const next = { ...openPersonal(keys.envelope, row), ...change };
  await trx
    .updateTable('accounts')
    .set({ ...sealPersonal(keys, accountId, next), updated_at: now })
    .where('id', '=', accountId)
    .execute();
  return next;
}

/** The live account (if any) holding this phone or e-mail, by blind index. */
export function accountByContact(
  db: Db,
  keys: Pick<PersonalKeys, 'blindIndex'>,
  channel: 'phone' | 'email',
  target: string,
) {
  const query = db.selectFrom('accounts');
  return channel === 'phone'
    ? query.where('phone_bidx', '=', phoneIndex(keys, target))
    : query.where('email_bidx', '=', emailIndex(keys, target));
}

/**
 * The keyed data step of migration 0022: seals every row still holding its personal data in
 * clear and clears the plaintext. Idempotent; batches of `batchSize` rows, each batch in one
 * transaction (rows locked with SKIP LOCKED, so two instances starting together share the work).
 * Returns the number of rows sealed.
 */
export function sealPlaintextRows(db: Kysely<Database>, keys: PersonalKeys, batchSize = 200) {
  return inBatches(db, batchSize, async (trx) => {
    const rows = await trx
      .selectFrom('accounts')
      .select(PERSONAL_COLUMNS)
      .where('personal_enc', 'is', null)
      .orderBy('id')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const row of rows) {
      await trx
        .updateTable('accounts')
        .set(sealPersonal(keys, row.id, openPersonal(keys.envelope, row)))
        .where('id', '=', row.id)
        .execute();
    }
    return rows.length;
  });
}

/**
 * The inverse, run before migration 0022's `down`: writes every sealed row's personal data back
 * in clear and clears the sealed value and its indexes. Idempotent; batches, one transaction each.
 */
export function restorePlaintextRows(db: Kysely<Database>, envelope: Envelope, batchSize = 200) {
  return inBatches(db, batchSize, async (trx) => {
    const rows = await trx
      .selectFrom('accounts')
      .select(PERSONAL_COLUMNS)
      .where('personal_enc', 'is not', null)
      .orderBy('id')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const row of rows) {
      const p = openPersonal(envelope, row);
      await trx
        .updateTable('accounts')
        .set({
          phone_e164: p.phoneE164,
          email: p.email,
          khmer_surname: p.khmerSurname,
          khmer_given_name: p.khmerGivenName,
          latin_surname: p.latinSurname,
          latin_given_name: p.latinGivenName,
          birth_date: p.birthDate,
          nationality: p.nationality,
          personal_enc: null,
          phone_bidx: null,
          email_bidx: null,
        })
        .where('id', '=', row.id)
        .execute();
    }
    return rows.length;
  });
}
