/**
 * Face ID: a WebAuthn platform credential with user verification (architecture.md, decision 8).
 * The server speaks the JSON forms of WebAuthn (base64url strings, as @simplewebauthn writes
 * them); the browser wants ArrayBuffers. These functions convert both ways, so the app works on
 * browsers without `PublicKeyCredential.parseCreationOptionsFromJSON`.
 */
import { isApiError } from '../api/errors';
import { base64urlToBytes, bytesToBase64url } from '../device/base64url';

type Json = Record<string, unknown>;

const descriptors = (list: unknown): PublicKeyCredentialDescriptor[] | undefined =>
  Array.isArray(list)
    ? list.map((d: Json) => ({
        type: 'public-key' as const,
        id: base64urlToBytes(String(d.id)),
        ...(Array.isArray(d.transports) ? { transports: d.transports as AuthenticatorTransport[] } : {}),
      }))
    : undefined;

export function creationOptionsFromJSON(json: Json): PublicKeyCredentialCreationOptions {
  const user = json.user as Json;
  const exclude = descriptors(json.excludeCredentials);
  return {
    challenge: base64urlToBytes(String(json.challenge)),
    rp: json.rp as PublicKeyCredentialRpEntity,
    user: {
      id: base64urlToBytes(String(user.id)),
      name: String(user.name),
      displayName: String(user.displayName),
    },
    pubKeyCredParams: json.pubKeyCredParams as PublicKeyCredentialParameters[],
    ...(typeof json.timeout === 'number' ? { timeout: json.timeout } : {}),
    ...(exclude ? { excludeCredentials: exclude } : {}),
    ...(json.authenticatorSelection
      ? { authenticatorSelection: json.authenticatorSelection as AuthenticatorSelectionCriteria }
      : {}),
    ...(typeof json.attestation === 'string'
      ? { attestation: json.attestation as AttestationConveyancePreference }
      : {}),
    ...(json.extensions ? { extensions: json.extensions as AuthenticationExtensionsClientInputs } : {}),
  };
}

export function requestOptionsFromJSON(json: Json): PublicKeyCredentialRequestOptions {
  const allow = descriptors(json.allowCredentials);
  return {
    challenge: base64urlToBytes(String(json.challenge)),
    ...(typeof json.rpId === 'string' ? { rpId: json.rpId } : {}),
    ...(typeof json.timeout === 'number' ? { timeout: json.timeout } : {}),
    ...(allow ? { allowCredentials: allow } : {}),
    ...(typeof json.userVerification === 'string'
      ? { userVerification: json.userVerification as UserVerificationRequirement }
      : {}),
  };
}

/** The parts of a PublicKeyCredential the conversion reads (real credentials and test doubles). */
export interface CredentialLike {
  id: string;
  rawId: ArrayBuffer;
  type: string;
  authenticatorAttachment?: string | null;
  response: {
    clientDataJSON: ArrayBuffer;
    attestationObject?: ArrayBuffer;
    authenticatorData?: ArrayBuffer;
    signature?: ArrayBuffer;
    userHandle?: ArrayBuffer | null;
    getTransports?: () => string[];
  };
  getClientExtensionResults?: () => AuthenticationExtensionsClientOutputs;
}

/** A new credential (registration) or an assertion (login) in the JSON form the server reads. */
export function credentialToJSON(credential: CredentialLike): Json {
  const r = credential.response;
  const response: Json = { clientDataJSON: bytesToBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = bytesToBase64url(r.attestationObject);
    response.transports = r.getTransports?.() ?? [];
  }
  if (r.authenticatorData) response.authenticatorData = bytesToBase64url(r.authenticatorData);
  if (r.signature) response.signature = bytesToBase64url(r.signature);
  if (r.userHandle) response.userHandle = bytesToBase64url(r.userHandle);
  return {
    id: credential.id,
    rawId: bytesToBase64url(credential.rawId),
    type: 'public-key',
    response,
    ...(credential.authenticatorAttachment
      ? { authenticatorAttachment: credential.authenticatorAttachment }
      : {}),
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
  };
}

/** Whether this phone can do Face ID (a platform authenticator with user verification). */
export async function faceIdAvailable(): Promise<boolean> {
  if (typeof PublicKeyCredential === 'undefined') return false;
  try {
    return await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable();
  } catch {
    return false;
  }
}

/** Create the Face ID credential for the server's creation options. */
export async function createFaceId(options: Json): Promise<Json> {
  const credential = (await navigator.credentials.create({
    publicKey: creationOptionsFromJSON(options),
  })) as PublicKeyCredential | null;
  if (!credential) throw new DOMException('no credential', 'NotAllowedError');
  return credentialToJSON(credential as unknown as CredentialLike);
}

/**
 * How long the app waits for the phone's authenticator before it says that nothing answered (a
 * prompt that never appears, a sensor that never reports): the server's own timeout when it sets
 * one, else a minute, plus a few seconds.
 */
export const FACE_ID_WAIT_MS = 60_000;

/** Approve with Face ID: an assertion for the server's request options (aborted when nothing answers). */
export async function assertFaceId(options: Json, waitMs?: number): Promise<Json> {
  const wait = waitMs ?? (typeof options.timeout === 'number' ? options.timeout : FACE_ID_WAIT_MS) + 5_000;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new DOMException('no answer', 'TimeoutError')), wait);
  let credential: PublicKeyCredential | null;
  try {
    credential = (await Promise.race([
      navigator.credentials.get({ publicKey: requestOptionsFromJSON(options), signal: abort.signal }),
      new Promise<never>((_, reject) =>
        abort.signal.addEventListener('abort', () => reject(new DOMException('no answer', 'TimeoutError'))),
      ),
    ])) as PublicKeyCredential | null;
  } finally {
    clearTimeout(timer);
  }
  if (!credential) throw new DOMException('no credential', 'NotAllowedError');
  return credentialToJSON(credential as unknown as CredentialLike);
}

/**
 * Face ID for an approval: asks the server for the request options, then the authenticator. Answers
 * the assertion, or what went wrong: the server's refusal, or `cancelled` when the phone's prompt
 * was closed or failed (shown as its own message).
 */
export async function faceIdApproval(
  options: () => Promise<{ publicKey: Json }>,
  waitMs?: number,
): Promise<{ assertion: Json } | { error: unknown; cancelled: boolean }> {
  try {
    return { assertion: await assertFaceId((await options()).publicKey, waitMs) };
  } catch (caught) {
    return { error: caught, cancelled: !isApiError(caught) };
  }
}
