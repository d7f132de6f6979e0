/**
 * Base64 helpers with the exact alphabets and padding rules of the CamDigiKey wire format.
 *
 * Why: rp-protocol.md §2.3 says the envelope uses standard base64 with padding (Java decodes with
 * the standard decoder and string-compares the response MAC, §10 item 2), and §4.2 says token
 * parts appear in both alphabets while Node decodes with `Buffer.from(…, 'base64')` and Java picks
 * the URL decoder when a part contains `-` or `_`. Node's own decoder silently skips invalid
 * characters, so the strict checks live here.
 */

const STANDARD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ANY_ALPHABET = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Standard base64 with padding (RFC 4648 §4), as both official libraries emit. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** URL-safe base64 (RFC 4648 §5) with `=` padding, the form of the auth-token sample in §4.2. */
export function toBase64UrlPadded(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Decodes canonical standard base64 with padding; returns undefined for anything else (other
 * alphabet, missing padding, stray characters, non-zero trailing bits).
 */
export function fromBase64Strict(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !STANDARD.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/**
 * Decodes a token part the way both official libraries can: either alphabet (not mixed, since
 * Java's URL decoder rejects `+` and `/`), padding optional (both decoders accept it missing).
 * Returns undefined for anything else.
 */
export function fromBase64AnyAlphabet(text: string): Buffer | undefined {
  if (!ANY_ALPHABET.test(text)) return undefined;
  const urlSafe = /[-_]/.test(text);
  if (urlSafe && /[+/]/.test(text)) return undefined;
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  if (body.length !== text.length && text.length % 4 !== 0) return undefined;
  return Buffer.from(body, urlSafe ? 'base64url' : 'base64');
}
