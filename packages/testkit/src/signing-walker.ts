/**
 * The app's signing step, played by a test device over the device API (issue 17): open the
 * request (this phone's certificate and the bytes to sign), check those bytes against the
 * statement it would show (the same check as the app, `checkToBeSigned`), sign them with the
 * device key, and approve with the PIN. Sad-path tests use the pieces separately.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { checkToBeSigned, expectedDigests, type SignStatement } from '@camdigikey/contracts/signing';
import type { DeviceResponse, TestDevice } from './test-device';

export interface PreparedSignature {
  id: string;
  statement: SignStatement;
  relyingParty: { name: string; nameKm: string | null; domain: string | null };
  verificationCode: string;
  certificate: string;
  toBeSigned: { statement: string; pades?: string };
}

export async function prepareSignature(device: TestDevice, id: string): Promise<PreparedSignature> {
  const answer = await device.call<PreparedSignature>(
    'POST',
    `/api/device/v1/signing/requests/${id}/prepare`,
  );
  if (answer.status !== 200)
    throw new Error(`prepare refused: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Checks the bytes as the app does and signs them; returns the base64url P1363 signatures. */
export async function signPrepared(device: TestDevice, prepared: PreparedSignature) {
  const digests = await expectedDigests(prepared.statement);
  const certificateSha256 = createHash('sha256')
    .update(new X509Certificate(prepared.certificate).raw)
    .digest();
  const statementAttributes = Buffer.from(prepared.toBeSigned.statement, 'base64url');
  checkToBeSigned(statementAttributes, { messageDigest: digests.statement, certificateSha256 });
  const signatures: { statement: string; pades?: string } = {
    statement: Buffer.from(await device.signBytes(statementAttributes)).toString('base64url'),
  };
  if (prepared.toBeSigned.pades) {
    if (!digests.pades) throw new Error('PAdES bytes without a PDF digest in the statement');
    const padesAttributes = Buffer.from(prepared.toBeSigned.pades, 'base64url');
    checkToBeSigned(padesAttributes, { messageDigest: digests.pades, certificateSha256 });
    signatures.pades = Buffer.from(await device.signBytes(padesAttributes)).toString('base64url');
  }
  return signatures;
}

/** The whole step: prepare, check, sign, approve with the PIN. */
export async function approveSignature(
  device: TestDevice,
  id: string,
  pin: string,
): Promise<DeviceResponse<{ state?: string; error?: { code: string } }>> {
  const prepared = await prepareSignature(device, id);
  const signatures = await signPrepared(device, prepared);
  return device.call('POST', `/api/device/v1/signing/requests/${id}/approve`, { pin, signatures });
}
