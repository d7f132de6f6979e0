/**
 * Data-KEK rotation (issue 15, item 5): every envelope-sealed value not sealed under the first
 * configured KEK is opened (with whichever listed KEK sealed it) and sealed again, same context,
 * under the first one, so an old KEK can then be removed from `DATA_KEKS`. The sealing format is
 * unchanged: only the wrapping key id and the ciphertexts of a value change.
 *
 * Safe while instances run: each batch is one transaction that locks its rows `FOR UPDATE SKIP
 * LOCKED` (a row an instance holds is skipped, and counted as remaining), and a row is written
 * back only with values opened from what the locked row holds. Idempotent and resumable: a value
 * already under the first KEK is never selected again, so a second run (or a run after a crash)
 * only does what is left. Values that do not open (a KEK missing from the list, a damaged value)
 * are counted as failed and left alone.
 */
import type { Database } from '@camdigikey/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import { personalContext } from '../accounts/personal-data';
import { context as apiClientContext } from '../client-api/api-clients';
import { contextOf as apiTokenContext } from '../client-api/api-tokens';
import { totpContext } from '../console/officers';
import { Envelope } from '../crypto/envelope';
import { sealContext } from '../flows/registration/flow-data';
import { inBatches } from '../infra/batches';
import { secretContext as loginRequestContext } from '../login/login-requests';
import { context as signingKeyContext } from '../oidc/keys';
import { secretContext as relyingPartyContext } from '../oidc/relying-parties';
import { context as faceSignatureContext } from '../proofing/replay';
import { blobContext } from '../uploads/blobs';

type Row = Record<string, unknown>;

/** One table's sealed text columns and the context each value was sealed with. */
export interface SealedColumns {
  table: string;
  /** The primary key (one column). */
  key: string;
  columns: readonly string[];
  /** Other columns the contexts are made of. */
  extra?: readonly string[];
  /** Rows per batch when smaller than the run's (large values: images). */
  batchSize?: number;
  context(column: string, row: Row): string;
}

const s = (v: unknown) => String(v);

/** Every column that holds an envelope-sealed value (find them with a grep for `envelope.seal`). */
export const SEALED_COLUMNS: readonly SealedColumns[] = [
  {
    table: 'accounts',
    key: 'id',
    columns: ['personal_enc', 'document_number_enc', 'mrz_enc'],
    context: (column, row) =>
      column === 'personal_enc'
        ? personalContext(s(row.id))
        : column === 'document_number_enc'
          ? sealContext.accountDocumentNumber(s(row.id))
          : sealContext.accountMrz(s(row.id)),
  },
  {
    table: 'blobs',
    key: 'id',
    columns: ['sealed'],
    extra: ['purpose'],
    batchSize: 20,
    context: (_c, row) => blobContext(s(row.id), row.purpose as Parameters<typeof blobContext>[1]),
  },
  {
    table: 'face_signatures',
    key: 'id',
    columns: ['signature_enc'],
    context: (_c, row) => faceSignatureContext(s(row.id)),
  },
  {
    table: 'signing_keys',
    key: 'kid',
    columns: ['private_jwk_enc'],
    context: (_c, row) => signingKeyContext(s(row.kid)),
  },
  {
    // client-api-pki, signing-pki, vapid: each sealed with `platform-keys:<name>`.
    table: 'platform_keys',
    key: 'name',
    columns: ['private_key_enc'],
    context: (_c, row) => `platform-keys:${s(row.name)}`,
  },
  {
    table: 'relying_parties',
    key: 'client_id',
    columns: ['client_secret_enc'],
    context: (_c, row) => relyingPartyContext(s(row.client_id)),
  },
  {
    table: 'api_clients',
    key: 'client_id',
    columns: ['hmac_key_enc', 'secret_key_enc', 'iv_enc'],
    context: (column, row) =>
      apiClientContext(
        s(row.client_id),
        column === 'hmac_key_enc' ? 'hmac' : column === 'secret_key_enc' ? 'aes' : 'iv',
      ),
  },
  {
    table: 'api_tokens',
    key: 'jti',
    columns: ['data_enc'],
    context: (_c, row) => apiTokenContext(s(row.jti)),
  },
  {
    table: 'login_requests',
    key: 'id',
    columns: ['qr_secret_enc'],
    context: (_c, row) => loginRequestContext(s(row.id)),
  },
  {
    table: 'officers',
    key: 'id',
    columns: ['totp_secret_enc'],
    context: (_c, row) => totpContext(s(row.id)),
  },
];

