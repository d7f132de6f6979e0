/**
 * The secrets a relying party is issued, in the form it receives them and in decoded form.
 *
 * Why: rp-protocol.md §2.1 lists what registration hands out (client ID, HMAC key, IV param,
 * AES secret key) and their observed formats: the client ID is a 44-character base64 string of
 * 32 bytes, the HMAC key and AES key are base64 of 32 bytes (Node hard-codes AES-256), the IV is
 * base64 of 16 bytes. The envelope (§2.3) works on the decoded bytes.
 */
import { randomBytes } from 'node:crypto';
import { fromBase64Strict, toBase64 } from './base64';

/** As issued to an integrator (the values of `CAMDIGIKEY_CLIENT_*` settings), all base64 text. */
export interface ClientCredentials {
  clientId: string;
  hmacKey: string;
  secretKey: string;
  ivParam: string;
}

/** Decoded key material used by the envelope. */
export interface ClientKeys {
  clientId: string;
  hmacKey: Uint8Array;
  secretKey: Uint8Array;
  iv: Uint8Array;
}

/** New credentials in the §2.1 formats: 32-byte client ID, HMAC key and AES key, 16-byte IV. */
export function generateClientCredentials(): ClientCredentials {
  return {
    clientId: toBase64(randomBytes(32)),
    hmacKey: toBase64(randomBytes(32)),
    secretKey: toBase64(randomBytes(32)),
    ivParam: toBase64(randomBytes(16)),
  };
}

/**
 * Decodes issued credentials. Throws a RangeError when a value is not standard base64 or has the
 * wrong length: AES-256 needs a 32-byte key and CBC a 16-byte IV (§2.1). The HMAC key may be any
 * non-empty length (HMAC accepts any), 32 bytes being what the operator issues.
 */
export function decodeClientCredentials(credentials: ClientCredentials): ClientKeys {
  const hmacKey = fromBase64Strict(credentials.hmacKey);
  const secretKey = fromBase64Strict(credentials.secretKey);
  const iv = fromBase64Strict(credentials.ivParam);
  if (credentials.clientId.length === 0) throw new RangeError('clientId must not be empty');
  if (!hmacKey || hmacKey.length === 0) throw new RangeError('hmacKey must be non-empty base64');
  if (secretKey?.length !== 32) throw new RangeError('secretKey must be base64 of 32 bytes');
  if (iv?.length !== 16) throw new RangeError('ivParam must be base64 of 16 bytes');
  return { clientId: credentials.clientId, hmacKey, secretKey, iv };
}
