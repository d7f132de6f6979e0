/**
 * Encryption of a token's payload (the middle part), readable only by the CamDigiKey server.
 *
 * Why: rp-protocol.md §4.2 says the payload is opaque, high-entropy base64, not readable JSON,
 * and that from v2 on no client decrypts it (claims come only from the status endpoint). The
 * current scheme is unknown (a 262-byte payload rules out plain CBC with v1's layout), so this
 * is our design, documented here:
 *   payload part = base64url-with-padding( 0x01 ‖ nonce(12) ‖ AES-256-GCM(claims JSON) ‖ tag(16) )
 * with the header part (ASCII) as additional authenticated data, so a payload cannot be moved
 * under another header (`jwtId`). The URL-safe padded alphabet is the auth-token sample's (§4.2).
 * v1's CBC payload with a fetched payload key (/api/v1/oauth/payload-key) is not produced.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { fromBase64AnyAlphabet, toBase64UrlPadded } from './base64';

const VERSION = 0x01;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

/** A fresh 32-byte AES-256 key for token payloads. */
export function generatePayloadKey(): Buffer {
  return randomBytes(32);
}

function checkKey(payloadKey: Uint8Array): void {
  if (payloadKey.length !== 32) throw new RangeError('the payload key must be 32 bytes (AES-256)');
}

export function encryptPayload(payloadKey: Uint8Array, headerPart: string, json: string): string {
  checkKey(payloadKey);
  const nonce = randomBytes(NONCE_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', payloadKey, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from(headerPart, 'ascii'));
  const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
  return toBase64UrlPadded(Buffer.concat([Buffer.of(VERSION), nonce, body, cipher.getAuthTag()]));
}

/** The decrypted UTF-8 text, or undefined when the part is not ours or was tampered with. */
export function decryptPayload(
  payloadKey: Uint8Array,
  headerPart: string,
  payloadPart: string,
): string | undefined {
  checkKey(payloadKey);
  const bytes = fromBase64AnyAlphabet(payloadPart);
  if (!bytes || bytes.length < 1 + NONCE_LENGTH + TAG_LENGTH || bytes[0] !== VERSION) return undefined;
  try {
    const nonce = bytes.subarray(1, 1 + NONCE_LENGTH);
    const decipher = createDecipheriv('aes-256-gcm', payloadKey, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAAD(Buffer.from(headerPart, 'ascii'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_LENGTH));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(1 + NONCE_LENGTH, -TAG_LENGTH)),
      decipher.final(),
    ]);
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    return undefined;
  }
}
