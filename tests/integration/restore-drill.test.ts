/**
 * The restore drill of docs/operations.md ("Backup and restore"), run as the operator would run
 * it, on a PostgreSQL of the test's own and the compiled release:
 *   1. a citizen registers and logs in (audit events are written);
 *   2. backup: `pg_dump --format=custom`;
 *   3. disaster: the database is dropped and created empty;
 *   4. restore: `pg_restore` into it;
 *   5. `node apps/server/dist/cli.mjs audit-verify` (= npm run audit:verify) finds the keyed
 *      chain intact, with every event of before the backup, and agreeing with the checkpoint the
 *      server wrote outside the database when it stopped;
 *   6. the server starts again with the SAME secrets and the citizen logs in.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { productionSecretsEnv } from '@camdigikey/server/cli/secrets';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { freeLoopbackPort, type LocalPostgres, startLocalPostgres } from '@camdigikey/testkit/local-services';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import { extractOtp, type SmtpInbox, startSmtpInbox } from '@camdigikey/testkit/smtp-inbox';
import { TestDevice } from '@camdigikey/testkit/test-device';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../scripts/build.mjs';
import type { ActiveCitizen } from '../support/citizens';
import { qrLoginCallback } from '../support/qr-login';
import type { TestServer } from '../support/server';

const root = join(import.meta.dirname, '../..');
const MAIN = join(root, 'apps/server/dist/main.mjs');
const CLI = join(root, 'apps/server/dist/cli.mjs');

let postgres: LocalPostgres;
let inbox: SmtpInbox;
let env: NodeJS.ProcessEnv;
let url = '';
let server: ChildProcess | undefined;
let output = '';
let dir = '';
let who: ActiveCitizen;
let clientId = '';
let eventsBefore = 0;

async function startServer() {
  output = '';
  server = spawn(process.execPath, [MAIN], { cwd: root, env });
  server.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  server.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  for (;;) {
    if (server.exitCode !== null) throw new Error(`server exited ${server.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopServer() {
  const s = server;
  if (!s || s.exitCode !== null) return;
  const exited = new Promise((resolve) => s.once('exit', resolve));
  s.kill('SIGTERM');
  await exited;
}

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
const sql = async (database: string, text: string) => {
  const client = new pg.Client({ connectionString: postgres.url.replace(/\/postgres$/, `/${database}`) });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
};

beforeAll(async () => {
  await buildAll({ ifStale: true, quiet: true });
  [postgres, inbox] = await Promise.all([startLocalPostgres(), startSmtpInbox()]);
  await sql('postgres', 'create database camdigikey');
  dir = mkdtempSync(join(tmpdir(), 'cdk-restore-'));
  const port = await freeLoopbackPort();
  url = `http://127.0.0.1:${port}`;
  env = {
    PATH: process.env.PATH,
    ...productionSecretsEnv(),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: url,
    DATABASE_URL: postgres.url.replace(/\/postgres$/, '/camdigikey'),
    SMTP_URL: `smtp://127.0.0.1:${inbox.port}`,
    LOG_LEVEL: 'warn',
    EVIDENCE_WORKER: 'false',
    // The signed checkpoints of the audit chain, kept (as an operator ships them) off the database.
    AUDIT_CHECKPOINT_DIR: join(dir, 'audit-checkpoints'),
  };
}, 300_000);

afterAll(async () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  await Promise.all([postgres?.stop(), inbox?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('the restore drill', () => {
  it('backs up, wipes, restores, verifies the audit chain, and the citizen logs in again', async () => {
    // An SMS gateway of our own (production mode has no development outbox).
    const sms: { to: string; text: string }[] = [];
    const { createServer } = await import('node:http');
    const gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        sms.push(JSON.parse(body) as { to: string; text: string });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    env.SMS_GATEWAY_URL = `http://127.0.0.1:${(gateway.address() as { port: number }).port}/sms`;
    try {
      // 1. A citizen registers (approved as an officer would) and logs in.
      expect(cli('migrate', 'up').status).toBe(0);
      await startServer();
      const citizen = makeCitizen(15_500);
      const device = await TestDevice.create(url);
      const flow = await walkRegistration(device, citizen, {
        otp: {
          sms: async (phone) => {
            for (;;) {
              const code = extractOtp(sms.findLast((m) => m.to === phone)?.text ?? '');
              if (code) return code;
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          },
          email: async (address) =>
            extractOtp((await inbox.waitFor({ to: address }, 120_000)).text) as string,
        },
      });
      who = { citizen, device, accountId: flow.account!.id };
      await sql('camdigikey', `update accounts set status = 'active' where id = '${who.accountId}'`);
      const rp = await fetch(`${url}/api/admin/v1/relying-parties`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          organisation: 'Ministry of Commerce',
          appName: 'Business Registration',
          domain: 'business.example.gov.kh',
          redirectUris: ['http://127.0.0.1:9999/callback'],
          postLogoutRedirectUris: ['http://127.0.0.1:9999/'],
          allowedScopes: ['openid', 'profile'],
        }),
      });
      expect(rp.status).toBe(201);
      clientId = ((await rp.json()) as { clientId: string }).clientId;
      const self = { url } as TestServer;
      expect(await qrLoginCallback(self, who, clientId)).toMatch(/callback\?code=/);
      await stopServer();
      eventsBefore = (await sql('camdigikey', 'select count(*)::int as n from audit_events'))[0].n;
      expect(eventsBefore).toBeGreaterThan(3);

      // 2. Backup.
      const dump = join(dir, 'camdigikey.dump');
      postgres.run('pg_dump', ['--format=custom', `--file=${dump}`, '--dbname', env.DATABASE_URL as string]);

      // 3. Disaster: the database is gone.
      await sql('postgres', 'drop database camdigikey');
      await sql('postgres', 'create database camdigikey');
      const empty = cli('audit-verify');
      expect(empty.stdout).not.toMatch(/intact: [1-9]/);
      // An empty database gets one sentence, not a raw "relation does not exist".
      expect(empty.status).toBe(2);
      expect(empty.stderr).toMatch(/not migrated to this release/);
      expect(empty.stderr).not.toMatch(/relation .* does not exist|\n\s+at /);
      expect(cli('keys', 'rewrap', '--check').stderr).toMatch(/not migrated to this release/);

      // 4. Restore.
      postgres.run('pg_restore', [
        '--dbname',
        env.DATABASE_URL as string,
        '--no-owner',
        '--exit-on-error',
        dump,
      ]);

      // 5. The audit chain is whole, every event of before the backup in it.
      const verified = cli('audit-verify');
      expect(verified.status, verified.stderr).toBe(0);
      // The checkpoint the server wrote on its graceful stop names the newest row of the backup.
      expect(verified.stdout).toMatch(
        new RegExp(`audit log intact: ${eventsBefore} rows, [1-9]\\d* checkpoints`),
      );

      // 6. The server starts on the restored database and the citizen logs in.
      await startServer();
      expect(await qrLoginCallback(self, who, clientId)).toMatch(/callback\?code=/);
      const after = cli('audit-verify');
      expect(after.status).toBe(0);
      await stopServer();
    } finally {
      await new Promise((resolve) => gateway.close(resolve));
    }
  }, 600_000);
});