/** The sealed values inside a registration flow's JSON (`flows.data`), with their contexts. */
const FLOW_VALUES: readonly { path: readonly [string, string]; context: (flowId: string) => string }[] = [
  { path: ['document', 'mrzSealed'], context: sealContext.mrz },
  { path: ['document', 'documentNumberSealed'], context: sealContext.mrzDocumentNumber },
  { path: ['details', 'documentNumberSealed'], context: sealContext.formDocumentNumber },
];

export interface TableReport {
  table: string;
  /** Values re-sealed under the first KEK by this run. */
  rewrapped: number;
  /** Values that did not open (unknown KEK, damaged): left as they are. */
  failed: number;
  /** Values still sealed under another KEK after the run, by KEK id. */
  remaining: Record<string, number>;
}

/** `v1.<kekId>.` of the first KEK: what every up-to-date value starts with. */
const activePrefix = (envelope: Envelope) => `v1.${envelope.activeKekId}.`;

function rewrapValue(envelope: Envelope, value: string, context: string): string {
  return envelope.seal(envelope.open(value, context), context);
}

async function rewrapTable(
  db: Kysely<Database>,
  envelope: Envelope,
  spec: SealedColumns,
  batchSize: number,
): Promise<{ rewrapped: number; failed: number }> {
  const prefix = activePrefix(envelope);
  let rewrapped = 0;
  const failedKeys: string[] = [];
  const stale = sql.join(
    spec.columns.map(
      (c) => sql`(${sql.ref(c)} is not null and left(${sql.ref(c)}, ${prefix.length}) <> ${prefix})`,
    ),
    sql` or `,
  );
  const selected = [spec.key, ...(spec.extra ?? []), ...spec.columns].map((c) => sql.ref(c));
  await inBatches(db, batchSize, async (trx: Transaction<Database>) => {
    const skipFailed =
      failedKeys.length > 0 ? sql`and ${sql.ref(spec.key)}::text not in (${sql.join(failedKeys)})` : sql``;
    const { rows } = await sql<Row>`
      select ${sql.join(selected)} from ${sql.table(spec.table)}
      where (${stale}) ${skipFailed}
      order by ${sql.ref(spec.key)} limit ${batchSize}
      for update skip locked`.execute(trx);
    for (const row of rows) {
      const updates: [string, string][] = [];
      let failed = false;
      for (const column of spec.columns) {
        const value = row[column];
        if (typeof value !== 'string' || value.startsWith(prefix)) continue;
        try {
          updates.push([column, rewrapValue(envelope, value, spec.context(column, row))]);
        } catch {
          failed = true;
        }
      }
      if (failed) failedKeys.push(s(row[spec.key]));
      if (updates.length === 0) continue;
      await sql`
        update ${sql.table(spec.table)}
        set ${sql.join(updates.map(([c, v]) => sql`${sql.ref(c)} = ${v}`))}
        where ${sql.ref(spec.key)} = ${row[spec.key]}`.execute(trx);
      rewrapped += updates.length;
    }
    return rows.length;
  });
  return { rewrapped, failed: failedKeys.length };
}

const flowValue = (data: unknown, [a, b]: readonly [string, string]): string | undefined => {
  const inner = (data as Record<string, unknown> | null)?.[a];
  const value = inner && typeof inner === 'object' ? (inner as Record<string, unknown>)[b] : undefined;
  return typeof value === 'string' ? value : undefined;
};

const flowData = (data: unknown): Record<string, unknown> =>
  (typeof data === 'string' ? JSON.parse(data) : data) as Record<string, unknown>;

