/**
 * 0005 resubmission of one part: an officer can ask the citizen to redo the document photo or the
 * liveness check. The account waits in `resubmission_requested` (still a live account: it keeps
 * its phone, e-mail and document, so the partial unique indexes of 0001 are recreated with it),
 * and `resubmission_requests` records which part, for which decision, the fresh liveness
 * challenge the app was given, and when the part was received (a request is consumed once).
 */
import { type Kysely, sql } from 'kysely';

const LIVE_BEFORE = `'pending_review', 'active', 'suspended', 'locked'`;
const LIVE_AFTER = `'pending_review', 'active', 'suspended', 'locked', 'resubmission_requested'`;
const STATUSES_BEFORE = `'pending_review', 'active', 'rejected', 'suspended', 'locked'`;
const STATUSES_AFTER = `'pending_review', 'active', 'rejected', 'suspended', 'locked', 'resubmission_requested'`;

async function liveIndexes(db: Kysely<unknown>, live: string): Promise<void> {
  for (const name of ['accounts_live_document_uq', 'accounts_live_phone_uq', 'accounts_live_email_uq']) {
    await sql`drop index if exists ${sql.ref(name)}`.execute(db);
  }
  await sql`
    create unique index accounts_live_document_uq on accounts (document_number_bidx)
    where status in (${sql.raw(live)})`.execute(db);
  await sql`
    create unique index accounts_live_phone_uq on accounts (phone_e164)
    where status in (${sql.raw(live)})`.execute(db);
  await sql`
    create unique index accounts_live_email_uq on accounts (lower(email))
    where status in (${sql.raw(live)})`.execute(db);
}

async function statusCheck(db: Kysely<unknown>, statuses: string): Promise<void> {
  await sql`alter table accounts drop constraint if exists accounts_status_check`.execute(db);
  await sql`
    alter table accounts add constraint accounts_status_check
    check (status in (${sql.raw(statuses)}))`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await statusCheck(db, STATUSES_AFTER);
  await liveIndexes(db, LIVE_AFTER);
  await sql`
    create table resubmission_requests (
      id uuid primary key,
      account_id uuid not null references accounts (id),
      decision_id uuid not null references review_decisions (id),
      part text not null check (part in ('document_photo', 'liveness')),
      challenge jsonb,
      requested_at timestamptz not null,
      completed_at timestamptz
    )`.execute(db);
  await sql`
    create unique index resubmission_requests_open_uq on resubmission_requests (account_id)
    where completed_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists resubmission_requests cascade`.execute(db);
  // An account waiting for a part goes back to the officers' queue.
  await sql`update accounts set status = 'pending_review' where status = 'resubmission_requested'`.execute(
    db,
  );
  await statusCheck(db, STATUSES_BEFORE);
  await liveIndexes(db, LIVE_BEFORE);
}
