/**
 * Expiry warnings before anything expires (issue 15, item 5): the administrator's console API
 * lists the platform CA, its subordinate, the token signer, every relying party's client
 * certificate and the OIDC signing keys' rotation dates, each ok / warning (< 30 days) /
 * critical (< 7 days) / expired; the metrics count the same items by level. Time moves on the
 * server's manual clock; no date of the machine is involved.
 */
import { registerDatabaseMetrics } from '@camdigikey/server/observability/sql-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRelyingParty } from '../support/citizens';
import { issueClientApi } from '../support/client-api';
import { createOfficer, OFFICER_PASSWORD, signInOfficer, totpCode } from '../support/officers';
import { startTestServer, type TestServer } from '../support/server';

const DAY = 86_400_000;
let server: TestServer;
const secrets: Record<string, string> = {};

interface Item {
  kind: string;
  subject?: string;
  at: string;
  daysLeft: number;
  level: string;
}

beforeAll(async () => {
  server = await startTestServer();
  // The worker role's metrics (the test server runs the web side only).
  registerDatabaseMetrics(server.deps);
  for (const [username, role] of [
    ['dara', 'administrator'],
    ['vanna', 'officer'],
  ] as const)
    secrets[username] = (await createOfficer(server, username, role)).totpSecret;
}, 120_000);
afterAll(async () => {
  await server?.close();
});

/** Signs in at the clock's current time (a session does not outlive months of clock moves). */
async function expiriesAs(username: string): Promise<Response> {
  const r = await signInOfficer(
    server,
    username,
    OFFICER_PASSWORD,
    totpCode(server, secrets[username] as string, username),
  );
  expect(r.status).toBe(200);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] as string;
  return fetch(`${server.url}/api/console/v1/expiries`, { headers: { cookie } });
}

async function items(): Promise<Item[]> {
  const r = await expiriesAs('dara');
  expect(r.status).toBe(200);
  const body = (await r.json()) as { warningDays: number; criticalDays: number; items: Item[] };
  expect(body).toMatchObject({ warningDays: 30, criticalDays: 7 });
  return body.items;
}

const one = (list: Item[], kind: string, subject?: string) => {
  const found = list.filter((i) => i.kind === kind && (subject === undefined || i.subject === subject));
  expect(found, kind).not.toHaveLength(0);
  return found;
};

async function expiringMetric(level: string): Promise<number> {
  const text = await server.deps.metrics.text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('cdk_expiring_items{') && l.includes(`level="${level}"`));
  expect(line, level).toBeDefined();
  return Number(line?.split(' ').at(-1));
}

describe('expiry warnings', () => {
  it('are for administrators only', async () => {
    const r = await expiriesAs('vanna');
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await fetch(`${server.url}/api/console/v1/expiries`)).status).toBe(401);
  });

  it('list every certificate and signing key, all ok on a fresh platform, soonest first', async () => {
    const list = await items();
    for (const kind of ['platform_root_ca', 'platform_sub_ca', 'token_signer', 'signing_key'])
      one(list, kind);
    expect(list.every((i) => i.level === 'ok')).toBe(true);
    expect(list.map((i) => i.at)).toEqual([...list.map((i) => i.at)].sort());
    expect(await expiringMetric('warning')).toBe(0);
    expect(await expiringMetric('ok')).toBe(list.length);
  });

  it('warn a month before, turn critical in the last week, and say expired after', async () => {
    const start = server.clock.now().getTime();
    // A relying party's client certificate, issued 100 days after the platform keys were made.
    server.clock.advance(100 * DAY);
    const rp = await registerRelyingParty(server, {
      appName: 'Expiry Portal',
      domain: 'expiry.example.gov.kh',
    });
    await issueClientApi(server, rp.clientId, {
      successCallbackUrl: 'http://127.0.0.1:9999/cb',
      errorCallbackUrl: 'http://127.0.0.1:9999/err',
    });
    let list = await items();
    const [client] = one(list, 'client_certificate', rp.clientId);
    const [signer] = one(list, 'token_signer');
    const keys = one(list, 'signing_key');
    expect(client?.level).toBe('ok');

    // Ten days before the signing keys' yearly rotation date: a warning, counted in the metrics.
    const rotation = Math.min(...keys.map((k) => Date.parse(k.at)));
    expect(rotation - start).toBeLessThanOrEqual(365 * DAY);
    server.clock.set(new Date(rotation - 10 * DAY));
    list = await items();
    expect(one(list, 'signing_key').map((k) => k.level)).toContain('warning');
    expect(one(list, 'token_signer')[0]?.level).toBe('ok');
    expect(await expiringMetric('warning')).toBeGreaterThanOrEqual(1);

    // Three days before the token signer expires: critical; the client certificate, 100 days
    // younger, is still fine; the signing keys are overdue.
    server.clock.set(new Date(Date.parse(signer?.at as string) - 3 * DAY));
    list = await items();
    expect(one(list, 'token_signer')[0]).toMatchObject({ level: 'critical', daysLeft: 3 });
    expect(one(list, 'client_certificate', rp.clientId)[0]?.level).toBe('ok');
    expect(one(list, 'signing_key').every((k) => k.level === 'expired')).toBe(true);
    expect(await expiringMetric('critical')).toBe(1);

    // Twenty days before the client certificate ends, then a day after.
    server.clock.set(new Date(Date.parse(client?.at as string) - 20 * DAY));
    expect(one(await items(), 'client_certificate', rp.clientId)[0]?.level).toBe('warning');
    server.clock.set(new Date(Date.parse(client?.at as string) + DAY));
    expect(one(await items(), 'client_certificate', rp.clientId)[0]?.level).toBe('expired');
    expect(await expiringMetric('expired')).toBeGreaterThanOrEqual(3);
  });
});
