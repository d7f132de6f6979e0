/**
 * Device-bound request proofs (architecture.md, decision 7; DPoP-style, RFC 9449 shape).
 *
 * The app holds a non-extractable P-256 key. Every device call carries
 *   Device-Proof: <JWS compact, ES256>
 * with protected header { typ: "cdk-device-proof+jwt", alg: "ES256", jwk: <public key> } and
 * payload { htm, htu, bh, iat, nonce, jti }:
 *   htm   the HTTP method,             htu  the full URL (PUBLIC_URL + path + query),
 *   bh    base64url SHA-256 of the exact body bytes (of "" when there is none),
 *   iat   seconds since epoch,          nonce a fresh single-use server nonce,
 *   jti   a random id (replay detection).
 *
 * The checks, in order (each failure has its own code):
 *   1 present            device_proof_missing
 *   2 well-formed, ES256, P-256 public jwk, valid signature   device_proof_invalid
 *   3 htm / htu / bh match this request                       device_proof_mismatch
 *   4 iat within DEVICE_PROOF_MAX_AGE_SECONDS (5 s future skew) device_proof_expired
 *   5 jti not seen before                                     device_proof_replayed
 *   6 nonce issued by us, unexpired, and consumed now         device_proof_nonce_invalid
 * Whether the key is the one bound to the flow or account is the caller's check (step 7).
 */
import { createHash, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { AppError } from '../errors';
import type { HotState } from '../infra/hot-state';
import type { Clock } from '../ports/clock';

export const PROOF_HEADER = 'device-proof';
export const NONCE_HEADER = 'device-nonce';
export const PROOF_TYP = 'cdk-device-proof+jwt';
const FUTURE_SKEW_SECONDS = 5;

export interface VerifiedProof {
  thumbprint: string;
  jwk: JWK;
}

export interface ProofRequest {
  method: string;
  url: string;
  body: Uint8Array;
  proof: string | undefined;
}

export const bodyHash = (body: Uint8Array) => createHash('sha256').update(body).digest('base64url');

/** Imported public keys and thumbprints by JWK coordinates (bounded, least recently used out). */
class KeyCache {
  private readonly entries = new Map<
    string,
    { key: Awaited<ReturnType<typeof importJWK>>; thumbprint: string }
  >();
  constructor(private readonly capacity = 10_000) {}

  async get(jwk: JWK) {
    const id = `${jwk.x}.${jwk.y}`;
    const hit = this.entries.get(id);
    if (hit) {
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit;
    }
    const entry = {
      key: await importJWK(jwk, 'ES256'),
      thumbprint: await calculateJwkThumbprint(jwk, 'sha256'),
    };
    this.entries.set(id, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }
}

export class DeviceProofVerifier {
  private readonly keys = new KeyCache();

  constructor(
    private readonly hot: HotState,
    private readonly clock: Clock,
    private readonly options: { publicUrl: string; maxAgeSeconds: number; nonceTtlSeconds: number },
  ) {}

  async issueNonce(): Promise<string> {
    const nonce = randomBytes(24).toString('base64url');
    await this.hot.putOnce(`nonce:${nonce}`, this.options.nonceTtlSeconds, this.clock.now());
    return nonce;
  }

  async verify(request: ProofRequest): Promise<VerifiedProof> {
    if (!request.proof) throw new AppError('device_proof_missing');
    const { jwk, thumbprint, payload } = await this.verifySignature(request.proof);

    const expectedUrl = this.options.publicUrl + request.url;
    if (
      payload.htm !== request.method ||
      payload.htu !== expectedUrl ||
      payload.bh !== bodyHash(request.body)
    ) {
      throw new AppError('device_proof_mismatch', {
        details: {
          method: payload.htm !== request.method,
          url: payload.htu !== expectedUrl,
          body: payload.bh !== bodyHash(request.body),
        },
      });
    }

    const now = this.clock.now();
    const age = now.getTime() / 1000 - payload.iat;
    if (age > this.options.maxAgeSeconds || age < -FUTURE_SKEW_SECONDS)
      throw new AppError('device_proof_expired');

    // The proof's id is claimed and its nonce consumed together (one round trip to Redis with
    // auto-pipelining), each atomically on its own. A replay carries a nonce its first use has
    // already consumed, so consuming it here too changes nothing; the replay is reported first.
    const [firstUse, nonceValid] = await Promise.all([
      this.hot.claim(`jti:${thumbprint}:${payload.jti}`, this.options.maxAgeSeconds * 2, now),
      this.hot.takeOnce(`nonce:${payload.nonce}`, now),
    ]);
    if (!firstUse) throw new AppError('device_proof_replayed');
    if (!nonceValid) throw new AppError('device_proof_nonce_invalid');

    return { thumbprint, jwk };
  }

  private async verifySignature(proof: string) {
    try {
      if (proof.length > 4096) throw new Error('proof too long');
      const header = decodeProtectedHeader(proof);
      const jwk = header.jwk as JWK | undefined;
      if (header.alg !== 'ES256' || header.typ !== PROOF_TYP || !jwk) throw new Error('header');
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || 'd' in jwk || !jwk.x || !jwk.y) throw new Error('jwk');
      const publicJwk: JWK = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
      const { key, thumbprint } = await this.keys.get(publicJwk);
      const { payload } = await compactVerify(proof, key, { algorithms: ['ES256'] });
      const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
      const { htm, htu, bh, iat, nonce, jti } = claims;
      if (
        typeof htm !== 'string' ||
        typeof htu !== 'string' ||
        typeof bh !== 'string' ||
        typeof iat !== 'number' ||
        typeof nonce !== 'string' ||
        typeof jti !== 'string' ||
        jti.length < 8 ||
        jti.length > 128
      ) {
        throw new Error('claims');
      }
      return { jwk: publicJwk, thumbprint, payload: { htm, htu, bh, iat, nonce, jti } };
    } catch (cause) {
      throw new AppError('device_proof_invalid', { cause });
    }
  }
}
