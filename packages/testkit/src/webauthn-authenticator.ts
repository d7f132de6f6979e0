// A software WebAuthn platform authenticator (ES256 passkeys, attestation "none") for end-to-end tests.
import { randomBytes, webcrypto } from 'node:crypto';
import type { CBORType } from '@levischuck/tiny-cbor';
import { encodeCBOR } from '@levischuck/tiny-cbor';
import { clientData, rpIdFor, WebAuthnClientError } from './webauthn-client';
import { AuthDataFlags, encodeAuthData, p1363ToDer, sha256, toBase64Url } from './webauthn-encoding';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from './webauthn-types';

export { isSecureOrigin, WebAuthnClientError } from './webauthn-client';
export * from './webauthn-types';

/** COSE algorithm identifier of ES256 (ECDSA P-256 with SHA-256). */
export const COSE_ALG_ES256 = -7;

/** Construction options of {@link SoftAuthenticator}. */
export interface SoftAuthenticatorOptions {
  /** 16-byte AAGUID reported at registration. Defaults to all zeroes (usual with attestation "none"). */
  aaguid?: Uint8Array;
  /** Report the credentials as backup eligible and backed up (a synced passkey). Defaults to false. */
  backedUp?: boolean;
  /** Initial value of {@link SoftAuthenticator.userVerified}. Defaults to true. */
  userVerified?: boolean;
}

/** Public view of a credential held by the authenticator. */
export interface SoftCredentialInfo {
  id: string;
  rpId: string;
  /** `user.id` from the creation options (base64url); returned as `userHandle` in assertions. */
  userHandle: string;
  signCount: number;
  /** SubjectPublicKeyInfo (DER) of the credential public key, base64url. */
  publicKeySpki: string;
}

interface StoredCredential extends SoftCredentialInfo {
  privateKey: webcrypto.CryptoKey;
}

/**
 * An in-memory platform authenticator (think Face ID / Android biometrics) that speaks the WebAuthn JSON
 * forms a browser hands to the relying party. It makes ES256 credentials with Web Crypto, attests with
 * format "none", and signs assertions with a per-credential counter that increments on every use.
 *
 * It deliberately does not enforce `userVerification: 'required'` itself: set {@link userVerified} to
 * false to simulate a failed biometric check that still reaches the server (UV flag cleared), so the
 * server-side verification can be shown to reject it. Set {@link userPresent} to false to clear UP.
 */
export class SoftAuthenticator {
  /** When false, the UV flag is cleared in all following responses (a failed Face ID). */
  userVerified: boolean;
  /** When false, the UP flag is cleared in all following responses. */
  userPresent = true;
  private readonly aaguid: Uint8Array;
  private readonly backedUp: boolean;
  private readonly credentials = new Map<string, StoredCredential>();

  constructor(options: SoftAuthenticatorOptions = {}) {
    this.aaguid = options.aaguid ?? new Uint8Array(16);
    if (this.aaguid.length !== 16) throw new RangeError('aaguid must be 16 bytes');
    this.backedUp = options.backedUp ?? false;
    this.userVerified = options.userVerified ?? true;
  }

  private flags(): number {
    let flags = 0;
    if (this.userPresent) flags |= AuthDataFlags.UP;
    if (this.userVerified) flags |= AuthDataFlags.UV;
    if (this.backedUp) flags |= AuthDataFlags.BE | AuthDataFlags.BS;
    return flags;
  }

