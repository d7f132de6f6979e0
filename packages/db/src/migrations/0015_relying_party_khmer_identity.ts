/**
 * 0015 A relying party's identity in Khmer (issue 16, item 8): the organisation's Khmer name next
 * to the app's (`app_name_km`), so the Khmer app and login pages name the ministry or bank in
 * Khmer too. The logo (`logo_url`) may now also be an image data URI, which the app shows without
 * a request leaving the phone (checked by the admin API, no column change).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table relying_parties add column organisation_km text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table relying_parties drop column organisation_km`.execute(db);
}
