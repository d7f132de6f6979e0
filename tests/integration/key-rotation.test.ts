/**
 * The key-rotation runbooks' commands (issue 15, item 5; docs/operations.md §6), on a cluster of
 * instances sharing one database (PGlite, or PostgreSQL with DATABASE_URL):
 * - `keys rewrap`: data sealed under KEK A (a citizen's account, blobs, a half-done registration's
 *   flow, the OIDC signing keys, a relying party's secret, the platform keys); the instances are
 *   rolled to `DATA_KEKS=B,A`; the re-wrap re-seals every value under B; `--check` reports 0
 *   remaining; an instance with only B starts, opens everything and the citizen logs in with it.
 * - `keys rotate-signing`: the JWKS lists the new and the old kids, new ID tokens carry the new
 *   kid, tokens signed before still verify; the rotation is in the audit log.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { personalOf } from '@camdigikey/server/accounts/personal-data';
import { keysCommand } from '@camdigikey/server/cli/keys-command';
import { Envelope, type Kek } from '@camdigikey/server/crypto/envelope';
import { sealContext } from '@camdigikey/server/flows/registration/flow-data';
import { SEALED_COLUMNS, staleCounts } from '@camdigikey/server/keys/rewrap';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser';
import { type ActiveCitizen, activeCitizen, registerRelyingParty } from '../support/citizens';
import { callbackAfterLoginPage, openLoginPage, scanAndApprove } from '../support/qr-login';
import { startTestServer, type TestServer } from '../support/server';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REDIRECT = 'http://127.0.0.1:9999/callback';
const b64 = (k: Uint8Array) => Buffer.from(k).toString('base64');
const kekList = (keks: Kek[]) => keks.map((k) => `${k.id}:${b64(k.key)}`).join(',');

let first: TestServer;
/** The instances started at the first one's address, newest last (each closed before the next). */
const instances: TestServer[] = [];
const current = () => instances.at(-1) ?? first;
let citizen: ActiveCitizen;
let rp: { clientId: string; clientSecret: string };
let pendingFlowId: string;
let kekA: Kek;
const kekB: Kek = { id: `kek-b-${randomBytes(3).toString('hex')}`, key: randomBytes(32) };

