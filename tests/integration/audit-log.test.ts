/**
 * The tamper-evident audit log over HTTP on a real server (issue 19 item 2): what a request
 * audits is stored exactly as it was hashed (an emoji cut at the 60th UTF-16 unit used to break
 * the chain for good), parallel requests keep one linear chain, and every tampering someone with
 * write access to the database can do is reported by the verifier, each one: a row rewritten
 * with every later hash recomputed without the key, a middle row deleted, the newest rows deleted
 * (through the signed checkpoints written outside the database), a forged checkpoint. A key
 * rotation (rows under two key ids) verifies intact. With DATABASE_URL, `npm run audit:verify`
 * itself is run against the database.
 */
import { spawnSync } from 'node:child_process';
import { appendFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type AuditKey, keyedEventHash } from '@camdigikey/server/audit/audit-log';
import { formatAuditReport, verifyAuditLog } from '@camdigikey/server/audit/verify';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, TEST_AUDIT_KEYS, type TestServer } from '../support/server';

const REFRESH = '/api/v3.0/authentication/service-account/refresh-access-token';
const ROOT = join(import.meta.dirname, '../..');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const db = () => server.deps.db;
const verify = (s: TestServer = server) =>
  verifyAuditLog(s.deps.db, s.deps.config.audit.keys, s.deps.auditCheckpoints.store);

/** One anonymous, audited request: the client API refuses the malformed call and audits it. */
async function refused(clientId: string): Promise<void> {
  const res = await fetch(`${server.url}${REFRESH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId }),
  });
  expect(res.status).toBe(400);
}

const rows = () => db().selectFrom('audit_events').selectAll().orderBy('seq').execute();
const lastSeq = async () => Number((await rows()).at(-1)?.seq);

async function asIntruder(run: () => Promise<unknown>) {
  await sql`alter table audit_events disable trigger audit_events_no_update`.execute(db());
  try {
    await run();
  } finally {
    await sql`alter table audit_events enable trigger audit_events_no_update`.execute(db());
  }
}

describe('the audit log over HTTP', () => {
  it('stays intact after a client id whose 60th UTF-16 unit splits an emoji', async () => {
    const clientId = `${'a'.repeat(59)}😀`;
    await refused(clientId);
    const row = (await rows()).at(-1);
    expect(row).toMatchObject({ action: 'client_api.refused', actor_id: clientId });
    await refused(`${clientId}tail\u0000`);
    expect((await rows()).at(-1)?.actor_id).toBe(clientId);
    expect(await verify()).toMatchObject({ ok: true, breaks: [] });
  });

  it('keeps one linear chain under 60 parallel audited requests, checkpointed outside the database', async () => {
    const before = await lastSeq();
    await Promise.all(Array.from({ length: 60 }, (_, i) => refused(`parallel-${i}-😀`)));
    await server.deps.auditCheckpoints.checkpoint();
    const report = await verify();
    expect(report).toMatchObject({ ok: true, events: before + 60 });
    expect(report.checkpoints).toBeGreaterThanOrEqual(1);
    expect(formatAuditReport(report)).toEqual([
      `audit log intact: ${before + 60} rows, ${report.checkpoints} checkpoints`,
    ]);
  });

  it("keeps one linear chain when two instances on one database append at once (each one's known head goes stale)", async () => {
    // A database handle of its own (a plugin makes a new one), as a second process would have:
    // its own queue and its own idea of the head.
    const other = await startTestServer({
      shareWith: server,
      databasePlugins: [{ transformQuery: (a) => a.node, transformResult: async (a) => a.result }],
    });
    expect(other.deps.db).not.toBe(server.deps.db);
    try {
      const before = (await rows()).length;
      await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const res = await fetch(`${(i % 2 ? other : server).url}${REFRESH}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ clientId: `two-instances-${i}` }),
          });
          expect(res.status).toBe(400);
        }),
      );
      // In turn as well: every append of one instance moves the head the other one knew.
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${(i % 2 ? other : server).url}${REFRESH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clientId: `in-turn-${i}` }),
        });
        expect(res.status).toBe(400);
      }
      const all = await rows();
      expect(all.filter((r) => /^(two-instances|in-turn)-/.test(r.actor_id ?? ''))).toHaveLength(46);
      expect(await verify()).toMatchObject({ ok: true, events: before + 46, breaks: [] });
    } finally {
      await other.close();
    }
  });
});

