import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { DeviceClient } from '../api/device-client';
import { PROOF_TYP, publicJwkOf, signProof } from './proof';

const newKey = () =>
  crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
  ]) as Promise<CryptoKeyPair>;

describe('the device proof', () => {
  it('is an ES256 JWS that verifies against the exported public JWK', async () => {
    const pair = await newKey();
    expect(pair.privateKey.extractable).toBe(false);
    const jwk = await publicJwkOf(pair.publicKey);
    expect(Object.keys(jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    const body = JSON.stringify({ phone: '012 345 678' });
    const proof = await signProof(pair.privateKey, jwk, {
      method: 'POST',
      url: 'http://localhost:8080/api/device/v1/registration/abc/phone',
      body,
      nonce: 'n0nce',
      iat: 1_760_000_000,
      jti: 'b3c1a2d4-0000-4000-8000-000000000001',
    });

    const header = decodeProtectedHeader(proof);
    expect(header).toEqual({ alg: 'ES256', typ: PROOF_TYP, jwk });
    const { payload } = await compactVerify(proof, await importJWK(jwk, 'ES256'), { algorithms: ['ES256'] });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({
      htm: 'POST',
      htu: 'http://localhost:8080/api/device/v1/registration/abc/phone',
      bh: createHash('sha256').update(body, 'utf8').digest('base64url'),
      iat: 1_760_000_000,
      nonce: 'n0nce',
      jti: 'b3c1a2d4-0000-4000-8000-000000000001',
    });
  });

  it('hashes the empty body for calls without one and picks a fresh jti and the current time', async () => {
    const pair = await newKey();
    const jwk = await publicJwkOf(pair.publicKey);
    const a = await signProof(pair.privateKey, jwk, {
      method: 'GET',
      url: 'http://x/y',
      body: '',
      nonce: 'n',
    });
    const b = await signProof(pair.privateKey, jwk, {
      method: 'GET',
      url: 'http://x/y',
      body: '',
      nonce: 'n',
    });
    const claims = (p: string) => JSON.parse(Buffer.from(p.split('.')[1]!, 'base64url').toString('utf8'));
    expect(claims(a).bh).toBe(createHash('sha256').update('').digest('base64url'));
    expect(claims(a).jti).not.toBe(claims(b).jti);
    expect(Math.abs(claims(a).iat - Date.now() / 1000)).toBeLessThan(5);
    expect(a.split('.')[2]).toHaveLength(86); // 64 raw bytes r‖s
  });

  it('is signed by the same key the server will bind (thumbprint of the header jwk)', async () => {
    const pair = await newKey();
    const jwk = await publicJwkOf(pair.publicKey);
    const proof = await signProof(pair.privateKey, jwk, {
      method: 'GET',
      url: 'http://x/',
      body: '',
      nonce: 'n',
    });
    const header = decodeProtectedHeader(proof);
    expect(await calculateJwkThumbprint(header.jwk!, 'sha256')).toBe(
      await calculateJwkThumbprint(jwk, 'sha256'),
    );
  });
});

describe('the device client', () => {
  it('fetches a nonce first, uses the one of each answer next, and retries once on an expired nonce', async () => {
    const pair = await newKey();
    const jwk = await publicJwkOf(pair.publicKey);
    const seen: { url: string; nonce?: string }[] = [];
    let served = 0;
    const fakeFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.endsWith('/api/device/v1/nonce')) {
        seen.push({ url });
        return Response.json({ nonce: 'from-endpoint' });
      }
      const headers = (init?.headers ?? {}) as Record<string, string>;
      const proof = headers['device-proof']!;
      const claims = JSON.parse(Buffer.from(proof.split('.')[1]!, 'base64url').toString('utf8'));
      seen.push({ url, nonce: claims.nonce });
      served++;
      if (served === 2)
        return Response.json(
          { error: { code: 'device_proof_nonce_invalid', messageId: 'error.device_proof_nonce_invalid' } },
          { status: 401, headers: { 'device-nonce': 'after-refusal' } },
        );
      return Response.json({ ok: served }, { headers: { 'device-nonce': `next-${served}` } });
    };
    const client = new DeviceClient({
      origin: 'http://localhost:8080',
      key: async () => ({ privateKey: pair.privateKey, jwk }),
      fetch: fakeFetch,
    });
    expect(await client.call('GET', '/api/device/v1/account/status')).toEqual({ ok: 1 });
    expect(await client.call('POST', '/api/device/v1/me/lock', { pin: '1' })).toEqual({ ok: 3 });
    expect(seen.map((s) => s.nonce ?? 'fetch')).toEqual([
      'fetch',
      'from-endpoint',
      'next-1',
      'after-refusal',
    ]);
  });

  it('throws the server error with its code and fields', async () => {
    const pair = await newKey();
    const jwk = await publicJwkOf(pair.publicKey);
    const client = new DeviceClient({
      origin: '',
      key: async () => ({ privateKey: pair.privateKey, jwk }),
      fetch: async (input) =>
        String(input).endsWith('/nonce')
          ? Response.json({ nonce: 'n' })
          : Response.json(
              {
                error: {
                  code: 'phone_invalid',
                  messageId: 'error.phone_invalid',
                  message: { km: 'ក', en: 'e' },
                  fields: [{ field: 'phone', code: 'phone_invalid', messageId: 'error.phone_invalid' }],
                },
              },
              { status: 400 },
            ),
    });
    await expect(client.call('POST', '/p', { phone: 'x' })).rejects.toMatchObject({
      status: 400,
      code: 'phone_invalid',
      fields: [{ field: 'phone' }],
      text: { km: 'ក', en: 'e' },
    });
    const offline = new DeviceClient({
      origin: '',
      key: async () => ({ privateKey: pair.privateKey, jwk }),
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(offline.call('GET', '/p')).rejects.toMatchObject({ code: 'network_error' });
  });
});