/** Stop the current instance's listener and start one at the same address with these KEKs. */
async function roll(keks: Kek[]): Promise<TestServer> {
  const port = Number(new URL(first.url).port);
  const previous = current();
  // As its close() does, without closing the shared database: streams ended, listeners closed,
  // and no kept-alive connection left for the next request to the address to land on.
  previous.app.endStreams();
  await previous.clientApiTls?.close();
  await previous.app.fastify.close();
  previous.app.fastify.server.closeAllConnections();
  const next = await startTestServer({ shareWith: first, port, env: { DATA_KEKS: kekList(keks) } });
  instances.push(next);
  // The test process's fetch pool may still hold kept-alive sockets to the stopped listener: each
  // failed request drops one. Wait until the address answers (the new instance), a bounded number
  // of tries.
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${next.url}/oidc/jwks`)).ok) break;
    } catch (error) {
      if (attempt >= 50) throw error;
    }
  }
  return next;
}

async function login(server: TestServer, browser: TestBrowser) {
  const cfg = await oidc.discovery(
    new URL(`${server.url}/oidc`),
    rp.clientId,
    undefined,
    oidc.ClientSecretBasic(rp.clientSecret),
    { execute: [oidc.allowInsecureRequests] },
  );
  const verifier = oidc.randomPKCECodeVerifier();
  const params = {
    redirect_uri: REDIRECT,
    scope: 'openid profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
  };
  const page = await openLoginPage(server, browser, oidc.buildAuthorizationUrl(cfg, params).toString());
  if (page.requestId) await scanAndApprove(server, browser, citizen, page);
  const callback = page.url.startsWith(REDIRECT)
    ? page.url
    : await callbackAfterLoginPage(server, browser, page);
  if (!callback.startsWith(REDIRECT)) throw new Error(`login ended at ${callback}`);
  return oidc.authorizationCodeGrant(cfg, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: params.state,
    expectedNonce: params.nonce,
  });
}

async function run(args: string[], server: TestServer) {
  const lines: string[] = [];
  const code = await keysCommand(args, {
    db: server.deps.db,
    envelope: server.deps.envelope,
    now: () => server.deps.clock.now(),
    print: (line) => lines.push(line),
  });
  return { code, lines };
}

/** Every sealed value in the database, with the context it opens with. */
async function everySealedValue(
  server: TestServer,
): Promise<{ table: string; value: string; context: string }[]> {
  const out: { table: string; value: string; context: string }[] = [];
  for (const spec of SEALED_COLUMNS) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(spec.table)}`.execute(
      server.deps.db,
    );
    for (const row of rows)
      for (const column of spec.columns) {
        const value = row[column];
        if (typeof value === 'string')
          out.push({ table: spec.table, value, context: spec.context(column, row) });
      }
  }
  const flow = await server.deps.db
    .selectFrom('flows')
    .select(['id', 'data'])
    .where('id', '=', pendingFlowId)
    .executeTakeFirstOrThrow();
  const data = (typeof flow.data === 'string' ? JSON.parse(flow.data) : flow.data) as {
    document: { mrzSealed: string; documentNumberSealed: string };
    details: { documentNumberSealed: string };
  };
  out.push(
    { table: 'flows', value: data.document.mrzSealed, context: sealContext.mrz(flow.id) },
    {
      table: 'flows',
      value: data.document.documentNumberSealed,
      context: sealContext.mrzDocumentNumber(flow.id),
    },
    {
      table: 'flows',
      value: data.details.documentNumberSealed,
      context: sealContext.formDocumentNumber(flow.id),
    },
  );
  return out;
}

beforeAll(async () => {
  first = await startTestServer();
  kekA = first.deps.config.secrets.keks[0]!;
  citizen = await activeCitizen(first, 8611);
  rp = await registerRelyingParty(first, { appName: 'Land Registry', domain: 'land.example.gov.kh' });
  // A registration left before its last step: its flow holds the sealed MRZ and document number.
  const device = await first.device();
  const pending = await walkRegistration(device, makeCitizen(8612), {
    otp: { sms: (p) => first.smsCode(p), email: (a) => first.emailCode(a) },
    stopBefore: 'submit',
  });
  pendingFlowId = pending.id;
  // One login under KEK A: the login request's secret is sealed too.
  await login(first, new TestBrowser());
});

afterAll(async () => {
  for (const server of instances.reverse()) await server.close();
  await first?.close();
});

