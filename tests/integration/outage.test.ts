/**
 * Outages give a fast 503, never a 500 or a hang (issue 19, item 4). The real server process
 * (`main.ts`, role `all`, demo data) on a PostgreSQL and a Redis of this test's own (own ports and
 * folders; never the shared ones), which the test stops, freezes (SIGSTOP) and brings back:
 *
 *  - every route that needs the missing dependency answers 503 with Retry-After and the error
 *    envelope (the bilingual "try again later" page for HTML pages), never another 5xx;
 *  - routes that do not need it keep working (health, the login page's assets, OIDC discovery);
 *  - no hang: while a dependency is frozen every request is sent and every answer must arrive
 *    while it is STILL frozen (it is continued only after the last answer; the test's timeout is
 *    the only clock);
 *  - /readyz says 503 meanwhile, and afterwards the same routes answer as before by themselves
 *    (no restart of the server);
 *  - Redis trouble is logged as JSON through the server's logger, never as ioredis's raw
 *    "Unhandled error event" on stderr.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bilingual } from '@camdigikey/messages';
import {
  type LocalPostgres,
  type LocalRedis,
  postgresBinDir,
  realTimeEnv,
  startLocalPostgres,
  startLocalRedis,
} from '@camdigikey/testkit/local-services';
import { TestDevice } from '@camdigikey/testkit/test-device';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/server';

const root = join(import.meta.dirname, '../..');
const hasServers = (() => {
  try {
    postgresBinDir();
  } catch {
    return false;
  }
  return spawnSync('redis-server', ['--version'], { env: realTimeEnv() }).status === 0;
})();

type Dependency = 'database' | 'redis';

interface Answer {
  status: number;
  retryAfter: string | null;
  contentType: string;
  text: string;
}

interface Probe {
  name: string;
  /** What the route cannot answer without. */
  needs: Dependency[];
  /** What it may answer without, or not (either as usual or 503). */
  mayNeed?: Dependency[];
  /** The answer of a working platform. */
  healthy(answer: Answer): boolean;
  send(): Promise<Answer>;
}

let pgServer: LocalPostgres | undefined;
let redis: LocalRedis | undefined;
let child: ChildProcess | undefined;
let output = '';
let base = '';
const dataDir = mkdtempSync(join(tmpdir(), 'cdk-outage-'));
let probes: Probe[] = [];
let finished = false;

const answerOf = async (response: Response): Promise<Answer> => {
  const contentType = response.headers.get('content-type') ?? '';
  // An event stream that opened stays open: its headers are the answer.
  const stream = contentType.startsWith('text/event-stream');
  if (stream) await response.body?.cancel();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    contentType,
    text: stream ? '' : await response.text(),
  };
};

/** Polls until `check` holds (the test's timeout is the only bound). */
async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (;;) {
    if (finished) throw new Error(`the test ended while waiting for ${what}`);
    if (child && child.exitCode !== null) throw new Error(`the server exited:\n${output.slice(-3000)}`);
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const env = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('=') && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  ) as Record<string, string>;

function authorizationUrl(): string {
  const oidc = env(readFileSync(join(dataDir, 'sandbox', 'oidc.env'), 'utf8'));
  const auth = new URL(`${base}/oidc/auth`);
  auth.search = new URLSearchParams({
    client_id: String(oidc.DEMO_RP_CLIENT_ID),
    response_type: 'code',
    scope: 'openid',
    redirect_uri: `${oidc.DEMO_RP_BASE_URL}/callback`,
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
    code_challenge_method: 'S256',
    ui_locales: 'en',
  }).toString();
  return auth.toString();
}

