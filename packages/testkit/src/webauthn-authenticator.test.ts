// Tests of the soft WebAuthn authenticator against @simplewebauthn/server's registration and authentication.
import { decodeCBOR } from '@levischuck/tiny-cbor';
import type { WebAuthnCredential } from '@simplewebauthn/server';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { describe, expect, it } from 'vitest';
import { isSecureOrigin, SoftAuthenticator, WebAuthnClientError } from './webauthn-authenticator';
import { AuthDataFlags, fromBase64Url, p1363ToDer } from './webauthn-encoding';

const rpID = 'id.camdigikey.test';
const origin = `https://${rpID}`;

async function register(auth: SoftAuthenticator, requireUserVerification = true) {
  const options = await generateRegistrationOptions({
    rpName: 'CamDigiKey',
    rpID,
    userName: 'dara.sok@example.com',
    userDisplayName: 'SOK DARA',
    attestationType: 'none',
    authenticatorSelection: { authenticatorAttachment: 'platform', userVerification: 'required' },
    supportedAlgorithmIDs: [-7, -257],
  });
  const response = await auth.createCredential(options, origin);
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification,
  });
  return { options, response, verification };
}

async function authenticate(auth: SoftAuthenticator, credential: WebAuthnCredential, allow = true) {
  const options = await generateAuthenticationOptions({
    rpID,
    userVerification: 'required',
    allowCredentials: allow ? [{ id: credential.id, transports: ['internal'] }] : [],
  });
  const response = await auth.getAssertion(options, origin);
  const verification = await verifyAuthenticationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential,
    requireUserVerification: true,
  });
  return { response, verification };
}

async function registeredCredential(auth: SoftAuthenticator): Promise<WebAuthnCredential> {
  const { verification } = await register(auth);
  if (!verification.verified || !verification.registrationInfo) throw new Error('registration failed');
  return verification.registrationInfo.credential;
}

describe('SoftAuthenticator registration', () => {
  it('passes verifyRegistrationResponse with user verification required', async () => {
    const auth = new SoftAuthenticator();
    const { options, response, verification } = await register(auth);
    expect(verification.verified).toBe(true);
    const info = verification.registrationInfo!;
    expect(info.fmt).toBe('none');
    expect(info.userVerified).toBe(true);
    expect(info.credential.id).toBe(response.id);
    expect(info.credential.counter).toBe(0);
    expect(info.credentialDeviceType).toBe('singleDevice');
    expect(response.authenticatorAttachment).toBe('platform');
    expect(auth.getCredential(response.id)?.userHandle).toBe(options.user.id);

    const clientData = JSON.parse(
      Buffer.from(fromBase64Url(response.response.clientDataJSON)).toString('utf8'),
    );
    expect(clientData).toMatchObject({ type: 'webauthn.create', challenge: options.challenge, origin });
    const attestation = decodeCBOR(fromBase64Url(response.response.attestationObject));
    expect(attestation).toBeInstanceOf(Map);
    const authData = (attestation as Map<string, unknown>).get('authData') as Uint8Array;
    const flags = authData[32]!;
    expect(flags & (AuthDataFlags.UP | AuthDataFlags.UV | AuthDataFlags.AT)).toBe(
      AuthDataFlags.UP | AuthDataFlags.UV | AuthDataFlags.AT,
    );
  });

  it('reports a synced passkey when backedUp is set', async () => {
    const { verification } = await register(new SoftAuthenticator({ backedUp: true }));
    expect(verification.registrationInfo?.credentialDeviceType).toBe('multiDevice');
    expect(verification.registrationInfo?.credentialBackedUp).toBe(true);
  });

  it('fails verification when user verification failed (UV flag cleared)', async () => {
    const auth = new SoftAuthenticator({ userVerified: false });
    await expect(register(auth)).rejects.toThrow(/user could not be verified/i);
    const lenient = await register(new SoftAuthenticator({ userVerified: false }), false);
    expect(lenient.verification.verified).toBe(true);
    expect(lenient.verification.registrationInfo?.userVerified).toBe(false);
  });

  it('behaves like a browser on bad input', async () => {
    const auth = new SoftAuthenticator();
    const { options, response } = await register(auth);
    const excluded = { ...options, excludeCredentials: [{ id: response.id, type: 'public-key' }] };
    await expect(auth.createCredential(excluded, origin)).rejects.toMatchObject({
      name: 'InvalidStateError',
    });
    const rsaOnly = { ...options, pubKeyCredParams: [{ alg: -257, type: 'public-key' }] };
    await expect(auth.createCredential(rsaOnly, origin)).rejects.toMatchObject({ name: 'NotSupportedError' });
    await expect(auth.createCredential(options, 'https://evil.test')).rejects.toBeInstanceOf(
      WebAuthnClientError,
    );
    await expect(auth.createCredential(options, `http://${rpID}`)).rejects.toMatchObject({
      name: 'SecurityError',
    });
  });

  it('works against a loopback test server (http://127.0.0.1:port, RP ID 127.0.0.1)', async () => {
    const auth = new SoftAuthenticator();
    const local = 'http://127.0.0.1:4321';
    const options = await generateRegistrationOptions({
      rpName: 'CamDigiKey',
      rpID: '127.0.0.1',
      userName: 'x',
    });
    const response = await auth.createCredential(options, local);
    const verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: local,
      expectedRPID: '127.0.0.1',
    });
    expect(verification.verified).toBe(true);
    expect(isSecureOrigin(new URL('http://localhost:3000'))).toBe(true);
    expect(isSecureOrigin(new URL('http://10.0.0.1'))).toBe(false);
  });
});