describe('keys rewrap', () => {
  it('re-seals every value under the first KEK, so that KEK alone opens everything', async () => {
    const before = await everySealedValue(first);
    const tables = new Set(before.map((v) => v.table));
    for (const t of ['accounts', 'blobs', 'signing_keys', 'relying_parties', 'login_requests', 'flows'])
      expect(tables).toContain(t);
    expect(before.every((v) => Envelope.kekIdOf(v.value) === kekA.id)).toBe(true);

    // Step 2 of the runbook: every instance rolled to DATA_KEKS=B,A (B seals, both open).
    const rolled = await roll([kekB, kekA]);
    const check = await run(['rewrap', '--check'], rolled);
    expect(check.code).toBe(1);
    expect(check.lines.at(-1)).toBe(
      `remaining under old KEKs: ${kekA.id}=${before.length} (total ${before.length})`,
    );

    // Step 3: the re-wrap, twice (the second finds nothing left: idempotent).
    const once = await run(['rewrap', '--batch', '2'], rolled);
    expect(once.code, once.lines.join('\n')).toBe(0);
    expect(once.lines).toContain('accounts: re-sealed 3, failed 0, remaining 0');
    expect(once.lines).toContain('flows: re-sealed 3, failed 0, remaining 0');
    expect(once.lines.at(-1)).toBe(`every sealed value is under KEK ${kekB.id}: 0 remaining`);
    const total = once.lines
      .slice(0, -1)
      .reduce((n, line) => n + Number(/re-sealed (\d+)/.exec(line)?.[1] ?? 'NaN'), 0);
    expect(total).toBe(before.length);
    const twice = await run(['rewrap'], rolled);
    expect(twice.lines.filter((l) => !/re-sealed 0, failed 0, remaining 0$/.test(l))).toEqual([
      `every sealed value is under KEK ${kekB.id}: 0 remaining`,
    ]);
    expect((await run(['rewrap', '--check'], rolled)).code).toBe(0);

    // KEK B alone opens every value, with the same plaintext as before.
    const onlyB = new Envelope([kekB]);
    const onlyA = new Envelope([kekA]);
    const after = await everySealedValue(rolled);
    expect(after).toHaveLength(before.length);
    for (const v of after) expect(Envelope.kekIdOf(v.value)).toBe(kekB.id);
    // The same plaintext as before (rows come back in any order: keyed by table and context).
    const plain = (e: Envelope, vs: typeof before) =>
      Object.fromEntries(
        vs.map((v) => [`${v.table} ${v.context}`, e.open(v.value, v.context).toString('base64')]),
      );
    expect(plain(onlyB, after)).toEqual(plain(onlyA, before));
    expect(
      Object.values(await staleCounts(rolled.deps.db, onlyB)).every((c) => Object.keys(c).length === 0),
    ).toBe(true);
  });

  it('lets an instance with only the new KEK start, read the citizen back and log them in', async () => {
    const onlyB = await roll([kekB]);
    expect(onlyB.deps.config.secrets.keks.map((k) => k.id)).toEqual([kekB.id]);
    expect(await personalOf(onlyB.deps.db, onlyB.deps.envelope, citizen.accountId)).toMatchObject({
      latinSurname: citizen.citizen.latinSurname,
      birthDate: citizen.citizen.birthDate,
    });
    const tokens = await login(onlyB, new TestBrowser());
    expect(tokens.claims()?.sub).toBeTruthy();
  });

  it.runIf(process.env.DATABASE_URL)(
    'is `npm run keys -- rewrap --check` with the keys from the environment',
    () => {
      const keys = (...args: string[]) =>
        spawnSync('npx', ['tsx', 'apps/server/src/cli/cli.ts', 'keys', ...args], {
          cwd: ROOT,
          encoding: 'utf8',
          env: {
            ...process.env,
            DATABASE_URL: first.database.url,
            DATA_KEKS: kekList([kekB]),
            BLIND_INDEX_KEY: b64(first.deps.config.secrets.blindIndexKey),
            AUDIT_KEYS: `cli-audit:${b64(randomBytes(32))}`,
            NODE_ENV: 'test',
          },
        });
      const check = keys('rewrap', '--check');
      expect(check.status, check.stderr).toBe(0);
      expect(check.stdout).toContain(`every sealed value is under KEK ${kekB.id}: 0 remaining`);
      expect(keys('rewrap', '--bogus', 'x', '--batch', '0').status).toBe(2);
    },
  );
});

