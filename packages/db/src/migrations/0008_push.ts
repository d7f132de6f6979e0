/** 0008 Web Push: one subscription per registered device (endpoint and the browser's keys). */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table push_subscriptions (
      device_id uuid primary key references devices (id),
      endpoint text not null,
      p256dh text not null,
      auth text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists push_subscriptions cascade`.execute(db);
}
