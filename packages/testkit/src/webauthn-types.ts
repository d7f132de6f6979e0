// WebAuthn JSON shapes (WebAuthn L3 "toJSON" forms), structurally compatible with @simplewebauthn's types.

/** Base64url without padding. */
export type Base64URLString = string;

/** Authenticator transports as reported in `response.transports`. */
export type AuthenticatorTransportJSON =
  | 'ble'
  | 'cable'
  | 'hybrid'
  | 'internal'
  | 'nfc'
  | 'smart-card'
  | 'usb';

/** A credential reference in `excludeCredentials` / `allowCredentials`. */
export interface PublicKeyCredentialDescriptorJSON {
  id: Base64URLString;
  type: string;
  transports?: string[];
}

/** Extension inputs the soft authenticator understands (others are ignored). */
export interface ExtensionInputsJSON {
  credProps?: boolean;
}

/** Extension outputs (`getClientExtensionResults()`). */
export interface ExtensionOutputsJSON {
  appid?: boolean;
  credProps?: { rk?: boolean };
  hmacCreateSecret?: boolean;
}

/** `PublicKeyCredentialCreationOptionsJSON`, as produced by a relying party's registration options. */
export interface PublicKeyCredentialCreationOptionsJSON {
  rp: { name: string; id?: string };
  user: { id: Base64URLString; name: string; displayName: string };
  challenge: Base64URLString;
  pubKeyCredParams: { alg: number; type: string }[];
  timeout?: number;
  excludeCredentials?: PublicKeyCredentialDescriptorJSON[];
  authenticatorSelection?: {
    authenticatorAttachment?: string;
    requireResidentKey?: boolean;
    residentKey?: string;
    userVerification?: string;
  };
  hints?: string[];
  attestation?: string;
  attestationFormats?: string[];
  extensions?: ExtensionInputsJSON;
}

/** `PublicKeyCredentialRequestOptionsJSON`, as produced by a relying party's authentication options. */
export interface PublicKeyCredentialRequestOptionsJSON {
  challenge: Base64URLString;
  timeout?: number;
  rpId?: string;
  allowCredentials?: PublicKeyCredentialDescriptorJSON[];
  userVerification?: string;
  hints?: string[];
  extensions?: ExtensionInputsJSON;
}

/** `AuthenticatorAttestationResponseJSON`. */
export interface AuthenticatorAttestationResponseJSON {
  clientDataJSON: Base64URLString;
  attestationObject: Base64URLString;
  authenticatorData?: Base64URLString;
  transports?: AuthenticatorTransportJSON[];
  publicKeyAlgorithm?: number;
  /** SubjectPublicKeyInfo (DER) of the credential public key. */
  publicKey?: Base64URLString;
}

/** `RegistrationResponseJSON` (a `PublicKeyCredential` from `navigator.credentials.create()`). */
export interface RegistrationResponseJSON {
  id: Base64URLString;
  rawId: Base64URLString;
  response: AuthenticatorAttestationResponseJSON;
  authenticatorAttachment?: 'platform' | 'cross-platform';
  clientExtensionResults: ExtensionOutputsJSON;
  type: 'public-key';
}

/** `AuthenticatorAssertionResponseJSON`. */
export interface AuthenticatorAssertionResponseJSON {
  clientDataJSON: Base64URLString;
  authenticatorData: Base64URLString;
  signature: Base64URLString;
  userHandle?: Base64URLString;
}

/** `AuthenticationResponseJSON` (a `PublicKeyCredential` from `navigator.credentials.get()`). */
export interface AuthenticationResponseJSON {
  id: Base64URLString;
  rawId: Base64URLString;
  response: AuthenticatorAssertionResponseJSON;
  authenticatorAttachment?: 'platform' | 'cross-platform';
  clientExtensionResults: ExtensionOutputsJSON;
  type: 'public-key';
}
