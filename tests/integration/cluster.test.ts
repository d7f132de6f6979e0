/**
 * The platform as a cluster on this machine (issue 15): HAProxy (round robin, /readyz checks) in
 * front of three `web` instances, and two `worker` processes, all the compiled release run by
 * node in production mode, on ONE PostgreSQL and ONE Redis that this test starts (own ports and
 * folders). Outside systems are the production adapters pointed at fakes: an HTTP SMS gateway
 * and an SMTP inbox in this process, the civil-registry simulator.
 *
 *  1. registrations from four phones spread over the web instances; one worker is killed while
 *     an evidence job runs and restarted: every job ends done, and every evidence record exists
 *     exactly once;
 *  2. QR logins whose login pages hold event streams through the balancer: the web instance
 *     holding most streams is killed mid-login; its streams reconnect through the balancer to
 *     the others and every login completes; it is restarted and takes traffic again;
 *  3. app-to-app logins (client API) complete through the balancer;
 *  4. each of the three web instances served requests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CamDigiKeyClient } from '@camdigikey/client';
import { productionSecretsEnv } from '@camdigikey/server/cli/secrets';
import { startRegistrySimulator } from '@camdigikey/server/dev/registry-simulator';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import {
  freeLoopbackPort,
  type LocalPostgres,
  type LocalRedis,
  startLocalPostgres,
  startLocalRedis,
} from '@camdigikey/testkit/local-services';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import { extractOtp, type SmtpInbox, startSmtpInbox } from '@camdigikey/testkit/smtp-inbox';
import { TestDevice } from '@camdigikey/testkit/test-device';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../scripts/build.mjs';
import { TestBrowser } from '../support/browser';
import { completeAndConsent, LOGIN, openLoginPage } from '../support/qr-login';
import type { TestServer } from '../support/server';

const root = join(import.meta.dirname, '../..');
const MAIN = join(root, 'apps/server/dist/main.mjs');
const CLI = join(root, 'apps/server/dist/cli.mjs');

interface Instance {
  name: string;
  role: 'web' | 'worker';
  port: number;
  metricsPort: number;
  child: ChildProcess;
  output: string;
}

let pgServer: LocalPostgres;
let redis: LocalRedis;
let inbox: SmtpInbox;
let registry: Awaited<ReturnType<typeof startRegistrySimulator>>;
let smsGateway: Server;
const sms: { to: string; text: string }[] = [];
let env: NodeJS.ProcessEnv;
let lbUrl = '';
let haproxy: ChildProcess;
let workDir = '';
const auditDir = mkdtempSync(join(tmpdir(), 'cdk-cluster-audit-'));
const webs: Instance[] = [];
const workers: Instance[] = [];
let db: pg.Pool;
const registered: { accountId: string; device: TestDevice; pin: string }[] = [];
let rpClientId = '';

let finished = false;
const until = async (check: () => Promise<boolean> | boolean, what: string, instance?: Instance) => {
  for (;;) {
    if (finished) throw new Error(`the test ended while waiting for ${what}`);
    if (await check()) return;
    if (instance && instance.child.exitCode !== null)
      throw new Error(`${instance.name} exited while waiting for ${what}:\n${instance.output.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/**
 * Waits until instance `index` of `list` is ready. Test files run in parallel: a port found free
 * can be taken by another file before the instance binds it; the instance then exits saying so,
 * and is launched again on other ports (twice at most).
 */
async function readyOnFreePorts(list: Instance[], index: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const instance = list[index]!;
    try {
      await until(() => isReady(instance), `${instance.name} ready`, instance);
      return;
    } catch (error) {
      if (attempt >= 3 || !instance.output.includes('already in use')) throw error;
      list[index] = launch(instance.name, instance.role, await freeLoopbackPort(), await freeLoopbackPort());
    }
  }
}

function launch(name: string, role: 'web' | 'worker', port: number, metricsPort: number): Instance {
  const child = spawn(process.execPath, [MAIN], {
    cwd: root,
    env: { ...env, SERVER_ROLE: role, PORT: String(port), METRICS_PORT: String(metricsPort) },
  });
  const instance: Instance = { name, role, port, metricsPort, child, output: '' };
  child.stdout?.on('data', (d: Buffer) => {
    instance.output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    instance.output += d.toString();
  });
  return instance;
}

