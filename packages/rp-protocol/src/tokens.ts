/**
 * CamDigiKey tokens: `header.payload.signature`, signed SHA512withECDSA over a SHA-512 digest.
 *
 * Why: rp-protocol.md §4. Header (§4.2) is base64 of exactly
 * `{"alg":"SHA512withECDSA","typ":"JWT","jwtId":"<UUID v4>"}` (the Java JCA name, the id in the
 * header); payload is opaque encrypted bytes (token-payload.ts); signature is ASN.1 DER ECDSA
 * (P-521) over `d = SHA-512(ASCII(part0 + "." + part1))` with SHA512withECDSA, so the signed value
 * is SHA-512 of `d`: a double hash (§4.4 steps 2–3). `verifyToken` follows §4.4 steps 1–3 as an
 * RP does; step 4 (status endpoint) is a server call, and so is expiry: RPs cannot read `exp`.
 *
 * Choices where the document is silent or ambiguous (listed in the package report):
 * - Header: base64url without padding. The 84-byte header never needs padding and its characters
 *   never produce `+ / - _`, so every decoder reads it (the §4.2 samples are exactly this).
 * - Payload and signature: base64url with `=` padding, like the auth-token sample; Node reads
 *   either alphabet, Java picks the URL decoder on `-`/`_` and accepts padding. Without `+` and `/`
 *   a token survives query strings and deep links (§6), and a form-style URL decoder (which turns
 *   `+` into a space) on the RP side cannot corrupt it.
 * - Our verifier is stricter than the official libraries: it also requires the header to be that
 *   exact JSON shape (alg SHA512withECDSA, typ JWT, a non-empty `jwtId`), a currently valid EC
 *   signer certificate (§4.3: `validTo` in the future), and rejects mixed base64 alphabets.
 */
import {
  createHash,
  createPublicKey,
  KeyObject,
  randomUUID,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';
import { fromBase64AnyAlphabet, toBase64UrlPadded } from './base64';
import { isWithinValidity } from './cert-info';
import type { ClaimsOf, TokenClaims, TokenClaimsInput, TokenKind } from './claims';
import { isTokenKind, TOKEN_ISSUER } from './claims';
import { TokenError } from './errors';
import { decryptPayload, encryptPayload } from './token-payload';

export const TOKEN_ALG = 'SHA512withECDSA';

/** §4.2 header, in this key order. */
export interface TokenHeader {
  alg: typeof TOKEN_ALG;
  typ: 'JWT';
  jwtId: string;
}

export interface SignTokenOptions {
  /** The P-521 private key of the signer certificate (data[0] of the §4.3 chain). */
  signerKey: KeyObject;
  /** 32-byte AES key of the payload (token-payload.ts). */
  payloadKey: Uint8Array;
  lifetimeMs: number;
  /** Issue time, epoch ms; defaults to now. */
  now?: number;
  /** Defaults to a fresh UUID v4. */
  jwtId?: string;
}

export interface SignedToken<C extends TokenClaims = TokenClaims> {
  token: string;
  jwtId: string;
  claims: C;
}

export interface VerifiedToken {
  /** The token after §4.4 step 1 URL-decoding. */
  token: string;
  header: TokenHeader;
  jwtId: string;
  parts: [string, string, string];
}

export type SignerInput = X509Certificate | string | KeyObject;

export interface VerifyTokenOptions {
  /** Time at which the signer certificate must be valid; defaults to now. */
  now?: Date | number;
}

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** §4.4 step 2: `SHA-512(ASCII(part0 + "." + part1))`; the ECDSA step then hashes it again. */
function signingDigest(part0: string, part1: string): Buffer {
  return createHash('sha512').update(`${part0}.${part1}`, 'ascii').digest();
}

function encodeHeader(jwtId: string): string {
  const header: TokenHeader = { alg: TOKEN_ALG, typ: 'JWT', jwtId };
  return b64url(JSON.stringify(header));
}

/** Signs a token of any kind; the standard claims (`jti, iss, iat, nbf, exp`) are filled in. */
export function signToken<I extends TokenClaimsInput>(
  input: I,
  options: SignTokenOptions,
): SignedToken<ClaimsOf<I['type']>> {
  const curve = options.signerKey.asymmetricKeyDetails?.namedCurve;
  if (options.signerKey.type !== 'private' || curve !== 'secp521r1') {
    throw new TypeError('the token signer key must be an EC P-521 private key');
  }
  if (!Number.isFinite(options.lifetimeMs) || options.lifetimeMs <= 0) {
    throw new RangeError('lifetimeMs must be a positive number');
  }
  const jwtId = options.jwtId ?? randomUUID();
  if (jwtId.trim().length === 0) throw new RangeError('jwtId must not be empty');
  // Machine time only as the default: rp-protocol is also the integrators' library (no clock port there); the server always passes its clock's `now`.
  const iat = options.now ?? Date.now();
  const claims = {
    ...input,
    jti: jwtId,
    iss: TOKEN_ISSUER,
    iat,
    nbf: iat,
    exp: iat + options.lifetimeMs,
  } as unknown as ClaimsOf<I['type']>;
  const part0 = encodeHeader(jwtId);
  const part1 = encryptPayload(options.payloadKey, part0, JSON.stringify(claims));
  const der = sign('sha512', signingDigest(part0, part1), { key: options.signerKey, dsaEncoding: 'der' });
  return { token: `${part0}.${part1}.${toBase64UrlPadded(der)}`, jwtId, claims };
}

function signerKeyOf(signer: SignerInput, now: number): KeyObject {
  if (signer instanceof KeyObject) {
    if (signer.asymmetricKeyType !== 'ec') throw new TokenError('signer_certificate', 'not an EC key');
    return signer.type === 'private' ? createPublicKey(signer) : signer;
  }
  let certificate: X509Certificate;
  try {
    certificate = signer instanceof X509Certificate ? signer : new X509Certificate(signer);
  } catch {
    throw new TokenError('signer_certificate', 'not a certificate');
  }
  if (!isWithinValidity(certificate, now)) {
    throw new TokenError('signer_certificate', 'outside its validity period');
  }
  if (certificate.publicKey.asymmetricKeyType !== 'ec') {
    throw new TokenError('signer_certificate', 'not an EC key');
  }
  return certificate.publicKey;
}

function parseHeader(part0: string): TokenHeader {
  const bytes = fromBase64AnyAlphabet(part0);
  let header: unknown;
  try {
    header = bytes ? JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) : undefined;
  } catch {
    header = undefined;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new TokenError('bad_header', 'not a JSON object');
  }
  const { alg, typ, jwtId } = header as Record<string, unknown>;
  if (alg !== TOKEN_ALG || typ !== 'JWT' || typeof jwtId !== 'string') {
    throw new TokenError('bad_header', `alg ${String(alg)}, typ ${String(typ)}`);
  }
  if (jwtId.trim().length === 0) throw new TokenError('empty_id');
  return { alg, typ, jwtId };
}

