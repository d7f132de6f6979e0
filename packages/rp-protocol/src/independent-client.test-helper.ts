/**
 * A second, independent implementation of the relying-party side of the protocol, for tests only.
 *
 * Why: written from rp-protocol.md alone (§2.3 envelope, §4.2 token structure, §4.4 validation
 * algorithm), deliberately WITHOUT importing anything from this package and with other Node APIs
 * (streaming Cipher/Hmac/Sign/Verify objects, Buffer's lenient base64) than the production code,
 * so that a misreading of the document cannot hide in both ends of a round trip. It imitates the
 * official libraries where the document says how they behave: Node compares the response MAC as
 * bytes and decodes signatures with `Buffer.from(…, 'base64')`; Java compares base64 strings and
 * picks the URL decoder when a part contains `-` or `_`.
 */
import * as nodeCrypto from 'node:crypto';

/** What §2.1 says an RP receives, as base64 text. */
export interface IssuedSecrets {
  clientId: string;
  hmacKey: string;
  secretKey: string;
  ivParam: string;
}

function aes(mode: 'encrypt' | 'decrypt', secrets: IssuedSecrets, input: Buffer): Buffer {
  const key = Buffer.from(secrets.secretKey, 'base64');
  const iv = Buffer.from(secrets.ivParam, 'base64');
  const engine =
    mode === 'encrypt'
      ? nodeCrypto.createCipheriv('aes-256-cbc', key, iv)
      : nodeCrypto.createDecipheriv('aes-256-cbc', key, iv);
  engine.setAutoPadding(true); // PKCS#7
  return Buffer.concat([engine.update(input), engine.final()]);
}

function hmacSha512(secrets: IssuedSecrets, input: Buffer): Buffer {
  const mac = nodeCrypto.createHmac('SHA512', Buffer.from(secrets.hmacKey, 'base64'));
  mac.update(input);
  return mac.digest();
}

/** §2.3, the RP side. */
export class IndependentClient {
  constructor(private readonly secrets: IssuedSecrets) {}

  /** `{clientId, params, signature}` with params = b64(AES(JSON)), signature = b64(HMAC(clientId + "." + params)). */
  wrapRequest(inner: object): { clientId: string; params: string; signature: string } {
    const params = aes('encrypt', this.secrets, Buffer.from(JSON.stringify(inner), 'utf8')).toString(
      'base64',
    );
    const signed = Buffer.from(`${this.secrets.clientId}.${params}`, 'ascii');
    return {
      clientId: this.secrets.clientId,
      params,
      signature: hmacSha512(this.secrets, signed).toString('base64'),
    };
  }

  /** Checks the response MAC both ways the libraries do, then decrypts; null on mismatch (Java). */
  unwrapResponse(body: { data: string; signature: string }): unknown {
    const raw = Buffer.from(body.data, 'base64');
    const expected = hmacSha512(this.secrets, raw);
    const javaOk = expected.toString('base64') === body.signature;
    const nodeOk = expected.equals(Buffer.from(body.signature, 'base64'));
    if (!javaOk || !nodeOk) return null;
    return JSON.parse(aes('decrypt', this.secrets, raw).toString('utf8'));
  }
}

/** §2.3, the server side, as a compatible server must do it (§10 item 2). */
export class IndependentServer {
  constructor(private readonly secrets: IssuedSecrets) {}

  unwrapRequest(body: { clientId: string; params: string; signature: string }): unknown {
    if (body.clientId !== this.secrets.clientId) return null;
    const expected = hmacSha512(this.secrets, Buffer.from(`${body.clientId}.${body.params}`, 'ascii'));
    if (expected.toString('base64') !== body.signature) return null;
    return JSON.parse(aes('decrypt', this.secrets, Buffer.from(body.params, 'base64')).toString('utf8'));
  }

  wrapResponse(error: number, message: string, data?: unknown): { data: string; signature: string } {
    const ciphertext = aes(
      'encrypt',
      this.secrets,
      Buffer.from(JSON.stringify({ error, message, data }), 'utf8'),
    );
    return {
      data: ciphertext.toString('base64'),
      signature: hmacSha512(this.secrets, ciphertext).toString('base64'),
    };
  }
}

/** §4.4 step 1 and 2: URL-decode on `%`, three parts, d = SHA-512(ASCII(part0 + "." + part1)). */
function splitAndDigest(token: string): { parts: string[]; digest: Buffer } | null {
  const text = token.includes('%') ? decodeURIComponent(token) : token;
  const parts = text.split('.');
  if (parts.length !== 3) return null;
  const hash = nodeCrypto.createHash('SHA512');
  hash.update(Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'));
  return { parts, digest: hash.digest() };
}

/** §4.4 step 3 as the Node library does it: `createVerify('sha512').write(d)`, `Buffer.from(sig, 'base64')`. */
export function nodeStyleSignatureValid(token: string, signerPem: string): boolean {
  const split = splitAndDigest(token);
  if (!split) return false;
  const verifier = nodeCrypto.createVerify('sha512');
  verifier.write(split.digest);
  verifier.end();
  return verifier.verify(signerPem, Buffer.from(split.parts[2] ?? '', 'base64'));
}

/** §4.2: Java decodes with the URL decoder if the part contains `-` or `_`, else the standard one. */
export function javaStyleSignatureValid(token: string, signerPem: string): boolean {
  const split = splitAndDigest(token);
  const part2 = split?.parts[2];
  if (!split || part2 === undefined) return false;
  const urlSafe = part2.includes('-') || part2.includes('_');
  if (urlSafe ? /[+/]/.test(part2) : /[-_]/.test(part2)) return false;
  const der = Buffer.from(urlSafe ? part2.replace(/=+$/, '') : part2, urlSafe ? 'base64url' : 'base64');
  const verifier = nodeCrypto.createVerify('SHA512');
  verifier.update(split.digest);
  return verifier.verify(new nodeCrypto.X509Certificate(signerPem).publicKey, der);
}

/**
 * The other direction: a token as §4.2 describes one, header JSON
 * `{"alg":"SHA512withECDSA","typ":"JWT","jwtId":"<uuid>"}`, any opaque payload bytes, DER ECDSA
 * over SHA-512 of the SHA-512 digest; here in the standard alphabet, like the access-token sample.
 */
export function independentlySignedToken(
  signerKeyPem: string,
  payload: Buffer,
  jwtId: string = nodeCrypto.randomUUID(),
): string {
  const part0 = Buffer.from(`{"alg":"SHA512withECDSA","typ":"JWT","jwtId":"${jwtId}"}`, 'utf8').toString(
    'base64',
  );
  const part1 = payload.toString('base64');
  const signer = nodeCrypto.createSign('sha512');
  signer.update(nodeCrypto.createHash('sha512').update(`${part0}.${part1}`, 'ascii').digest());
  return `${part0}.${part1}.${signer.sign(signerKeyPem).toString('base64')}`;
}
