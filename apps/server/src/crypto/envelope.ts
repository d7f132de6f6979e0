/**
 * Envelope encryption of personal data at rest (architecture.md, decision 11).
 *
 * Each value gets a fresh 256-bit data key; the value is sealed with AES-256-GCM under the data
 * key and the data key is wrapped with AES-256-GCM under the active key-encryption key (KEK).
 * The context string (e.g. `blob:<id>`) is bound as additional authenticated data to both, so a
 * sealed value copied into another record does not open. Older KEKs stay listed to decrypt
 * values sealed before a rotation.
 *
 * Sealed format (text, storable in any column):
 *   v1.<kekId>.<iv-wrap>.<wrapped-key+tag>.<iv-data>.<ciphertext+tag>   (base64url parts)
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Kek {
  id: string;
  key: Uint8Array;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url');

function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): { iv: Buffer; body: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, body };
}

function open(key: Uint8Array, iv: Buffer, body: Buffer, aad: string): Buffer {
  if (body.length < 16) throw new Error('sealed value truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
}

export class Envelope {
  private readonly byId: Map<string, Uint8Array>;
  private readonly active: Kek;

  constructor(keks: readonly Kek[]) {
    const first = keks[0];
    if (!first) throw new Error('at least one key-encryption key is required');
    for (const k of keks) if (k.key.length !== 32) throw new Error(`KEK ${k.id} must be 32 bytes`);
    this.active = first;
    this.byId = new Map(keks.map((k) => [k.id, k.key]));
  }

  seal(plaintext: Uint8Array, context: string): string {
    const dataKey = randomBytes(32);
    const wrapped = seal(this.active.key, dataKey, `kek:${context}`);
    const data = seal(dataKey, plaintext, context);
    dataKey.fill(0);
    return ['v1', this.active.id, b64(wrapped.iv), b64(wrapped.body), b64(data.iv), b64(data.body)].join('.');
  }

  open(sealed: string, context: string): Buffer {
    const parts = sealed.split('.');
    if (parts.length !== 6 || parts[0] !== 'v1') throw new Error('not a sealed value');
    const [, kekId, wrapIv, wrapBody, dataIv, dataBody] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const kek = this.byId.get(kekId);
    if (!kek) throw new Error(`unknown key-encryption key ${kekId}`);
    const dataKey = open(kek, unb64(wrapIv), unb64(wrapBody), `kek:${context}`);
    try {
      return open(dataKey, unb64(dataIv), unb64(dataBody), context);
    } finally {
      dataKey.fill(0);
    }
  }

  sealText(text: string, context: string): string {
    return this.seal(Buffer.from(text, 'utf8'), context);
  }

  openText(sealed: string, context: string): string {
    return this.open(sealed, context).toString('utf8');
  }

  /** The id of the KEK new values are sealed under (the first configured one). */
  get activeKekId(): string {
    return this.active.id;
  }

  /** The id of the KEK a sealed value was sealed under (undefined when it is not a sealed value). */
  static kekIdOf(sealed: string): string | undefined {
    const parts = sealed.split('.');
    return parts.length === 6 && parts[0] === 'v1' ? parts[1] : undefined;
  }

  /** True when the value was sealed under an older KEK and should be re-sealed. */
  needsRewrap(sealed: string): boolean {
    return sealed.split('.')[1] !== this.active.id;
  }
}
