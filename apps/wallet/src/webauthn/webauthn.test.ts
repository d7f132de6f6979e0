import { afterEach, describe, expect, it, vi } from 'vitest';
import { bytesToBase64url } from '../device/base64url';
import {
  creationOptionsFromJSON,
  credentialToJSON,
  faceIdApproval,
  requestOptionsFromJSON,
} from './webauthn';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('Face ID (WebAuthn JSON forms)', () => {
  it('turns the server creation options into the browser form', () => {
    const options = creationOptionsFromJSON({
      challenge: bytesToBase64url(bytes(1, 2, 3, 250)),
      rp: { name: 'CamDigiKey', id: 'localhost' },
      user: { id: bytesToBase64url(bytes(9, 9)), name: '+85512345678', displayName: 'a@b.kh' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      timeout: 60000,
      excludeCredentials: [{ id: bytesToBase64url(bytes(7)), type: 'public-key', transports: ['internal'] }],
      authenticatorSelection: { authenticatorAttachment: 'platform', userVerification: 'required' },
      attestation: 'none',
    });
    expect(new Uint8Array(options.challenge as ArrayBuffer)).toEqual(bytes(1, 2, 3, 250));
    expect(new Uint8Array(options.user.id as ArrayBuffer)).toEqual(bytes(9, 9));
    expect(options.excludeCredentials?.[0]?.transports).toEqual(['internal']);
    expect(options.authenticatorSelection?.userVerification).toBe('required');
    expect(options.timeout).toBe(60000);
  });

  it('turns the server request options into the browser form', () => {
    const options = requestOptionsFromJSON({
      challenge: bytesToBase64url(bytes(5, 6)),
      rpId: 'localhost',
      allowCredentials: [{ id: bytesToBase64url(bytes(1, 1)), type: 'public-key' }],
      userVerification: 'required',
    });
    expect(new Uint8Array(options.challenge as ArrayBuffer)).toEqual(bytes(5, 6));
    expect(options.rpId).toBe('localhost');
    expect(new Uint8Array(options.allowCredentials?.[0]?.id as ArrayBuffer)).toEqual(bytes(1, 1));
  });

  it('writes a new credential and an assertion as the server reads them', () => {
    const created = credentialToJSON({
      id: 'AQI',
      rawId: bytes(1, 2).buffer,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: bytes(123, 125).buffer,
        attestationObject: bytes(160).buffer,
        getTransports: () => ['internal'],
      },
      getClientExtensionResults: () => ({}),
    });
    expect(created).toEqual({
      id: 'AQI',
      rawId: 'AQI',
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: { clientDataJSON: 'e30', attestationObject: 'oA', transports: ['internal'] },
      clientExtensionResults: {},
    });
    const asserted = credentialToJSON({
      id: 'AQI',
      rawId: bytes(1, 2).buffer,
      type: 'public-key',
      response: {
        clientDataJSON: bytes(123, 125).buffer,
        authenticatorData: bytes(1).buffer,
        signature: bytes(2).buffer,
        userHandle: null,
      },
    });
    expect(asserted.response).toEqual({ clientDataJSON: 'e30', authenticatorData: 'AQ', signature: 'Ag' });
  });
});

describe('Face ID that never answers', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('gives up after the wait and reports it as not answered, so the screen can say so', async () => {
    let signal: AbortSignal | undefined;
    vi.stubGlobal('navigator', {
      credentials: {
        // An authenticator that never answers (and ignores the abort, as a stuck one can).
        get: (options: { signal?: AbortSignal }) => {
          signal = options.signal;
          return new Promise(() => undefined);
        },
      },
    });
    const result = await faceIdApproval(
      async () => ({ publicKey: { challenge: bytesToBase64url(bytes(1)) } }),
      30,
    );
    expect(result).toMatchObject({ cancelled: true });
    expect(signal?.aborted).toBe(true);
  });
});