/** Flows are short-lived and few: walked whole, by id, the stale values found in their JSON. */
async function rewrapFlows(db: Kysely<Database>, envelope: Envelope, batchSize: number) {
  const prefix = activePrefix(envelope);
  let rewrapped = 0;
  let failed = 0;
  let last = '';
  await inBatches(db, batchSize, async (trx) => {
    const { rows } = await sql<{ id: string; data: unknown }>`
      select id, data from flows
      where id::text > ${last} and position('"v1.' in data::text) > 0
      order by id::text limit ${batchSize}
      for update skip locked`.execute(trx);
    for (const row of rows) {
      last = row.id;
      const data = flowData(row.data);
      let changed = 0;
      for (const { path, context } of FLOW_VALUES) {
        const value = flowValue(data, path);
        if (!value || value.startsWith(prefix) || !Envelope.kekIdOf(value)) continue;
        try {
          (data[path[0]] as Record<string, unknown>)[path[1]] = rewrapValue(envelope, value, context(row.id));
          changed++;
        } catch {
          failed++;
        }
      }
      if (changed === 0) continue;
      // The version is left alone: an instance holding the flow writes it back (sealed under a
      // listed KEK) without a conflict, and the next run re-seals it.
      await trx
        .updateTable('flows')
        .set({ data: JSON.stringify(data) })
        .where('id', '=', row.id)
        .execute();
      rewrapped += changed;
    }
    return rows.length;
  });
  return { rewrapped, failed };
}

/** Values sealed under any KEK other than the first, by table and KEK id (no value is opened). */
export async function staleCounts(
  db: Kysely<Database>,
  envelope: Envelope,
): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const spec of SEALED_COLUMNS) {
    const counts: Record<string, number> = {};
    for (const column of spec.columns) {
      const { rows } = await sql<{ kek: string; n: number | string }>`
        select split_part(${sql.ref(column)}, '.', 2) as kek, count(*) as n
        from ${sql.table(spec.table)} where ${sql.ref(column)} is not null
        group by 1`.execute(db);
      for (const r of rows)
        if (r.kek !== envelope.activeKekId) counts[r.kek] = (counts[r.kek] ?? 0) + Number(r.n);
    }
    out[spec.table] = counts;
  }
  const flows: Record<string, number> = {};
  const { rows } = await sql<{ id: string; data: unknown }>`
    select id, data from flows where position('"v1.' in data::text) > 0`.execute(db);
  for (const row of rows) {
    const data = flowData(row.data);
    for (const { path } of FLOW_VALUES) {
      const kek = Envelope.kekIdOf(flowValue(data, path) ?? '');
      if (kek && kek !== envelope.activeKekId) flows[kek] = (flows[kek] ?? 0) + 1;
    }
  }
  out.flows = flows;
  return out;
}

/** Re-seal everything under the first KEK; per table what was done and what is left. */
export async function rewrapAll(
  db: Kysely<Database>,
  envelope: Envelope,
  options: { batchSize?: number } = {},
): Promise<TableReport[]> {
  const batchSize = options.batchSize ?? 200;
  const done: Record<string, { rewrapped: number; failed: number }> = {};
  for (const spec of SEALED_COLUMNS)
    done[spec.table] = await rewrapTable(
      db,
      envelope,
      spec,
      Math.min(batchSize, spec.batchSize ?? batchSize),
    );
  done.flows = await rewrapFlows(db, envelope, batchSize);
  const left = await staleCounts(db, envelope);
  return Object.entries(done).map(([table, d]) => ({ table, ...d, remaining: left[table] ?? {} }));
}

/** What `--check` reports: nothing is changed. */
export async function checkRewrap(db: Kysely<Database>, envelope: Envelope): Promise<TableReport[]> {
  const left = await staleCounts(db, envelope);
  return Object.entries(left).map(([table, remaining]) => ({ table, rewrapped: 0, failed: 0, remaining }));
}

/** Report lines (counts and KEK ids only, never a value). */
export function formatRewrapReport(envelope: Envelope, report: TableReport[], check: boolean): string[] {
  const lines = report.map((r) => {
    const left = Object.entries(r.remaining)
      .map(([kek, n]) => `${kek}=${n}`)
      .join(' ');
    return check
      ? `${r.table}: remaining ${left || '0'}`
      : `${r.table}: re-sealed ${r.rewrapped}, failed ${r.failed}, remaining ${left || '0'}`;
  });
  const byKek: Record<string, number> = {};
  for (const r of report)
    for (const [kek, n] of Object.entries(r.remaining)) byKek[kek] = (byKek[kek] ?? 0) + n;
  const total = Object.values(byKek).reduce((a, b) => a + b, 0);
  lines.push(
    total === 0
      ? `every sealed value is under KEK ${envelope.activeKekId}: 0 remaining`
      : `remaining under old KEKs: ${Object.entries(byKek)
          .map(([kek, n]) => `${kek}=${n}`)
          .join(' ')} (total ${total})`,
  );
  return lines;
}
