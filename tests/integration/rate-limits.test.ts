/**
 * Per-IP limits (configurable): registrations started, codes requested and codes tried from one
 * address per hour. A limit answers 429 rate_limited with a retry time and changes nothing.
 */
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { REGISTRATION, startRegistration } from '@camdigikey/testkit/registration-walker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: {
      FLOWS_PER_IP_PER_HOUR: '4',
      OTP_MAX_SENDS_PER_IP_PER_HOUR: '3',
      OTP_MAX_VERIFY_PER_IP_PER_HOUR: '6',
    },
  });
});
afterAll(async () => server?.close());

describe('per-IP rate limits', () => {
  it('limits codes sent from one IP, whatever the numbers', async () => {
    const device = await server.device();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const flow = await startRegistration(device);
      const r = await device.call<{ error?: { code: string; details: { retryAfterSeconds: number } } }>(
        'POST',
        `${REGISTRATION}/${flow.id}/phone`,
        { phone: makeCitizen(500 + i).phone },
      );
      statuses.push(r.status);
      if (r.status === 429) {
        expect(r.body.error?.code).toBe('rate_limited');
        expect(r.body.error?.details.retryAfterSeconds).toBeGreaterThan(0);
        expect(r.headers.get('retry-after')).not.toBeNull();
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('limits registrations started from one IP', async () => {
    server.clock.advance(2 * 3600_000); // two windows: the sliding count forgets the last hour
    const device = await server.device();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await device.call('POST', REGISTRATION, { language: 'km' })).status);
    expect(statuses).toEqual([201, 201, 201, 201, 429]);
  });

  it('limits code verifications from one IP', async () => {
    server.clock.advance(2 * 3600_000); // two windows: the sliding count forgets the last hour
    const device = await server.device();
    const flow = await startRegistration(device);
    await device.call('POST', `${REGISTRATION}/${flow.id}/phone`, { phone: makeCitizen(600).phone });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await device.call<{ error: { code: string } }>(
        'POST',
        `${REGISTRATION}/${flow.id}/phone/verify`,
        { code: '000001' },
      );
      statuses.push(r.status === 429 ? (r.body.error.code === 'rate_limited' ? 4291 : 4290) : r.status);
    }
    // 4 wrong tries, the 5th locks the number (429 otp_locked), then the IP limit (7th try).
    expect(statuses.slice(0, 4)).toEqual([400, 400, 400, 400]);
    expect(statuses[6]).toBe(4291);
  });
});
