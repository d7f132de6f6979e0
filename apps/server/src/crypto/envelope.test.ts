import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Envelope } from './envelope';
import { BlindIndex, constantTimeEqual, documentNumberHint, hmacHex } from './keyed-hash';

const kek = (id: string) => ({ id, key: new Uint8Array(randomBytes(32)) });

describe('envelope encryption', () => {
  const k1 = kek('k1');
  const envelope = new Envelope([k1]);

  it('round-trips and never stores the plaintext', () => {
    const sealed = envelope.sealText('N01234567', 'account:a:document-number');
    expect(sealed).not.toContain('N01234567');
    expect(sealed.startsWith('v1.k1.')).toBe(true);
    expect(envelope.openText(sealed, 'account:a:document-number')).toBe('N01234567');
  });

  it('uses a fresh data key and IV each time', () => {
    expect(envelope.sealText('same', 'c')).not.toBe(envelope.sealText('same', 'c'));
  });

  it('does not open under another context (a value copied to another record)', () => {
    const sealed = envelope.sealText('secret', 'account:a');
    expect(() => envelope.open(sealed, 'account:b')).toThrow();
  });

  it('detects tampering', () => {
    const sealed = envelope.sealText('secret', 'c');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[5]!, 'base64url');
    body[0]! ^= 1;
    parts[5] = body.toString('base64url');
    expect(() => envelope.open(parts.join('.'), 'c')).toThrow();
  });

  it('rotates keys: new values under the first KEK, old ones still open', () => {
    const old = envelope.sealText('before rotation', 'c');
    const rotated = new Envelope([kek('k2'), k1]);
    expect(rotated.openText(old, 'c')).toBe('before rotation');
    expect(rotated.needsRewrap(old)).toBe(true);
    expect(rotated.sealText('after', 'c').split('.')[1]).toBe('k2');
    expect(() => new Envelope([kek('k3')]).open(old, 'c')).toThrow(/unknown key-encryption key k1/);
  });

  it('names the KEK that seals and the KEK a value was sealed under (what keys rewrap counts)', () => {
    const k1 = kek('k1');
    const rotated = new Envelope([kek('k2'), k1]);
    expect(rotated.activeKekId).toBe('k2');
    expect(Envelope.kekIdOf(new Envelope([k1]).sealText('x', 'c'))).toBe('k1');
    expect(Envelope.kekIdOf(rotated.sealText('x', 'c'))).toBe('k2');
    expect(Envelope.kekIdOf('v1.k1.only-three')).toBeUndefined();
    expect(Envelope.kekIdOf('not sealed')).toBeUndefined();
  });

  it('refuses keys that are not 256 bits', () => {
    expect(() => new Envelope([{ id: 'x', key: new Uint8Array(16) }])).toThrow();
  });
});

describe('keyed hashes', () => {
  const index = new BlindIndex(new Uint8Array(randomBytes(32)));

  it('index the same document the same way whatever the spacing or case', () => {
    expect(index.documentNumber('KHM', '0123 45678')).toBe(index.documentNumber('khm', '012345678'));
    expect(index.documentNumber('KHM', '012345678')).not.toBe(index.documentNumber('FRA', '012345678'));
  });

  it('depend on the key', () => {
    const other = new BlindIndex(new Uint8Array(randomBytes(32)));
    expect(index.documentNumber('KHM', '012345678')).not.toBe(other.documentNumber('KHM', '012345678'));
  });

  it('separate their parts unambiguously', () => {
    const key = new Uint8Array(32);
    expect(hmacHex(key, 'ab', 'c')).not.toBe(hmacHex(key, 'a', 'bc'));
  });

  it('compare in constant time and handle different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });

  it('show only the last three characters of a document number', () => {
    expect(documentNumberHint('012345678')).toBe('••••••678');
  });
});
