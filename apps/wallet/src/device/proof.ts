/**
 * The device proof of every device API call (README "The registration flow (device API)",
 * apps/server/src/device/proof.ts): a compact JWS, ES256, written by hand over WebCrypto.
 *
 *   header  {alg: "ES256", typ: "cdk-device-proof+jwt", jwk: <the device's public key>}
 *   payload {htm, htu, bh, iat, nonce, jti}
 *
 * `htu` is the full URL, `bh` the base64url SHA-256 of the exact body text ("" without a body),
 * `iat` seconds since the epoch, `nonce` the server's single-use nonce, `jti` a random id.
 * WebCrypto's ECDSA signature is already the raw r‖s (64 bytes) that JWS ES256 expects.
 */
import { bytesToBase64url, textToBase64url } from './base64url';

export const PROOF_TYP = 'cdk-device-proof+jwt';

/** The public half of the device key, as the server reads it from the proof header. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export interface ProofInput {
  method: string;
  url: string;
  body: string;
  nonce: string;
  /** Defaults to now. */
  iat?: number;
  /** Defaults to a random UUID. */
  jti?: string;
}

export async function sha256Base64url(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return bytesToBase64url(digest);
}

/** The public JWK of a P-256 key, reduced to the members a proof carries. */
export async function publicJwkOf(publicKey: CryptoKey): Promise<PublicJwk> {
  const jwk = await crypto.subtle.exportKey('jwk', publicKey);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('not a P-256 public key');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

export async function signProof(privateKey: CryptoKey, jwk: PublicJwk, input: ProofInput): Promise<string> {
  const header = { alg: 'ES256', typ: PROOF_TYP, jwk };
  const payload = {
    htm: input.method,
    htu: input.url,
    bh: await sha256Base64url(input.body),
    iat: input.iat ?? Math.floor(Date.now() / 1000),
    nonce: input.nonce,
    jti: input.jti ?? crypto.randomUUID(),
  };
  const signingInput = `${textToBase64url(JSON.stringify(header))}.${textToBase64url(JSON.stringify(payload))}`;
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    privateKey,
    new TextEncoder().encode(signingInput),
  );
  return `${signingInput}.${bytesToBase64url(signature)}`;
}
