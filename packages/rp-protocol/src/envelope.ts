/**
 * The AES-256-CBC + HMAC-SHA512 request/response envelope of every POST endpoint, both halves.
 *
 * Why: rp-protocol.md §2.3 (fact, from the official Node and Java libraries) and §10 item 2.
 * Request `{clientId, params, signature}`: `params` is standard base64 of AES-256-CBC/PKCS#7 over
 * the UTF-8 JSON of the inner request, with the client's secret key and its fixed IV;
 * `signature` is standard base64 of HMAC-SHA512 over the text `clientId + "." + params`, params
 * exactly as sent. Response `{data, signature}`: `data` is the same encryption of the inner
 * `{error, message, data}`, `signature` the HMAC over the raw ciphertext bytes (no client id).
 *
 * Choices where the document is silent (listed in the package report):
 * - The server checks the MAC in constant time before touching the ciphertext (encrypt-then-MAC,
 *   so there is no padding oracle). An unknown client costs the same HMAC (under a throw-away key)
 *   and fails with the same error as a bad signature; only `auditReason` differs.
 * - Base64 is decoded strictly (canonical standard alphabet with padding), which is what both
 *   official libraries emit; anything else is `invalid_ciphertext` / a signature mismatch.
 * - Bytes that are not UTF-8 or JSON text that is not an object are `invalid_json`.
 * - The inner request's own `clientId`/`domain` are not checked here: Node v3 omits them on some
 *   calls (§3 "v3 bug"), so that is the endpoint's decision.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { fromBase64Strict, toBase64 } from './base64';
import type { ClientKeys } from './credentials';
import { EnvelopeError } from './errors';

/** §2.3 request body. */
export interface RequestEnvelope {
  clientId: string;
  params: string;
  signature: string;
}

/** §2.3 response body (HTTP 2xx). */
export interface ResponseEnvelope {
  data: string;
  signature: string;
}

/** §2.3 inner response: `error == 0` means success. */
export interface InnerResponse<T = unknown> {
  error: number;
  message: string;
  data?: T;
}

export type JsonObject = { [key: string]: unknown };

const MAC_LENGTH = 64;
// An unknown client is checked against this key so that it costs what a known one costs.
const DECOY_HMAC_KEY = randomBytes(32);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function encrypt(keys: ClientKeys, json: string): Buffer {
  const cipher = createCipheriv('aes-256-cbc', keys.secretKey, keys.iv);
  return Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
}