const isReady = (i: Instance) =>
  fetch(`http://127.0.0.1:${i.port}/readyz`)
    .then((r) => r.status === 200)
    .catch(() => false);

async function restart(i: Instance): Promise<Instance> {
  const again = launch(i.name, i.role, i.port, i.metricsPort);
  await until(() => isReady(again), `${i.name} ready again`, again);
  return again;
}

const killed = (i: Instance) =>
  new Promise<void>((resolve) => {
    if (i.child.exitCode !== null || i.child.signalCode !== null) resolve();
    else i.child.once('exit', () => resolve());
    i.child.kill('SIGKILL');
  });

/** An event-stream client that reconnects through the balancer, as EventSource does. */
class Stream {
  readonly events: { event: string; data: unknown; connection: number }[] = [];
  readonly servedBy: string[] = [];
  private closed = false;
  private controller = new AbortController();
  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
  ) {
    void this.run();
  }
  get connections() {
    return this.servedBy.length;
  }
  private async run() {
    while (!this.closed) {
      try {
        this.controller = new AbortController();
        const response = await fetch(this.url, { headers: this.headers, signal: this.controller.signal });
        if (response.status !== 200 || !response.body) {
          await response.body?.cancel();
          await new Promise((resolve) => setTimeout(resolve, 200));
          continue;
        }
        this.servedBy.push(response.headers.get('x-served-by') ?? '?');
        const connection = this.servedBy.length;
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of response.body) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) this.events.push({ event, data: JSON.parse(data), connection });
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // Cut by a killed instance (or by close()): reconnect unless closed.
      }
      if (!this.closed) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  /** The next event of `event` (after index `from`) that satisfies `test`. */
  async next<T>(event: string, test: (data: T) => boolean = () => true, from = 0): Promise<T> {
    for (;;) {
      const found = this.events.slice(from).find((e) => e.event === event && test(e.data as T));
      if (found) return found.data as T;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  close() {
    this.closed = true;
    this.controller.abort();
  }
}

beforeAll(async () => {
  await buildAll({ ifStale: true, quiet: true });
  [pgServer, redis, inbox, registry] = await Promise.all([
    startLocalPostgres(),
    startLocalRedis(),
    startSmtpInbox(),
    startRegistrySimulator({ port: 0 }),
  ]);
  smsGateway = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      sms.push(JSON.parse(body) as { to: string; text: string });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => smsGateway.listen(0, '127.0.0.1', resolve));
  const smsPort = (smsGateway.address() as { port: number }).port;
  const lbPort = await freeLoopbackPort();
  lbUrl = `http://127.0.0.1:${lbPort}`;
  env = {
    PATH: process.env.PATH,
    ...productionSecretsEnv(),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PUBLIC_URL: lbUrl,
    TRUST_PROXY: 'true',
    DATABASE_URL: pgServer.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: redis.url,
    SMTP_URL: `smtp://127.0.0.1:${inbox.port}`,
    SMS_GATEWAY_URL: `http://127.0.0.1:${smsPort}/sms`,
    CIVIL_REGISTRY_URL: registry.url,
    PIN_HASH_THREADS: '1',
    EVIDENCE_POLL_MS: '500',
    JOB_LEASE_SECONDS: '10',
    // A scan may take seconds on a loaded machine; QR freshness has its own tests.
    QR_MAX_AGE_SECONDS: '20',
    LOG_LEVEL: 'warn',
    // Audit checkpoints of this run's database, not in the repository's .data.
    AUDIT_CHECKPOINT_DIR: auditDir,
  };
  const migrated = spawnSync(process.execPath, [CLI, 'migrate', 'up'], { env, encoding: 'utf8' });
  expect(migrated.status, migrated.stderr).toBe(0);
  db = new pg.Pool({ connectionString: pgServer.url, max: 2 });

  for (let i = 0; i < 3; i++)
    webs.push(launch(`web${i + 1}`, 'web', await freeLoopbackPort(), await freeLoopbackPort()));
  for (let i = 0; i < 2; i++)
    workers.push(launch(`worker${i + 1}`, 'worker', await freeLoopbackPort(), await freeLoopbackPort()));
  await Promise.all([
    ...webs.map((_, i) => readyOnFreePorts(webs, i)),
    ...workers.map((_, i) => readyOnFreePorts(workers, i)),
  ]);

  workDir = mkdtempSync(join(tmpdir(), 'cdk-cluster-'));
  const cfg = join(workDir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    [
      'defaults',
      '  mode http',
      '  option forwardfor',
      // A killed instance refuses connections: such requests (never processed) go to another.
      '  option redispatch',
      '  retries 3',
      '  retry-on conn-failure empty-response',
      '  timeout connect 2s',
      // Generous: this machine may be heavily loaded, and a slow /readyz is not a dead instance.
      '  timeout check 10s',
      '  timeout client 60s',
      '  timeout server 60s',
      'frontend public',
      `  bind 127.0.0.1:${lbPort}`,
      '  http-response set-header X-Served-By %s',
      '  default_backend web',
      'backend web',
      '  balance roundrobin',
      '  option httpchk GET /readyz',
      '  http-check expect status 200',
      '  default-server inter 1s fall 3 rise 1',
      ...webs.map((w) => `  server ${w.name} 127.0.0.1:${w.port} check`),
      '',
    ].join('\n'),
  );
  haproxy = spawn('haproxy', ['-db', '-f', cfg], { stdio: 'ignore' });
  await until(
    () =>
      fetch(`${lbUrl}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false),
    'the balancer',
  );
}, 600_000);

afterAll(async () => {
  finished = true;
  haproxy?.kill('SIGTERM');
  for (const i of [...webs, ...workers]) if (i.child.exitCode === null) i.child.kill('SIGKILL');
  await db?.end();
  await new Promise((resolve) => smsGateway?.close(resolve));
  await Promise.all([pgServer?.stop(), redis?.stop(), inbox?.close(), registry?.close()]);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  rmSync(auditDir, { recursive: true, force: true });
}, 120_000);

const smsCode = async (phone: string) => {
  for (;;) {
    const message = sms.findLast((m) => m.to === phone);
    const code = message ? extractOtp(message.text) : null;
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('a cluster of three web instances and two workers behind HAProxy', () => {
  it('spreads registrations, and runs every evidence job exactly once although a worker is killed mid-job', async () => {
    const started = Date.now();
    const walks = [0, 1, 2, 3].map(async (n) => {
      const citizen = makeCitizen(15_100 + n);
      const device = await TestDevice.create(lbUrl);
      const flow = await walkRegistration(device, citizen, {
        otp: {
          sms: (phone) => smsCode(phone),
          email: async (address) => {
            const mail = await inbox.waitFor({ to: address }, 120_000);
            return extractOtp(mail.text) as string;
          },
        },
      });
      registered.push({ accountId: flow.account!.id, device, pin: citizen.pin });
    });
    // Kill a worker while an evidence job is running, then bring it back.
    const chaos = (async () => {
      await until(async () => {
        const r = await db.query(
          "select count(*)::int as n from jobs where state = 'running' and kind = 'registration.evidence'",
        );
        return r.rows[0].n > 0;
      }, 'a running job');
      await killed(workers[0]!);
      workers[0] = await restart(workers[0]!);
    })();
    await Promise.all(walks);
    await chaos;

    const accounts = registered.map((r) => r.accountId);
    await until(async () => {
      const r = await db.query("select count(*)::int as n from jobs where state <> 'done'");
      return r.rows[0].n === 0;
    }, 'every job done');
    // The evidence jobs (the SMS and e-mail went through the queue too, as `notify.message` jobs).
    const jobs = await db.query(
      "select payload, state, attempts from jobs where kind = 'registration.evidence'",
    );
    expect(jobs.rows.map((j) => j.payload.accountId).sort()).toEqual([...accounts].sort());
    const evidence = await db.query(
      'select account_id, kind, count(*)::int as n from evidence group by account_id, kind order by 1, 2',
    );
    expect(new Set(evidence.rows.map((e) => e.account_id))).toEqual(new Set(accounts));
    expect(evidence.rows.every((e) => e.n === 1)).toBe(true);
    console.log(
      `cluster: 4 registrations judged in ${((Date.now() - started) / 1000).toFixed(1)} s; job attempts ${jobs.rows.map((j) => j.attempts).join(',')}`,
    );
  }, 600_000);

  it('completes QR logins while the web instance holding their event streams is killed; the streams reconnect through the balancer', async () => {
    // Two of the registered citizens, approved as an officer would (the console has its own tests).
    const citizens = registered.slice(0, 2);
    await db.query("update accounts set status = 'active' where id = any($1)", [
      citizens.map((c) => c.accountId),
    ]);
    const admin = { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const rp = (await (
      await fetch(`${lbUrl}/api/admin/v1/relying-parties`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({
          organisation: 'Ministry of Commerce',
          appName: 'Business Registration',
          domain: 'business.example.gov.kh',
          redirectUris: ['http://127.0.0.1:9999/callback'],
          postLogoutRedirectUris: ['http://127.0.0.1:9999/'],
          allowedScopes: ['openid', 'profile'],
          iosBundleId: 'kh.gov.business.app',
        }),
      })
    ).json()) as { clientId: string };
    rpClientId = rp.clientId;
    const server = { url: lbUrl } as TestServer;

    const logins = [0, 1, 2, 3, 4, 5].map(async (n) => {
      const who = citizens[n % 2]!;
      const url = new URL(`${lbUrl}/oidc/auth`);
      for (const [k, v] of Object.entries({
        client_id: rp.clientId,
        redirect_uri: 'http://127.0.0.1:9999/callback',
        response_type: 'code',
        scope: 'openid',
        state: `st${n}`,
        nonce: `nn${n}`,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }))
        url.searchParams.set(k, v);
      const browser = new TestBrowser();
      const page = await openLoginPage(server, browser, url.toString());
      expect(page.status).toBe(200);
      const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const stream = new Stream(`${lbUrl}/login/${page.uid}/events?request=${page.requestId}`, { cookie });
      await stream.next('qr');
      return { who, browser, page, stream };
    });
    const pages = await Promise.all(logins);

    // Kill the instance that holds the most streams.
    const holders = new Map<string, number>();
    for (const p of pages) holders.set(p.stream.servedBy[0]!, (holders.get(p.stream.servedBy[0]!) ?? 0) + 1);
    const [victimName] = [...holders.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const victim = webs.findIndex((w) => w.name === victimName);
    expect(victim).toBeGreaterThanOrEqual(0);
    await killed(webs[victim]!);
    const cut = pages.filter((p) => p.stream.servedBy[0] === victimName);
    await until(() => cut.every((p) => p.stream.connections >= 2), 'the cut streams reconnected');
    for (const p of cut) expect(p.stream.servedBy.at(-1)).not.toBe(victimName);

    // Every login goes on and completes: scan the current QR, pick the number, approve.
    await Promise.all(
      pages.map(async ({ who, browser, page, stream }) => {
        // A fresh QR (the page gets a new one every second), from whichever instance now holds the stream.
        const qr = await stream.next<{ payload: string }>('qr', () => true, stream.events.length);
        const scan = await who.device.call<{ requestId: string; choices: string[] }>(
          'POST',
          `${LOGIN}/scan`,
          {
            qr: qr.payload,
          },
        );
        expect(scan.status, JSON.stringify(scan.body)).toBe(200);
        const claimed = await stream.next<{ state: string; matchCode: string }>(
          'status',
          (s) => s.state === 'claimed',
        );
        const approved = await who.device.call('POST', `${LOGIN}/${scan.body.requestId}/approve`, {
          matchCode: claimed.matchCode,
          pin: who.pin,
        });
        expect(approved.status, JSON.stringify(approved.body)).toBe(200);
        await stream.next<{ state: string }>('status', (s) => s.state === 'approved');
        stream.close();
        // The browser collects the login and consents, each request on any instance.
        const callback = await completeAndConsent(server, browser, page);
        expect(callback).toMatch(/^http:\/\/127\.0\.0\.1:9999\/callback\?code=/);
      }),
    );

    webs[victim] = await restart(webs[victim]!);
    await until(async () => {
      // The balancer sends traffic to the restarted instance again.
      const r = await fetch(`${lbUrl}/healthz`);
      return r.headers.get('x-served-by') === victimName;
    }, 'traffic on the restarted instance');
  }, 600_000);

  it('completes app-to-app logins (client API) through the balancer', async () => {
    const admin = { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const issuedResponse = await fetch(`${lbUrl}/api/admin/v1/relying-parties/${rpClientId}/client-api`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        successCallbackUrl: 'https://business.example.gov.kh/ok',
        errorCallbackUrl: 'https://business.example.gov.kh/error',
      }),
    });
    expect(issuedResponse.status).toBe(201);
    const issued = (await issuedResponse.json()) as {
      clientId: string;
      domain: string;
      hmacKey: string;
      secretKey: string;
      ivParam: string;
      keystore: { fileName: string; password: string; base64: string };
      truststore: { fileName: string; password: string; base64: string };
    };
    const keystore = join(workDir, issued.keystore.fileName);
    const truststore = join(workDir, issued.truststore.fileName);
    writeFileSync(keystore, Buffer.from(issued.keystore.base64, 'base64'));
    writeFileSync(truststore, Buffer.from(issued.truststore.base64, 'base64'));
    const sdk = CamDigiKeyClient.fromEnv({
      CAMDIGIKEY_CLIENT_ID: issued.clientId,
      CAMDIGIKEY_HMAC_KEY: issued.hmacKey,
      CAMDIGIKEY_AES_SECRET_KEY: issued.secretKey,
      CAMDIGIKEY_AES_IV_PARAMS: issued.ivParam,
      CAMDIGIKEY_CLIENT_DOMAIN: issued.domain,
      CAMDIGIKEY_SERVER_BASED_URL: lbUrl,
      CAMDIGIKEY_CLIENT_KEYSTORE_FILE: keystore,
      CAMDIGIKEY_CLIENT_KEYSTORE_FILE_PASSWORD: issued.keystore.password,
      CAMDIGIKEY_CLIENT_TRUST_STORE_FILE: truststore,
      CAMDIGIKEY_CLIENT_TRUST_STORE_FILE_PASSWORD: issued.truststore.password,
    });
    const citizens = registered.slice(0, 2);
    await Promise.all(
      [0, 1, 2, 3].map(async (n) => {
        const who = citizens[n % 2]!;
        const { data } = await sdk.getLoginToken();
        const loginToken = data!.loginToken;
        const inspected = await who.device.call('POST', '/api/device/v1/app-login/inspect', { loginToken });
        expect(inspected.status, JSON.stringify(inspected.body)).toBe(200);
        const approved = await who.device.call<{ authToken: string; callbackUrl: string }>(
          'POST',
          '/api/device/v1/app-login/approve',
          { loginToken, pin: who.pin },
        );
        expect(approved.status, JSON.stringify(approved.body)).toBe(200);
        expect(approved.body.callbackUrl).toMatch(
          /^kh\.gov\.business\.app:\/\/camdigikey_login_callback\?authToken=/,
        );
        const { data: access } = await sdk.getUserAccessToken(approved.body.authToken);
        // The relying party's backend (on any instance) accepts the token it was given.
        expect(await sdk.validateJwt(access!.accessToken)).toMatchObject({
          is_valid: true,
          payload: { camdigikey_id: who.accountId },
        });
      }),
    );
  }, 300_000);

  it('had every web instance serve requests (round robin)', async () => {
    for (const w of webs) {
      const text = await (
        await fetch(`http://127.0.0.1:${w.metricsPort}/metrics`, {
          headers: { authorization: `Bearer ${env.METRICS_TOKEN}` },
        })
      ).text();
      const served = [...text.matchAll(/^cdk_http_request_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
      expect(served, w.name).toBeGreaterThan(0);
    }
  });
});
