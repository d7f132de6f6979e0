/**
 * 0022 personal data sealed at rest (issue 19, item 8). An account's phone, e-mail, names, birth
 * date and nationality move into `personal_enc` (envelope-encrypted JSON, context
 * `account:<id>:personal`); phone and e-mail get keyed blind indexes (`phone_bidx`,
 * `email_bidx`) that carry the live-account uniqueness the plaintext indexes carried.
 *
 * A migration holds no keys, so the move is in two parts:
 * - here, the schema: the new nullable columns, their unique indexes, the plaintext columns made
 *   nullable, and a check that every row is either sealed (with both indexes) or still whole in
 *   clear (no half-written record);
 * - in the server (apps/server/src/accounts/personal-data.ts), the keyed data step: at every
 *   start, before serving, rows still in clear are sealed and their plaintext cleared, in batches,
 *   one transaction each. `npm run pii -- down` (apps/server/src/cli/personal-data.ts) writes the
 *   plaintext back and then runs this `down`.
 *
 * `down` refuses while any row is sealed only: dropping the columns would lose the data.
 */
import { type Kysely, sql } from 'kysely';

const LIVE = `'pending_review', 'active', 'suspended', 'locked', 'resubmission_requested'`;
const PLAINTEXT = ['phone_e164', 'email', 'latin_surname', 'latin_given_name', 'birth_date', 'nationality'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table accounts
      add column personal_enc text,
      add column phone_bidx text,
      add column email_bidx text`.execute(db);
  for (const column of PLAINTEXT)
    await sql`alter table accounts alter column ${sql.ref(column)} drop not null`.execute(db);
  await sql`
    alter table accounts add constraint accounts_personal_whole check (
      (personal_enc is not null and phone_bidx is not null and email_bidx is not null)
      or (personal_enc is null and phone_e164 is not null and email is not null
          and latin_surname is not null and latin_given_name is not null
          and birth_date is not null and nationality is not null)
    )`.execute(db);
  await sql`
    create unique index accounts_live_phone_bidx_uq on accounts (phone_bidx)
    where status in (${sql.raw(LIVE)})`.execute(db);
  await sql`
    create unique index accounts_live_email_bidx_uq on accounts (email_bidx)
    where status in (${sql.raw(LIVE)})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const sealed = await sql<{ n: number }>`
    select count(*)::int as n from accounts where personal_enc is not null`.execute(db);
  const n = sealed.rows[0]?.n ?? 0;
  if (n > 0) {
    throw new Error(
      `0022 down: ${n} account(s) hold their personal data sealed only; run \`npm run pii -- down\` ` +
        '(it writes the plaintext back with the keys, then runs this step)',
    );
  }
  await sql`drop index if exists accounts_live_email_bidx_uq`.execute(db);
  await sql`drop index if exists accounts_live_phone_bidx_uq`.execute(db);
  await sql`alter table accounts drop constraint if exists accounts_personal_whole`.execute(db);
  for (const column of PLAINTEXT)
    await sql`alter table accounts alter column ${sql.ref(column)} set not null`.execute(db);
  await sql`
    alter table accounts
      drop column if exists personal_enc,
      drop column if exists phone_bidx,
      drop column if exists email_bidx`.execute(db);
}
