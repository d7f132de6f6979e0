/**
 * "Never log a PIN, OTP, token, image or full personal code": a whole registration runs with
 * the most verbose logging, and not one log line carries any of the citizen's secrets.
 */
import { normalizePhone } from '@camdigikey/core/identity/phone';
import { makeCitizen } from '@camdigikey/testkit/citizens';
import { walkRegistration } from '@camdigikey/testkit/registration-walker';
import { extractOtp } from '@camdigikey/testkit/smtp-inbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

const lines: string[] = [];
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ logSink: (line) => lines.push(line) });
});
afterAll(async () => server?.close());

describe('logs', () => {
  it('carry request ids and no secret of a whole registration', async () => {
    const citizen = makeCitizen(4242);
    const device = await server.device();
    const flow = await walkRegistration(device, citizen, {
      otp: { sms: (p) => server.smsCode(p), email: (a) => server.emailCode(a) },
    });
    expect(flow.state).toBe('submitted');
    // Also a refused call, whose error path logs too.
    await device.call('POST', `/api/device/v1/registration/${flow.id}/pin`, {
      pin: '111111',
      pinConfirmation: '111111',
    });

    const log = lines.join('\n');
    // One line per request since issue 18 (no "incoming request" line): every call of the walk is there.
    expect(lines.filter((l) => l.includes('"msg":"request completed"')).length).toBeGreaterThanOrEqual(12);
    expect(lines.length).toBeGreaterThan(15);
    expect(lines.some((l) => /"requestId"|"reqId"/.test(l))).toBe(true);
    const phone = normalizePhone(citizen.phone);
    await server.notified();
    const smsCode = extractOtp(
      (await server.deps.outbox.latest(phone.ok ? phone.value.e164 : ''))?.text ?? '',
    );
    const secrets = {
      pin: citizen.pin,
      documentNumber: citizen.documentNumber,
      smsCode: smsCode ?? 'no-sms-code',
      mrzLine: citizen.mrz[0]!,
      jpegBase64: '/9j/',
      deviceProof: device.lastProof!.slice(-40),
    };
    for (const [name, value] of Object.entries(secrets))
      expect(log.includes(value), `${name} leaked into the logs`).toBe(false);
  });
});
