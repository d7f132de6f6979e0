import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { PinHasher } from './pin-hasher';

const pepper = new Uint8Array(randomBytes(32));
const hasher = new PinHasher({ pepper, memoryKib: 19_456, timeCost: 2, threads: 2 });
afterAll(() => hasher.close());

describe('PIN hasher', () => {
  it('stores Argon2id with at least 19 MiB and t=2', async () => {
    const verifier = await hasher.hash('482913');
    expect(verifier).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(verifier).not.toContain('482913');
  });

  it('verifies the right PIN and refuses others', async () => {
    const verifier = await hasher.hash('482913');
    expect(await hasher.verify(verifier, '482913')).toBe(true);
    expect(await hasher.verify(verifier, '482914')).toBe(false);
  });

  it('depends on the pepper: a verifier is useless without the key', async () => {
    const verifier = await hasher.hash('482913');
    const other = new PinHasher({
      pepper: new Uint8Array(randomBytes(32)),
      memoryKib: 19_456,
      timeCost: 2,
      threads: 1,
    });
    expect(await other.verify(verifier, '482913')).toBe(false);
    await other.close();
  });

  it('salts: the same PIN gives different verifiers', async () => {
    expect(await hasher.hash('482913')).not.toBe(await hasher.hash('482913'));
  });

  it('runs on worker threads, not on the event loop', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all(Array.from({ length: 8 }, () => hasher.hash('135790')));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
    expect(hasher.threads).toBe(2);
  });

  it('refuses parameters below the minimum', () => {
    expect(() => new PinHasher({ pepper, memoryKib: 4096, timeCost: 2 })).toThrow();
    expect(() => new PinHasher({ pepper, memoryKib: 19_456, timeCost: 1 })).toThrow();
  });

  it('treats a malformed verifier as a mismatch', async () => {
    expect(await hasher.verify('not-a-hash', '482913')).toBe(false);
  });
});
