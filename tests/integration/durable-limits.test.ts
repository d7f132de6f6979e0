/**
 * Security state survives a restart on the embedded default (issue 19, item 13): without Redis
 * the counters that guard security and the proof ids already used are kept in the database, so
 * an attacker who makes the server restart gets neither a fresh budget nor a replay. The server
 * runs as `npm start` runs it (PGlite in its data folder, no Redis, whatever this run uses) and is
 * stopped and started again on the same folder, the same address and the same clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { REGISTRATION, startRegistration } from '@camdigikey/testkit/registration-walker';
import type { TestDevice } from '@camdigikey/testkit/test-device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

const env = { OTP_MAX_SENDS_PER_IP_PER_HOUR: '3' };
let dataDir: string;
let server: TestServer;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cdk-durable-'));
  server = await startTestServer({ embedded: { dataDir }, env });
});
afterAll(async () => {
  await server?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function restart(): Promise<void> {
  const before = server;
  await before.close();
  server = await startTestServer({ embedded: { dataDir, restartOf: before }, env });
}

const sendCode = async (device: TestDevice, n: number) => {
  const flow = await startRegistration(device);
  return device.call<{ error?: { code: string; details: { retryAfterSeconds: number } } }>(
    'POST',
    `${REGISTRATION}/${flow.id}/phone`,
    { phone: makeCitizen(700 + n).phone },
  );
};

describe('security state across a restart (embedded default)', () => {
  it('runs on the embedded database with its hot state in it', () => {
    expect(server.deps.dbKind).toBe('pglite');
    expect(server.deps.hot.kind).toBe('database');
  });

  it('still refuses codes from an IP whose hourly budget was spent before the restart, with Retry-After', async () => {
    const device = await server.device();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await sendCode(device, i)).status);
    expect(statuses).toEqual([200, 200, 200]);

    await restart();

    const refused = await sendCode(await server.device(), 3);
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('rate_limited');
    expect(refused.body.error?.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    // It is the limit that refuses: once the sliding window has forgotten the hour, codes go again.
    server.clock.advance(2 * 3600_000);
    expect((await sendCode(await server.device(), 4)).status).toBe(200);
  });

  it('refuses a device proof replayed after a restart as a replay', async () => {
    const device = await server.device();
    expect((await device.call('POST', REGISTRATION, { language: 'km' })).status).toBe(201);
    const used = device.lastProof;

    await restart();

    const replayed = await device.call<{ error: { code: string } }>(
      'POST',
      REGISTRATION,
      { language: 'km' },
      { proof: used },
    );
    expect(replayed.status).toBe(401);
    // In process memory the proof id would be forgotten (and only its nonce found missing).
    expect(replayed.body.error.code).toBe('device_proof_replayed');
  });
});