function decrypt(keys: ClientKeys, ciphertext: Buffer): Buffer {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw new EnvelopeError('invalid_ciphertext');
  try {
    const decipher = createDecipheriv('aes-256-cbc', keys.secretKey, keys.iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new EnvelopeError('invalid_ciphertext');
  }
}

function hmac(key: Uint8Array, message: string | Uint8Array): Buffer {
  return createHmac('sha512', key).update(message).digest();
}

/** Compares a base64 MAC with the expected bytes in time independent of where they differ. */
function macMatches(givenBase64: string, expected: Buffer): boolean {
  const decoded = fromBase64Strict(givenBase64);
  const given = Buffer.alloc(MAC_LENGTH);
  decoded?.copy(given, 0, 0, MAC_LENGTH);
  const equal = timingSafeEqual(given, expected);
  return equal && decoded !== undefined && decoded.length === MAC_LENGTH;
}

function parseJsonObject(plaintext: Buffer): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(plaintext));
  } catch {
    throw new EnvelopeError('invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EnvelopeError('invalid_json');
  }
  return value as JsonObject;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------- client side (what an RP sends)

/** Wraps an inner request object into the §2.3 request body. */
export function sealRequest(keys: ClientKeys, inner: JsonObject): RequestEnvelope {
  const params = toBase64(encrypt(keys, JSON.stringify(inner)));
  const signature = toBase64(hmac(keys.hmacKey, `${keys.clientId}.${params}`));
  return { clientId: keys.clientId, params, signature };
}

/**
 * Checks and decrypts a §2.3 response body. A MAC mismatch throws `invalid_signature` (Node's
 * "Signatures not match"); a non-zero `error` is returned, not thrown, so the caller decides.
 */
export function openResponse<T = unknown>(keys: ClientKeys, body: unknown): InnerResponse<T> {
  if (!isRecord(body) || typeof body.data !== 'string' || typeof body.signature !== 'string') {
    throw new EnvelopeError('malformed_envelope');
  }
  const ciphertext = fromBase64Strict(body.data) ?? Buffer.alloc(0);
  if (!macMatches(body.signature, hmac(keys.hmacKey, ciphertext)) || ciphertext.length === 0) {
    throw new EnvelopeError('invalid_signature', 'bad_signature');
  }
  const inner = parseJsonObject(decrypt(keys, ciphertext));
  if (typeof inner.error !== 'number' || !Number.isInteger(inner.error)) {
    throw new EnvelopeError('invalid_json');
  }
  const message = typeof inner.message === 'string' ? inner.message : '';
  return 'data' in inner
    ? { error: inner.error, message, data: inner.data as T }
    : { error: inner.error, message };
}

// ---------------------------------------------------------------- server side (what we answer)

/** A request that passed the envelope checks. */
export interface OpenedRequest {
  clientId: string;
  keys: ClientKeys;
  params: JsonObject;
}

export type ClientKeyLookup = (clientId: string) => ClientKeys | undefined | Promise<ClientKeys | undefined>;

/**
 * Server side, keys already resolved (`undefined` = unknown client). Order: shape, MAC (constant
 * time, decoy key for unknown clients), then base64, AES and JSON.
 */
export function openRequestWithKeys(body: unknown, keys: ClientKeys | undefined): OpenedRequest {
  if (
    !isRecord(body) ||
    typeof body.clientId !== 'string' ||
    typeof body.params !== 'string' ||
    typeof body.signature !== 'string'
  ) {
    throw new EnvelopeError('malformed_envelope');
  }
  const { clientId, params, signature } = body;
  const known = keys !== undefined && keys.clientId === clientId;
  const expected = hmac(known ? keys.hmacKey : DECOY_HMAC_KEY, `${clientId}.${params}`);
  const matches = macMatches(signature, expected);
  if (!known) throw new EnvelopeError('invalid_signature', 'unknown_client');
  if (!matches) throw new EnvelopeError('invalid_signature', 'bad_signature');
  const ciphertext = fromBase64Strict(params);
  if (!ciphertext) throw new EnvelopeError('invalid_ciphertext');
  return { clientId, keys, params: parseJsonObject(decrypt(keys, ciphertext)) };
}

/** Server side: looks the client up, then {@link openRequestWithKeys}. */
export async function openRequest(body: unknown, lookup: ClientKeyLookup): Promise<OpenedRequest> {
  const clientId = isRecord(body) && typeof body.clientId === 'string' ? body.clientId : undefined;
  const keys = clientId === undefined ? undefined : await lookup(clientId);
  return openRequestWithKeys(body, keys);
}

/** Builds the §2.3 response body; the inner JSON keeps the order `error, message, data`. */
export function sealResponse(keys: ClientKeys, inner: InnerResponse): ResponseEnvelope {
  const json = JSON.stringify({ error: inner.error, message: inner.message, data: inner.data });
  const ciphertext = encrypt(keys, json);
  return { data: toBase64(ciphertext), signature: toBase64(hmac(keys.hmacKey, ciphertext)) };
}

/** Success inner response; "OK" is the sample server's message (§2.3). */
export function okResponse<T>(data: T, message = 'OK'): InnerResponse<T> {
  return { error: 0, message, data };
}

/** Failure inner response; Node ≥2.1.0 turns it into `CamDigiKeyError(message, error)` (§2.3). */
export function errorResponse(error: number, message: string): InnerResponse<never> {
  if (error === 0) throw new RangeError('an error response needs a non-zero error');
  return { error, message };
}
