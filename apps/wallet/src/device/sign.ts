/**
 * A signature on this phone (issue 17): the device key (the non-extractable P-256 WebCrypto key
 * that signs every call) signs the CMS signed attributes of a request, after the app has checked
 * that those bytes say what the screen shows: their message digest must be the SHA-256 of the
 * statement the app displays (recomputed here from the statement, never taken from the server),
 * and the certificate they name must be the one issued for this phone. Anything else is refused
 * before the key is used.
 */
import { checkToBeSigned, expectedDigests, sha256Of } from '@camdigikey/contracts/signing-statement';
import type { PreparedSignature } from '../api/device-api';
import { base64urlToBytes, bytesToBase64url } from './base64url';
import { deviceKey } from './device-key';

function pemToDer(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  const binary = atob(body);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function signWithDeviceKey(data: Uint8Array): Promise<string> {
  const { privateKey } = await deviceKey();
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    privateKey,
    data as Uint8Array<ArrayBuffer>,
  );
  return bytesToBase64url(signature);
}

/** Checks and signs a prepared request; returns the signatures to send with the PIN. */
export async function signPrepared(
  prepared: PreparedSignature,
): Promise<{ statement: string; pades?: string }> {
  const digests = await expectedDigests(prepared.statement);
  const certificateSha256 = await sha256Of(pemToDer(prepared.certificate));
  const statementBytes = base64urlToBytes(prepared.toBeSigned.statement);
  checkToBeSigned(statementBytes, { messageDigest: digests.statement, certificateSha256 });
  const signatures: { statement: string; pades?: string } = {
    statement: await signWithDeviceKey(statementBytes),
  };
  if (prepared.toBeSigned.pades) {
    if (!digests.pades) throw new Error('PDF bytes without a PDF in the statement');
    const padesBytes = base64urlToBytes(prepared.toBeSigned.pades);
    checkToBeSigned(padesBytes, { messageDigest: digests.pades, certificateSha256 });
    signatures.pades = await signWithDeviceKey(padesBytes);
  }
  return signatures;
}