describe('tampering with the audit log', () => {
  // Each case starts from a fresh log of 8 requests and a checkpoint of its head.
  beforeEach(async () => {
    await sql`truncate audit_events restart identity`.execute(db());
    const dir = server.deps.config.audit.checkpointDir;
    for (const name of await readdir(dir).catch(() => [])) await rm(join(dir, name));
    for (let i = 0; i < 8; i++) await refused(`tamper-${i}`);
    await server.deps.auditCheckpoints.checkpoint();
    expect(await verify()).toMatchObject({ ok: true, events: 8, checkpoints: 1 });
  });

  it('detects a row rewritten with every later hash recomputed without the key', async () => {
    const guess: AuditKey = { id: server.deps.config.audit.keys[0]?.id ?? '', key: new Uint8Array(32) };
    await asIntruder(async () => {
      let prev = '';
      for (const row of await rows()) {
        if (Number(row.seq) < 3) {
          prev = row.hash;
          continue;
        }
        const changed = Number(row.seq) === 3 ? { ...row, actor_id: 'someone-else' } : row;
        const hash = keyedEventHash(guess, prev, changed);
        await db()
          .updateTable('audit_events')
          .set({ actor_id: changed.actor_id, prev_hash: prev, hash })
          .where('seq', '=', row.seq)
          .execute();
        prev = hash;
      }
    });
    const report = await verify();
    expect(report.breaks.map((b) => [b.kind, b.seq, b.toSeq])).toEqual([
      ['content_changed', 3, 8],
      ['checkpoint_mismatch', 8, undefined],
    ]);
  });

  it('detects the newest rows deleted through the checkpoint', async () => {
    await asIntruder(() => db().deleteFrom('audit_events').where('seq', '>', 5).execute());
    const report = await verify();
    expect(report.breaks).toEqual([expect.objectContaining({ kind: 'truncated', seq: 8, checkpoint: 1 })]);
    expect(formatAuditReport(report).join('\n')).toMatch(/truncated after checkpoint/);
  });

  it('detects a deleted middle row, and reports two separate tamperings both', async () => {
    await asIntruder(async () => {
      await db().deleteFrom('audit_events').where('seq', '=', 4).execute();
      await sql`update audit_events set ip = '203.0.113.9' where seq = 7`.execute(db());
    });
    const report = await verify();
    expect(report.breaks.map((b) => [b.kind, b.seq])).toEqual([
      ['row_missing', 5],
      ['content_changed', 7],
    ]);
  });

  it('detects a forged checkpoint', async () => {
    const dir = server.deps.config.audit.checkpointDir;
    const [file] = await readdir(dir);
    const forged = {
      seq: 8,
      hash: 'f'.repeat(64),
      at: '2026-11-30T02:00:00.000Z',
      keyId: 'test-audit-1',
      mac: '0'.repeat(64),
    };
    await appendFile(join(dir, file as string), `${JSON.stringify(forged)}\n`);
    const report = await verify();
    expect(report.breaks).toEqual([
      expect.objectContaining({ kind: 'checkpoint_signature_invalid', seq: 8, checkpoint: 2 }),
    ]);
  });

  it('verifies rows chained under two key ids after a rotation', async () => {
    const [id, key] = TEST_AUDIT_KEYS.split(':');
    const rotated = await startTestServer({
      shareWith: server,
      env: { AUDIT_KEYS: `test-audit-2:${Buffer.alloc(32, 8).toString('base64')},${id}:${key}` },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${rotated.url}${REFRESH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clientId: `rotated-${i}` }),
        });
        expect(res.status).toBe(400);
      }
      await rotated.deps.auditCheckpoints.checkpoint();
      expect((await rows()).map((r) => r.key_id)).toEqual([
        ...Array(8).fill('test-audit-1'),
        ...Array(3).fill('test-audit-2'),
      ]);
      expect(await verify(rotated)).toMatchObject({ ok: true, events: 11, checkpoints: 2 });
      // Without the new key, its rows (and its checkpoint) are named, not silently accepted.
      const old = await verify(server);
      expect(old.breaks.map((b) => [b.kind, b.seq])).toEqual([
        ['unknown_key_id', 9],
        ['unknown_key_id', 11],
      ]);
    } finally {
      await rotated.close();
    }
  });

  it.runIf(process.env.DATABASE_URL)(
    'npm run audit:verify names every break and exits 1, or says intact',
    async () => {
      const run = () =>
        spawnSync(
          'npx',
          ['tsx', 'apps/server/src/cli/audit-verify.ts', server.deps.config.audit.checkpointDir],
          {
            cwd: ROOT,
            encoding: 'utf8',
            env: {
              ...process.env,
              DATABASE_URL: server.database.url,
              AUDIT_KEYS: TEST_AUDIT_KEYS,
              NODE_ENV: 'test',
            },
          },
        );
      const intact = run();
      expect(intact.stdout).toContain('audit log intact: 8 rows, 1 checkpoints');
      expect(intact.status).toBe(0);
      await asIntruder(async () => {
        await db().deleteFrom('audit_events').where('seq', '=', 3).execute();
        await db().deleteFrom('audit_events').where('seq', '>', 6).execute();
      });
      const broken = run();
      expect(broken.status).toBe(1);
      expect(broken.stderr).toMatch(/row #4: row missing/);
      expect(broken.stderr).toMatch(/checkpoint 1, row #8: truncated after checkpoint/);
    },
  );
});
