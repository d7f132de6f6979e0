// Byte-level helpers for the soft WebAuthn authenticator: base64url, SHA-256, ECDSA DER, authenticator data.
import { createHash } from 'node:crypto';

/** Authenticator data flag bits (WebAuthn §6.1). */
export const AuthDataFlags = {
  UP: 0x01,
  UV: 0x04,
  BE: 0x08,
  BS: 0x10,
  AT: 0x40,
  ED: 0x80,
} as const;

/** Encodes bytes as unpadded base64url. */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Decodes base64url (padding optional). */
export function fromBase64Url(value: string): Uint8Array {
  return new Uint8Array(Buffer.from(value, 'base64url'));
}

/** SHA-256 digest. */
export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function derInteger(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  const body = (trimmed[0] ?? 0) & 0x80 ? concatBytes(new Uint8Array([0]), trimmed) : trimmed;
  return concatBytes(new Uint8Array([0x02, body.length]), body);
}

/**
 * Converts an IEEE P1363 ECDSA signature (`r || s`, what Web Crypto returns) into the ASN.1 DER
 * `SEQUENCE { INTEGER r, INTEGER s }` form WebAuthn requires.
 */
export function p1363ToDer(signature: Uint8Array): Uint8Array {
  const half = signature.length / 2;
  const body = concatBytes(derInteger(signature.subarray(0, half)), derInteger(signature.subarray(half)));
  return concatBytes(new Uint8Array([0x30, body.length]), body);
}

/** Fields of the authenticator data structure. */
export interface AuthDataInput {
  rpId: string;
  flags: number;
  signCount: number;
  /** AAGUID, credential id and COSE public key; present at registration (sets AT). */
  attested?: { aaguid: Uint8Array; credentialId: Uint8Array; cosePublicKey: Uint8Array };
}

/** Serialises authenticator data: rpIdHash ‖ flags ‖ signCount (u32 BE) ‖ [attested credential data]. */
export function encodeAuthData(input: AuthDataInput): Uint8Array {
  const head = new Uint8Array(37);
  head.set(sha256(input.rpId), 0);
  head[32] = input.flags | (input.attested ? AuthDataFlags.AT : 0);
  new DataView(head.buffer).setUint32(33, input.signCount >>> 0, false);
  if (!input.attested) return head;
  const { aaguid, credentialId, cosePublicKey } = input.attested;
  const idLength = new Uint8Array(2);
  new DataView(idLength.buffer).setUint16(0, credentialId.length, false);
  return concatBytes(head, aaguid, idLength, credentialId, cosePublicKey);
}