describe('keys rotate-signing', () => {
  it('publishes new kids first, signs new tokens with them and keeps the old ones verifying', async () => {
    const browser = new TestBrowser();
    const before = await login(current(), browser);
    const oldKid = decodeProtectedHeader(before.id_token!).kid;
    const rotated = await run(['rotate-signing', '--keep-days', '2'], current());
    expect(rotated.code).toBe(0);
    const newKids = rotated.lines.flatMap((l) => /^new (\w+) signing key: (\S+)$/.exec(l)?.[2] ?? []);
    expect(newKids).toHaveLength(2);
    expect(newKids).not.toContain(oldKid);
    const audit = await current()
      .deps.db.selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'oidc.signing_keys_rotated')
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.details)).toContain(newKids[0]!);

    // The instances sign with the new keys from their next start.
    const restarted = await roll([kekB]);
    const jwks = (await (await fetch(`${restarted.url}/oidc/jwks`)).json()) as { keys: { kid: string }[] };
    const kids = jwks.keys.map((k) => k.kid);
    for (const kid of [...newKids, oldKid]) expect(kids).toContain(kid);
    expect(kids.indexOf(newKids.find((k) => k.startsWith('es256'))!)).toBeLessThan(kids.indexOf(oldKid!));
    const after = await login(restarted, new TestBrowser());
    expect(newKids).toContain(decodeProtectedHeader(after.id_token!).kid);
    const set = createRemoteJWKSet(new URL(`${restarted.url}/oidc/jwks`));
    await expect(
      jwtVerify(before.id_token!, set, { currentDate: restarted.clock.now() }),
    ).resolves.toBeTruthy();
    await expect(
      jwtVerify(after.id_token!, set, { currentDate: restarted.clock.now() }),
    ).resolves.toBeTruthy();
  });
});

describe('keys rewrap on a busy or damaged database', () => {
  const both = () => new Envelope([kekB, kekA]);
  const runWith = async (envelope: Envelope, args: string[]) => {
    const lines: string[] = [];
    const code = await keysCommand(args, {
      db: current().deps.db,
      envelope,
      now: () => current().deps.clock.now(),
      print: (line) => lines.push(line),
    });
    return { code, lines };
  };

  it('leaves a value no listed KEK opens, counts it as failed and still finishes', async () => {
    const { db } = current().deps;
    const row = await db
      .selectFrom('relying_parties')
      .select(['client_id', 'client_secret_enc'])
      .where('client_id', '=', rp.clientId)
      .executeTakeFirstOrThrow();
    const context = SEALED_COLUMNS.find((s) => s.table === 'relying_parties')!.context(
      'client_secret_enc',
      row,
    );
    const kekC: Kek = { id: 'kek-c-gone', key: randomBytes(32) };
    const lost = new Envelope([kekC]).sealText('whatever', context);
    await db
      .updateTable('relying_parties')
      .set({ client_secret_enc: lost })
      .where('client_id', '=', rp.clientId)
      .execute();
    try {
      const result = await runWith(both(), ['rewrap', '--batch', '1']);
      expect(result.code).toBe(1);
      expect(result.lines).toContain('relying_parties: re-sealed 0, failed 1, remaining kek-c-gone=1');
      expect(result.lines.at(-1)).toBe('remaining under old KEKs: kek-c-gone=1 (total 1)');
    } finally {
      await db
        .updateTable('relying_parties')
        .set({ client_secret_enc: row.client_secret_enc })
        .where('client_id', '=', rp.clientId)
        .execute();
    }
  });

  // PGlite has one connection: a second transaction waits for the first instead of skipping.
  it.runIf(process.env.DATABASE_URL)(
    'skips a row an instance holds locked, and a second run finishes it',
    async () => {
      const { db } = current().deps;
      const context = sealContext.accountMrz(citizen.accountId);
      const account = await db
        .selectFrom('accounts')
        .select('mrz_enc')
        .where('id', '=', citizen.accountId)
        .executeTakeFirstOrThrow();
      const underA = new Envelope([kekA]).seal(both().open(account.mrz_enc, context), context);
      await db.updateTable('accounts').set({ mrz_enc: underA }).where('id', '=', citizen.accountId).execute();
      await db.transaction().execute(async (trx) => {
        await trx
          .selectFrom('accounts')
          .select('id')
          .where('id', '=', citizen.accountId)
          .forUpdate()
          .execute();
        const busy = await runWith(both(), ['rewrap']);
        expect(busy.code).toBe(1);
        expect(busy.lines).toContain(`accounts: re-sealed 0, failed 0, remaining ${kekA.id}=1`);
      });
      const after = await runWith(both(), ['rewrap']);
      expect(after.code).toBe(0);
      expect(after.lines).toContain('accounts: re-sealed 1, failed 0, remaining 0');
    },
  );
});