/**
 * §4.4 steps 1–3 as an RP computes them: URL-decode if the token contains `%`, split into exactly
 * three parts, `d = SHA-512(part0.part1)`, verify the DER signature over `d` with SHA512withECDSA
 * and the signer's key. Then the header is checked. Throws {@link TokenError}.
 */
export function verifyToken(
  token: unknown,
  signer: SignerInput,
  options: VerifyTokenOptions = {},
): VerifiedToken {
  if (typeof token !== 'string') throw new TokenError('not_a_string');
  let text = token;
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      throw new TokenError('bad_format', 'bad URL encoding');
    }
  }
  const parts = text.split('.');
  const [part0, part1, part2] = parts;
  if (parts.length !== 3 || !part0 || !part1 || !part2) throw new TokenError('bad_format');
  // Machine time only as the default: rp-protocol is also the integrators' library (no clock port there); the server always passes its clock's `now`.
  const now = options.now === undefined ? Date.now() : Number(options.now);
  const key = signerKeyOf(signer, now);
  const der = fromBase64AnyAlphabet(part2);
  let valid = false;
  try {
    valid =
      der !== undefined && verify('sha512', signingDigest(part0, part1), { key, dsaEncoding: 'der' }, der);
  } catch {
    valid = false;
  }
  if (!valid) throw new TokenError('bad_signature');
  const header = parseHeader(part0);
  return { token: text, header, jwtId: header.jwtId, parts: [part0, part1, part2] };
}

export interface OpenTokenOptions {
  signer: SignerInput;
  payloadKey: Uint8Array;
  /** Accepted kinds; a token of another kind fails with code 106. */
  expectedTypes?: readonly TokenKind[];
  /** Epoch ms; defaults to now. */
  now?: number;
}

/**
 * Server side: {@link verifyToken}, then decrypt the payload and check `jti`, `iss`, kind and the
 * `nbf`/`exp` window. This is what the access-token, status, refresh and logout endpoints need.
 */
export function openToken(token: unknown, options: OpenTokenOptions): OpenedToken {
  const now = options.now ?? Date.now();
  const verified = verifyToken(token, options.signer, { now });
  const [part0, part1] = verified.parts;
  const json = decryptPayload(options.payloadKey, part0, part1);
  let claims: unknown;
  try {
    claims = json === undefined ? undefined : JSON.parse(json);
  } catch {
    claims = undefined;
  }
  if (!isClaims(claims) || claims.jti !== verified.jwtId || claims.iss !== TOKEN_ISSUER) {
    throw new TokenError('undecryptable_payload');
  }
  if (options.expectedTypes && !options.expectedTypes.includes(claims.type)) {
    throw new TokenError('wrong_type', claims.type);
  }
  if (now < claims.nbf) throw new TokenError('not_yet_valid');
  if (now > claims.exp) throw new TokenError('expired');
  return { ...verified, claims };
}

export interface OpenedToken extends VerifiedToken {
  claims: TokenClaims;
}

function isClaims(value: unknown): value is TokenClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    isTokenKind(c.type) &&
    typeof c.jti === 'string' &&
    typeof c.client_id === 'string' &&
    typeof c.domain === 'string' &&
    Number.isFinite(c.iat) &&
    Number.isFinite(c.nbf) &&
    Number.isFinite(c.exp)
  );
}
