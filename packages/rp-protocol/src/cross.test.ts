/**
 * Cross tests between this package and the independent implementation written from
 * rp-protocol.md alone (independent-client.test-helper.ts), in both directions: envelope
 * requests and responses (§2.3), and token signatures (§4.4), so that one misreading of the
 * document cannot hide in both ends.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeClientCredentials, generateClientCredentials } from './credentials';
import { okResponse, openRequestWithKeys, openResponse, sealRequest, sealResponse } from './envelope';
import {
  IndependentClient,
  IndependentServer,
  independentlySignedToken,
  javaStyleSignatureValid,
  nodeStyleSignatureValid,
} from './independent-client.test-helper';
import type { IssuedCertificate } from './pki';
import { createRootCa, createSubordinateCa, issueSignerCertificate } from './pki';
import { generatePayloadKey } from './token-payload';
import { signToken, verifyToken } from './tokens';

const credentials = generateClientCredentials();
const keys = decodeClientCredentials(credentials);
const khmer = 'នាមត្រកូល ខ្មែរ ១២៣';

describe('envelope, independent client → our server → independent client', () => {
  it('round-trips a request and a response', () => {
    const client = new IndependentClient(credentials);
    const inner = {
      clientId: credentials.clientId,
      domain: 'localhost:3002',
      requestedDate: Date.now(),
      note: khmer,
    };
    const opened = openRequestWithKeys(client.wrapRequest(inner), keys);
    expect(opened.params).toEqual(inner);
    const reply = client.unwrapResponse(sealResponse(keys, okResponse({ surname_kh: khmer })));
    expect(reply).toEqual({ error: 0, message: 'OK', data: { surname_kh: khmer } });
  });

  it('produces byte-identical envelopes for the same input (fixed IV, deterministic CBC)', () => {
    const inner = { clientId: credentials.clientId, accessToken: 'a.b.c' };
    expect(new IndependentClient(credentials).wrapRequest(inner)).toEqual(sealRequest(keys, inner));
    expect(new IndependentServer(credentials).wrapResponse(0, 'OK', { status: true })).toEqual(
      sealResponse(keys, okResponse({ status: true })),
    );
  });

  it('independent client rejects a tampered response from our server', () => {
    const sealed = sealResponse(keys, okResponse({ a: 1 }));
    const bytes = Buffer.from(sealed.data, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 0x80;
    expect(
      new IndependentClient(credentials).unwrapResponse({ ...sealed, data: bytes.toString('base64') }),
    ).toBeNull();
  });
});

describe('envelope, our client → independent server → our client', () => {
  it('round-trips a request and a response', () => {
    const server = new IndependentServer(credentials);
    const inner = { clientId: credentials.clientId, personalCode: 'TDD000000888', note: khmer };
    expect(server.unwrapRequest(sealRequest(keys, inner))).toEqual(inner);
    expect(openResponse(keys, server.wrapResponse(0, 'OK', { face: 'AAAA' }))).toEqual({
      error: 0,
      message: 'OK',
      data: { face: 'AAAA' },
    });
    expect(openResponse(keys, server.wrapResponse(7, 'service account not found'))).toEqual({
      error: 7,
      message: 'service account not found',
    });
  });

  it('independent server rejects our request signed with another HMAC key', () => {
    const forged = sealRequest({ ...keys, hmacKey: Buffer.alloc(32, 3) }, { a: 1 });
    expect(new IndependentServer(credentials).unwrapRequest(forged)).toBeNull();
  });
});

describe('token signatures, both directions', () => {
  let signer: IssuedCertificate;
  const payloadKey = generatePayloadKey();

  beforeAll(() => {
    signer = issueSignerCertificate(createSubordinateCa(createRootCa()));
  });

  it('our tokens verify with the Node-style and Java-style independent checks', () => {
    for (let i = 0; i < 5; i++) {
      const { token } = signToken(
        { type: 'USER', client_id: 'c', domain: 'localhost:3002', camdigikey_id: `id-${i}` },
        { signerKey: signer.privateKey, payloadKey, lifetimeMs: 60_000 },
      );
      expect(nodeStyleSignatureValid(token, signer.pem)).toBe(true);
      expect(javaStyleSignatureValid(token, signer.pem)).toBe(true);
      expect(nodeStyleSignatureValid(encodeURIComponent(token), signer.pem)).toBe(true);
    }
  });

  it('independent checks reject our tokens under another signer', () => {
    const other = issueSignerCertificate(createRootCa());
    const { token } = signToken(
      { type: 'ORGANIZATION', client_id: 'c', domain: 'd' },
      { signerKey: signer.privateKey, payloadKey, lifetimeMs: 60_000 },
    );
    expect(nodeStyleSignatureValid(token, other.pem)).toBe(false);
    expect(javaStyleSignatureValid(token, other.pem)).toBe(false);
  });

  it('our verifier accepts independently signed tokens (standard alphabet, opaque payload)', () => {
    const keyPem = signer.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const token = independentlySignedToken(
      keyPem,
      Buffer.from('not json, opaque bytes \u0001\u00ff'),
      'a-jwt-id',
    );
    expect(verifyToken(token, signer.pem).jwtId).toBe('a-jwt-id');
    const other = issueSignerCertificate(createRootCa());
    expect(() => verifyToken(token, other.pem)).toThrow('Invalid access token signature');
  });
});