describe('SoftAuthenticator authentication', () => {
  it('passes verifyAuthenticationResponse and increments the sign counter', async () => {
    const auth = new SoftAuthenticator();
    const credential = await registeredCredential(auth);
    const first = await authenticate(auth, credential);
    expect(first.verification.verified).toBe(true);
    expect(first.verification.authenticationInfo.newCounter).toBe(1);
    expect(first.verification.authenticationInfo.userVerified).toBe(true);
    const second = await authenticate(auth, { ...credential, counter: 1 });
    expect(second.verification.authenticationInfo.newCounter).toBe(2);
    expect(auth.getCredential(credential.id)?.signCount).toBe(2);
  });

  it('supports discoverable (username-less) sign-in and returns the user handle', async () => {
    const auth = new SoftAuthenticator();
    const { options, verification: registration } = await register(auth);
    const credential = registration.registrationInfo!.credential;
    const { response, verification } = await authenticate(auth, credential, false);
    expect(verification.verified).toBe(true);
    expect(response.id).toBe(credential.id);
    expect(response.response.userHandle).toBe(options.user.id);
  });

  it('fails verification when Face ID fails (userVerified = false)', async () => {
    const auth = new SoftAuthenticator();
    const credential = await registeredCredential(auth);
    auth.userVerified = false;
    await expect(authenticate(auth, credential)).rejects.toThrow(/user could not be verified/i);
    auth.userVerified = true;
    expect((await authenticate(auth, { ...credential, counter: 1 })).verification.verified).toBe(true);
  });

  it('lets the server detect a counter regression (cloned authenticator)', async () => {
    const auth = new SoftAuthenticator();
    const credential = await registeredCredential(auth);
    auth.setSignCount(credential.id, 0);
    await expect(authenticate(auth, { ...credential, counter: 5 })).rejects.toThrow(/counter/i);
  });

  it('rejects unknown credentials and foreign RPs', async () => {
    const auth = new SoftAuthenticator();
    const credential = await registeredCredential(auth);
    expect(auth.removeCredential(credential.id)).toBe(true);
    await expect(authenticate(auth, credential)).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(auth.credentialIds).toEqual([]);
  });
});

describe('p1363ToDer', () => {
  it('encodes r and s as minimal positive DER integers', () => {
    const r = new Uint8Array(32).fill(0x80);
    const s = new Uint8Array(32);
    s[31] = 0x01;
    const der = p1363ToDer(new Uint8Array([...r, ...s]));
    expect([...der.subarray(0, 4)]).toEqual([0x30, 33 + 2 + 3, 0x02, 33]);
    expect(der[4]).toBe(0x00);
    expect([...der.subarray(-3)]).toEqual([0x02, 0x01, 0x01]);
  });
});