  /** `navigator.credentials.create()`: makes a new ES256 credential and returns its registration JSON. */
  async createCredential(
    options: PublicKeyCredentialCreationOptionsJSON,
    origin: string,
  ): Promise<RegistrationResponseJSON> {
    const rpId = rpIdFor(origin, options.rp.id);
    if (!options.pubKeyCredParams.some((p) => p.alg === COSE_ALG_ES256 && p.type === 'public-key')) {
      throw new WebAuthnClientError('NotSupportedError', 'ES256 (-7) is not among pubKeyCredParams');
    }
    for (const excluded of options.excludeCredentials ?? []) {
      if (this.credentials.get(excluded.id)?.rpId === rpId) {
        throw new WebAuthnClientError(
          'InvalidStateError',
          'a credential in excludeCredentials already exists',
        );
      }
    }
    const keyPair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]);
    const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', keyPair.publicKey));
    const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keyPair.publicKey));
    const cosePublicKey = encodeCBOR(
      new Map<number, CBORType>([
        [1, 2], // kty: EC2
        [3, COSE_ALG_ES256], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, raw.slice(1, 33)], // x
        [-3, raw.slice(33, 65)], // y
      ]),
    );
    const credentialId = new Uint8Array(randomBytes(32));
    const id = toBase64Url(credentialId);
    const authData = encodeAuthData({
      rpId,
      flags: this.flags(),
      signCount: 0,
      attested: { aaguid: this.aaguid, credentialId, cosePublicKey },
    });
    const attestationObject = encodeCBOR(
      new Map<string, CBORType>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, CBORType>()],
        ['authData', authData],
      ]),
    );
    this.credentials.set(id, {
      id,
      rpId,
      userHandle: options.user.id,
      signCount: 0,
      publicKeySpki: toBase64Url(spki),
      privateKey: keyPair.privateKey,
    });
    return {
      id,
      rawId: id,
      response: {
        clientDataJSON: toBase64Url(clientData('webauthn.create', options.challenge, origin)),
        attestationObject: toBase64Url(attestationObject),
        authenticatorData: toBase64Url(authData),
        transports: ['internal', 'hybrid'],
        publicKeyAlgorithm: COSE_ALG_ES256,
        publicKey: toBase64Url(spki),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: options.extensions?.credProps ? { credProps: { rk: true } } : {},
      type: 'public-key',
    };
  }

  /**
   * `navigator.credentials.get()`: signs the challenge with a matching credential — the first listed in
   * `allowCredentials` that this authenticator holds, or (discoverable flow) the newest one for the RP.
   * @throws WebAuthnClientError `NotAllowedError` when no credential matches.
   */
  async getAssertion(
    options: PublicKeyCredentialRequestOptionsJSON,
    origin: string,
  ): Promise<AuthenticationResponseJSON> {
    const rpId = rpIdFor(origin, options.rpId);
    const allowed = options.allowCredentials ?? [];
    const forRp = [...this.credentials.values()].filter((c) => c.rpId === rpId);
    const credential =
      allowed.length > 0
        ? allowed.map((a) => forRp.find((c) => c.id === a.id)).find((c) => c !== undefined)
        : forRp.at(-1);
    if (!credential) throw new WebAuthnClientError('NotAllowedError', `no credential for ${rpId}`);
    credential.signCount += 1;
    const authData = encodeAuthData({ rpId, flags: this.flags(), signCount: credential.signCount });
    const clientDataJSON = clientData('webauthn.get', options.challenge, origin);
    const signed = new Uint8Array(
      await webcrypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        credential.privateKey,
        Buffer.concat([authData, sha256(clientDataJSON)]),
      ),
    );
    return {
      id: credential.id,
      rawId: credential.id,
      response: {
        clientDataJSON: toBase64Url(clientDataJSON),
        authenticatorData: toBase64Url(authData),
        signature: toBase64Url(p1363ToDer(signed)),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      type: 'public-key',
    };
  }

  /** Ids (base64url) of all credentials held, oldest first. */
  get credentialIds(): string[] {
    return [...this.credentials.keys()];
  }

  /** Public information about a held credential, or undefined. */
  getCredential(id: string): SoftCredentialInfo | undefined {
    const c = this.credentials.get(id);
    return (
      c && {
        id: c.id,
        rpId: c.rpId,
        userHandle: c.userHandle,
        signCount: c.signCount,
        publicKeySpki: c.publicKeySpki,
      }
    );
  }

  /** Forces a credential's signature counter, e.g. to simulate a cloned authenticator. */
  setSignCount(id: string, signCount: number): void {
    const c = this.credentials.get(id);
    if (!c) throw new RangeError(`unknown credential ${id}`);
    c.signCount = signCount;
  }

  /** Forgets a credential (as when the user deletes the passkey on the device). */
  removeCredential(id: string): boolean {
    return this.credentials.delete(id);
  }
}
