/**
 * Tests of the §2.3 envelope (rp-protocol.md): round trips client → server → client, Khmer text,
 * and every tamper case (a flipped bit in params, signature or response ciphertext, wrong keys,
 * wrong IV, unknown client), checking that a bad signature and an unknown client look the same.
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ClientKeys } from './credentials';
import { decodeClientCredentials, generateClientCredentials } from './credentials';
import type { RequestEnvelope } from './envelope';
import {
  errorResponse,
  okResponse,
  openRequest,
  openRequestWithKeys,
  openResponse,
  sealRequest,
  sealResponse,
} from './envelope';
import { EnvelopeError } from './errors';

const keys = decodeClientCredentials(generateClientCredentials());
const lookup = (clientId: string) => (clientId === keys.clientId ? keys : undefined);
const khmer = 'សួស្តី ពិភពលោក — ឈ្មោះ៖ សុខ ចាន់ដារ៉ា';

function flipBit(base64: string, byteIndex: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

function failure(run: () => unknown): EnvelopeError {
  try {
    run();
  } catch (error) {
    if (error instanceof EnvelopeError) return error;
    throw error;
  }
  throw new Error('expected an EnvelopeError');
}

describe('envelope round trip', () => {
  it('carries an inner request and an inner response both ways', async () => {
    const inner = { clientId: keys.clientId, domain: 'localhost:3002', requestedDate: 1_717_000_000_000 };
    const request = sealRequest(keys, inner);
    expect(Object.keys(request)).toEqual(['clientId', 'params', 'signature']);
    expect(request.clientId).toBe(keys.clientId);
    const opened = await openRequest(JSON.parse(JSON.stringify(request)), lookup);
    expect(opened.params).toEqual(inner);
    expect(opened.clientId).toBe(keys.clientId);

    const response = sealResponse(
      opened.keys,
      okResponse({ loginToken: 'a.b.c', loginUrl: 'https://x/login?loginToken=a.b.c' }),
    );
    expect(Object.keys(response)).toEqual(['data', 'signature']);
    const reply = openResponse<{ loginToken: string }>(keys, JSON.parse(JSON.stringify(response)));
    expect(reply).toEqual({
      error: 0,
      message: 'OK',
      data: { loginToken: 'a.b.c', loginUrl: 'https://x/login?loginToken=a.b.c' },
    });
  });

  it('keeps Khmer text intact in both directions', async () => {
    const opened = await openRequest(
      sealRequest(keys, { personalCode: 'TDD000000888', note: khmer }),
      lookup,
    );
    expect(opened.params.note).toBe(khmer);
    const reply = openResponse<{ surname_kh: string }>(
      keys,
      sealResponse(keys, okResponse({ surname_kh: khmer })),
    );
    expect(reply.data?.surname_kh).toBe(khmer);
  });

  it('uses standard base64 with padding and the same fixed IV for equal messages', () => {
    const a = sealRequest(keys, { x: 1 });
    const b = sealRequest(keys, { x: 1 });
    expect(a.params).toBe(b.params);
    expect(a.params).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(a.params.length % 4).toBe(0);
    expect(Buffer.from(a.signature, 'base64')).toHaveLength(64);
  });

  it('writes the inner response as {error, message, data} and returns error codes to the caller', () => {
    const sealed = sealResponse(keys, errorResponse(404, 'service account not found'));
    expect(openResponse(keys, sealed)).toEqual({ error: 404, message: 'service account not found' });
    expect(() => errorResponse(0, 'no')).toThrow(RangeError);
  });
});

describe('envelope tampering (server side)', () => {
  const request = sealRequest(keys, { clientId: keys.clientId, accessToken: 'a.b.c' });

  it.each([0, 5, 31])('rejects one flipped bit in params (byte %i) before decrypting', (index) => {
    const error = failure(() =>
      openRequestWithKeys({ ...request, params: flipBit(request.params, index) }, keys),
    );
    expect(error.code).toBe('invalid_signature');
    expect(error.auditReason).toBe('bad_signature');
  });

  it.each([0, 63])('rejects one flipped bit in the signature (byte %i)', (index) => {
    const error = failure(() =>
      openRequestWithKeys({ ...request, signature: flipBit(request.signature, index) }, keys),
    );
    expect(error.code).toBe('invalid_signature');
  });

  it('rejects a truncated or unpadded signature and a changed clientId', () => {
    const short = Buffer.from(request.signature, 'base64').subarray(0, 32).toString('base64');
    expect(failure(() => openRequestWithKeys({ ...request, signature: short }, keys)).code).toBe(
      'invalid_signature',
    );
    // 64 bytes are 88 base64 characters ending in "=="; Java string-compares, so padding is required
    const unpadded = request.signature.replace(/=+$/, '');
    expect(failure(() => openRequestWithKeys({ ...request, signature: unpadded }, keys)).code).toBe(
      'invalid_signature',
    );
    const otherClient = { ...request, clientId: `${keys.clientId}x` };
    expect(failure(() => openRequestWithKeys(otherClient, keys)).code).toBe('invalid_signature');
  });

  it('gives an unknown client exactly the error of a bad signature', async () => {
    const stranger = decodeClientCredentials(generateClientCredentials());
    const unknown = failure(() => openRequestWithKeys(sealRequest(stranger, { a: 1 }), undefined));
    const forged = failure(() =>
      openRequestWithKeys({ ...request, signature: flipBit(request.signature, 1) }, keys),
    );
    expect([unknown.code, unknown.message, unknown.name]).toEqual([forged.code, forged.message, forged.name]);
    expect(unknown.auditReason).toBe('unknown_client');
    await expect(openRequest(sealRequest(stranger, { a: 1 }), lookup)).rejects.toMatchObject({
      code: 'invalid_signature',
    });
  });

  it('rejects a request signed with another HMAC key', () => {
    const wrong: ClientKeys = { ...keys, hmacKey: Buffer.alloc(32, 7) };
    expect(failure(() => openRequestWithKeys(sealRequest(wrong, { a: 1 }), keys)).code).toBe(
      'invalid_signature',
    );
  });

  it('reports a wrong AES key or IV (with a valid MAC) as an undecryptable payload', () => {
    const wrongKey: ClientKeys = { ...keys, secretKey: Buffer.alloc(32, 9) };
    const wrongIv: ClientKeys = { ...keys, iv: Buffer.alloc(16, 9) };
    const keyError = failure(() => openRequestWithKeys(sealRequest(wrongKey, { hello: 'world' }), keys));
    expect(['invalid_ciphertext', 'invalid_json']).toContain(keyError.code);
    const ivError = failure(() => openRequestWithKeys(sealRequest(wrongIv, { hello: 'world' }), keys));
    expect(ivError.code).toBe('invalid_json');
  });

  it('rejects malformed bodies and non-object JSON', () => {
    for (const body of [
      null,
      'x',
      [],
      { clientId: 1, params: '', signature: '' },
      { clientId: keys.clientId },
    ]) {
      expect(failure(() => openRequestWithKeys(body, keys)).code).toBe('malformed_envelope');
    }
    const array = sealRequest(keys, {} as never);
    const withArray: RequestEnvelope = sealRequestRaw(keys, '[1,2]');
    expect(openRequestWithKeys(array, keys).params).toEqual({});
    expect(failure(() => openRequestWithKeys(withArray, keys)).code).toBe('invalid_json');
  });
});

describe('envelope tampering (client side)', () => {
  const response = sealResponse(keys, okResponse({ accessToken: 'a.b.c' }));

  it('rejects a flipped bit in the response ciphertext or signature', () => {
    expect(failure(() => openResponse(keys, { ...response, data: flipBit(response.data, 3) })).code).toBe(
      'invalid_signature',
    );
    expect(
      failure(() => openResponse(keys, { ...response, signature: flipBit(response.signature, 3) })).code,
    ).toBe('invalid_signature');
  });

  it('rejects a response MAC keyed otherwise, or computed over the base64 text instead of the bytes', () => {
    expect(failure(() => openResponse({ ...keys, hmacKey: Buffer.alloc(32, 1) }, response)).code).toBe(
      'invalid_signature',
    );
    const overText = createHmac('sha512', keys.hmacKey).update(response.data).digest('base64');
    expect(failure(() => openResponse(keys, { ...response, signature: overText })).code).toBe(
      'invalid_signature',
    );
  });

  it('rejects a malformed response body', () => {
    expect(failure(() => openResponse(keys, { data: 1, signature: 'x' })).code).toBe('malformed_envelope');
  });
});

/** A request whose plaintext is arbitrary text (not produced by sealRequest's JSON.stringify). */
function sealRequestRaw(k: ClientKeys, plaintext: string): RequestEnvelope {
  const cipher = createCipheriv('aes-256-cbc', k.secretKey, k.iv);
  const params = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
  const signature = createHmac('sha512', k.hmacKey).update(`${k.clientId}.${params}`).digest('base64');
  return { clientId: k.clientId, params, signature };
}