/** A login page (an OIDC interaction) opened while everything works, to be shown again later. */
async function openLoginPage(): Promise<{ path: string; cookie: string; requestId: string }> {
  const started = await fetch(authorizationUrl(), { redirect: 'manual' });
  const location = started.headers.get('location') ?? '';
  await started.body?.cancel();
  expect(location, `authorization answered ${started.status}`).toMatch(/\/login\//);
  const cookie = started.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const path = new URL(location, base).pathname;
  const page = await fetch(`${base}${path}`, { headers: { cookie } });
  const html = await page.text();
  const requestId = /data-request="([^"]+)"/.exec(html)?.[1];
  expect(requestId, html.slice(0, 300)).toBeTruthy();
  // The page sets the cookie its live-update stream asks for.
  const cookies = [cookie, ...page.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
  return { path, cookie: cookies, requestId: requestId as string };
}

let loginPage: Awaited<ReturnType<typeof openLoginPage>> | undefined;

function buildProbes(device: TestDevice): Probe[] {
  /** A signed device call; its nonce is fetched first (that answer counts when it fails). */
  const deviceCall = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> => {
    const nonce = await fetch(`${base}/api/device/v1/nonce`, { method: 'POST' });
    if (nonce.status !== 200) return answerOf(nonce);
    const given = ((await nonce.json()) as { nonce: string }).nonce;
    const answer = await device.call(method, path, body, { nonce: given });
    return {
      status: answer.status,
      retryAfter: answer.headers.get('retry-after'),
      contentType: answer.headers.get('content-type') ?? '',
      text: typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? ''),
    };
  };
  const ok = (a: Answer) => a.status === 200;
  return [
    { name: 'health', needs: [], healthy: ok, send: async () => answerOf(await fetch(`${base}/healthz`)) },
    {
      name: 'login page asset',
      needs: [],
      healthy: ok,
      send: async () => answerOf(await fetch(`${base}/login/assets/login.css`)),
    },
    {
      name: 'OIDC discovery',
      needs: [],
      healthy: ok,
      send: async () => answerOf(await fetch(`${base}/oidc/.well-known/openid-configuration`)),
    },
    {
      name: 'device nonce',
      needs: ['redis'],
      healthy: ok,
      send: async () => answerOf(await fetch(`${base}/api/device/v1/nonce`, { method: 'POST' })),
    },
    {
      name: 'device account status',
      needs: ['database', 'redis'],
      healthy: ok,
      send: () => deviceCall('GET', '/api/device/v1/account/status'),
    },
    {
      name: 'registration start',
      needs: ['database', 'redis'],
      healthy: (a) => a.status === 201,
      send: async () => {
        const fresh = await TestDevice.create(base);
        const nonce = await fetch(`${base}/api/device/v1/nonce`, { method: 'POST' });
        if (nonce.status !== 200) return answerOf(nonce);
        const given = ((await nonce.json()) as { nonce: string }).nonce;
        const answer = await fresh.call(
          'POST',
          '/api/device/v1/registration',
          { language: 'en' },
          { nonce: given },
        );
        return {
          status: answer.status,
          retryAfter: answer.headers.get('retry-after'),
          contentType: answer.headers.get('content-type') ?? '',
          text: JSON.stringify(answer.body ?? ''),
        };
      },
    },
    {
      name: 'console sign-in',
      needs: ['database', 'redis'],
      // Unknown officer: refused after the look-up and the attempt counter.
      healthy: (a) => a.status === 401,
      send: async () =>
        answerOf(
          await fetch(`${base}/api/console/v1/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'nobody-here', password: 'not the password', totp: '000000' }),
          }),
        ),
    },
    {
      name: 'OIDC authorization',
      // Each one stores an interaction (database) after its per-IP count (hot state, ip-limits.ts).
      needs: ['database', 'redis'],
      healthy: (a) => a.status === 303 || a.status === 302,
      send: async () => answerOf(await fetch(authorizationUrl(), { redirect: 'manual' })),
    },
    {
      name: 'login page',
      needs: ['database'],
      healthy: ok,
      send: async () => {
        if (!loginPage) throw new Error('no login page opened');
        return answerOf(await fetch(`${base}${loginPage.path}`, { headers: { cookie: loginPage.cookie } }));
      },
    },
    {
      name: 'login page live updates (event stream)',
      needs: ['database'],
      // Subscribing waits for a frozen Redis (then 503); while Redis is stopped ioredis takes the
      // subscription at once and makes it when Redis is back, so the stream may open.
      mayNeed: ['redis'],
      healthy: (a) => a.status === 200 && a.contentType.startsWith('text/event-stream'),
      send: async () => {
        if (!loginPage) throw new Error('no login page opened');
        const url = `${base}${loginPage.path}/events?request=${loginPage.requestId}`;
        return answerOf(await fetch(url, { headers: { cookie: loginPage.cookie } }));
      },
    },
  ];
}

const SERVICE_UNAVAILABLE = bilingual('error.service_unavailable');

/** The answers while `down` is away: 503 + Retry-After + envelope where needed, else as usual. */
function expectOutageAnswers(down: Dependency, answers: Answer[]): void {
  probes.forEach((probe, i) => {
    const answer = answers[i] as Answer;
    const label = `${probe.name} (${down} away): ${answer.status} ${answer.text.slice(0, 300)}`;
    if (answer.status >= 500) expect(answer.status, label).toBe(503);
    if (probe.mayNeed?.includes(down) && probe.healthy(answer)) return;
    if (!probe.needs.includes(down) && !probe.mayNeed?.includes(down)) {
      expect(probe.healthy(answer), label).toBe(true);
      return;
    }
    expect(answer.status, label).toBe(503);
    expect(Number(answer.retryAfter), label).toBeGreaterThan(0);
    if (answer.contentType.startsWith('application/json')) {
      const body = JSON.parse(answer.text) as { error: { code: string; messageId: string; message: object } };
      expect(body.error.code, label).toBe('service_unavailable');
      expect(body.error.messageId, label).toBe('error.service_unavailable');
      expect(body.error.message, label).toEqual(SERVICE_UNAVAILABLE);
    } else {
      expect(answer.contentType, label).toMatch(/^text\/html/);
      // The page speaks the language of the request (Khmer unless English was asked for).
      expect(
        answer.text.includes(SERVICE_UNAVAILABLE.km) || answer.text.includes(SERVICE_UNAVAILABLE.en),
        label,
      ).toBe(true);
    }
  });
}

const readiness = async () => {
  const response = await fetch(`${base}/readyz`);
  return {
    status: response.status,
    body: (await response.json()) as { checks: Record<string, { status: string }> },
  };
};

/** Every probe answers as a working platform does (polled: the server recovers by itself). */
async function recovered(): Promise<void> {
  await until(async () => (await readiness()).status === 200, '/readyz 200 again');
  let rounds = 0;
  await until(async () => {
    const answers = await Promise.all(probes.map((p) => p.send().catch((error: Error) => error)));
    const failing = probes.filter((probe, i) => {
      const answer = answers[i] as Answer | Error;
      if (answer instanceof Error) return true;
      if (answer.status >= 500) expect(answer.status, probe.name).toBe(503);
      return !probe.healthy(answer);
    });
    // Named now and then, so a route that never comes back shows in the output before the timeout.
    if (failing.length > 0 && ++rounds % 25 === 0)
      console.log(`still waiting for: ${failing.map((p) => p.name).join(', ')}`);
    return failing.length === 0;
  }, 'every route answering as before');
}

beforeAll(async () => {
  if (!hasServers) return;
  [pgServer, redis] = await Promise.all([startLocalPostgres(), startLocalRedis()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: base,
    DATA_DIR: dataDir,
    DATABASE_URL: pgServer.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: 'cdk-outage:',
    DEV_SMTP_PORT: String(await freePort()),
    SANDBOX_RP_PORT: String(await freePort()),
    DEMO_DATA: 'true',
    EVIDENCE_WORKER: 'false',
    LOG_LEVEL: 'info',
    FLOWS_PER_IP_PER_HOUR: '10000',
    PASSWORD_ATTEMPTS_PER_IP_PER_MINUTE: '100000',
    PASSWORD_ATTEMPTS_PER_USERNAME_PER_MINUTE: '100000',
  };
  for (const name of [
    'METRICS_PORT',
    'CLIENT_API_TLS_PORT',
    'REDIS_SENTINELS',
    'SMTP_URL',
    'CIVIL_REGISTRY_URL',
  ])
    delete serverEnv[name];
  child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    env: serverEnv,
    cwd: root,
  });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  await until(() => output.includes('identity server is running'), 'the server to start');
  const demo = JSON.parse(readFileSync(join(dataDir, 'demo-devices.json'), 'utf8')) as {
    status: string;
    privateJwk: JWK;
  }[];
  const who = demo.find((d) => d.status === 'active');
  if (!who) throw new Error('no active demo identity');
  probes = buildProbes(await TestDevice.fromPrivateJwk(base, who.privateJwk));
}, 300_000);

afterAll(async () => {
  finished = true;
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  await Promise.allSettled([pgServer?.stop(), redis?.stop()]);
  if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

describe.skipIf(!hasServers)('outages give a fast 503, never a 500 or a hang', () => {
  it('everything answers while PostgreSQL and Redis are up', { timeout: 120_000 }, async () => {
    loginPage = await openLoginPage();
    await recovered();
  });

  it('PostgreSQL stopped: 503 where it is needed, the rest works; started again: recovers', {
    timeout: 180_000,
  }, async () => {
    loginPage = await openLoginPage();
    await pgServer?.halt();
    try {
      const answers = await Promise.all(probes.map((p) => p.send()));
      expectOutageAnswers('database', answers);
      const ready = await readiness();
      expect(ready.status).toBe(503);
      expect(ready.body.checks.database?.status).toBe('down');
    } finally {
      await pgServer?.start();
    }
    await recovered();
  });

  it('PostgreSQL frozen: every answer arrives while it is still frozen; continued: recovers', {
    timeout: 180_000,
  }, async () => {
    loginPage = await openLoginPage();
    pgServer?.freeze();
    let answers: Answer[];
    let ready: Awaited<ReturnType<typeof readiness>>;
    try {
      // Twice the pool size at once: some wait on a frozen connection, the rest for a free one.
      [answers, ready] = await Promise.all([
        Promise.all([...probes, ...probes].map((p) => p.send())),
        readiness(),
      ]);
    } finally {
      pgServer?.thaw();
    }
    expectOutageAnswers('database', answers.slice(0, probes.length));
    expectOutageAnswers('database', answers.slice(probes.length));
    expect(ready.status).toBe(503);
    await recovered();
  });

  it('Redis stopped: 503 where it is needed, the rest works; started again: recovers', {
    timeout: 180_000,
  }, async () => {
    loginPage = await openLoginPage();
    await redis?.halt();
    try {
      // Twice: the first commands meet the broken connection, the next ones a reconnecting one.
      for (let round = 0; round < 2; round++) {
        const answers = await Promise.all(probes.map((p) => p.send()));
        expectOutageAnswers('redis', answers);
      }
      const ready = await readiness();
      expect(ready.status).toBe(503);
      expect(ready.body.checks.hotState?.status).toBe('down');
    } finally {
      await redis?.start();
    }
    await recovered();
  });

  it('Redis frozen: every answer arrives while it is still frozen; continued: recovers', {
    timeout: 180_000,
  }, async () => {
    loginPage = await openLoginPage();
    redis?.freeze();
    let answers: Answer[];
    let ready: Awaited<ReturnType<typeof readiness>>;
    try {
      [answers, ready] = await Promise.all([Promise.all(probes.map((p) => p.send())), readiness()]);
    } finally {
      redis?.thaw();
    }
    expectOutageAnswers('redis', answers);
    expect(ready.status).toBe(503);
    await recovered();
  });

  it('logged Redis trouble as JSON through the logger, never a raw ioredis line; no 500', () => {
    expect(output).not.toContain('[ioredis] Unhandled error event');
    expect(output).toContain('"msg":"redis unavailable"');
    expect(output).toContain('"msg":"redis connection restored"');
    expect(output).not.toContain('"msg":"unexpected error"');
    expect(child?.exitCode).toBeNull();
  });
});
