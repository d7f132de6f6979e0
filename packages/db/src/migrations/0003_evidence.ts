/**
 * 0003 identity-proofing evidence: a durable job queue (claimed with FOR UPDATE SKIP LOCKED under
 * a lease, so a crashed worker's job is retried), the evidence the server computes for each
 * registration (one row per kind, with the model and threshold versions that produced it), and
 * the face embeddings used to find duplicate faces.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table jobs (
      id uuid primary key,
      kind text not null,
      payload jsonb not null,
      state text not null check (state in ('queued', 'running', 'done', 'failed')),
      attempts integer not null default 0,
      max_attempts integer not null,
      run_after timestamptz not null,
      locked_until timestamptz,
      last_error text,
      created_at timestamptz not null,
      updated_at timestamptz not null
    )`.execute(db);
  await sql`create index jobs_ready_idx on jobs (state, run_after)`.execute(db);

  await sql`
    create table evidence (
      account_id uuid not null references accounts (id),
      kind text not null,
      status text not null check (status in ('pass', 'review', 'fail', 'error')),
      score double precision,
      details jsonb not null,
      provenance jsonb not null,
      computed_at timestamptz not null,
      primary key (account_id, kind)
    )`.execute(db);

  await sql`
    create table face_embeddings (
      account_id uuid primary key references accounts (id),
      embedding jsonb not null,
      model text not null,
      created_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['face_embeddings', 'evidence', 'jobs'])
    await sql`drop table if exists ${sql.table(table)} cascade`.execute(db);
}
