import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { LOW_PRIORITY_NICE, PIN_THREAD_NICE, PinHasher } from './pin-hasher';

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

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/** Nice values of this process's threads (Linux: /proc/self/task/<tid>/stat, field 19). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('hashing pool bounds', () => {
  it('refuses at once with 503 and a Retry-After when its queue is full', async () => {
    const small = new PinHasher({ pepper, memoryKib: 19_456, timeCost: 2, threads: 1, maxQueue: 2 });
    try {
      const order: string[] = [];
      const tasks = Array.from({ length: 6 }, (_, i) =>
        settle(small.hash(`secret-${i}`)).then((r) => {
          order.push(r.ok ? 'hashed' : 'refused');
          return r;
        }),
      );
      const results = await Promise.all(tasks);
      // the thread's two slots (running, next) and the two queued are hashed; two are refused …
      expect(small.stats().slots).toBe(2);
      expect(results.filter((r) => r.ok)).toHaveLength(4);
      const refused = results.filter((r) => !r.ok).map((r) => (r.ok ? undefined : r.error));
      expect(refused).toHaveLength(2);
      for (const error of refused) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('service_unavailable');
        expect((error as AppError).status).toBe(503);
        expect((error as AppError).details?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      }
      // … before any hash finished (they did not wait for a thread).
      expect(order.slice(0, 2)).toEqual(['refused', 'refused']);
      expect(small.stats()).toMatchObject({ completed: 4, refused: 2, queued: 0, maxQueue: 2 });
    } finally {
      await small.close();
    }
  });

  it('does not hash for a client that has gone, neither on arrival nor when its turn comes', async () => {
    const small = new PinHasher({ pepper, memoryKib: 19_456, timeCost: 2, threads: 1, maxQueue: 4 });
    try {
      let gone = false;
      const first = Promise.all([small.hash('first'), small.hash('filler')]); // both slots
      const waiting = settle(small.hash('second', { clientGone: () => gone }));
      expect(small.stats().queued).toBe(1);
      gone = true; // the client of the queued request disconnects while the first is hashed
      const late = await settle(small.hash('third', { clientGone: () => true }));
      expect(late.ok).toBe(false);
      await first;
      const second = await waiting;
      expect(second.ok).toBe(false);
      if (!second.ok) expect((second.error as AppError).details?.reason).toBe('client_gone');
      expect(small.stats()).toMatchObject({ completed: 2, abandoned: 2 });
    } finally {
      await small.close();
    }
  });

  it("keeps citizens' PINs apart: a full password pool refuses while the PIN pool still verifies", async () => {
    const pins = new PinHasher({ pepper, memoryKib: 19_456, timeCost: 2, threads: 1, maxQueue: 4 });
    const passwords = new PinHasher({
      pepper,
      memoryKib: 19_456,
      timeCost: 2,
      threads: 1,
      maxQueue: 1,
      nice: LOW_PRIORITY_NICE,
      name: 'password',
    });
    try {
      const verifier = await pins.hash('482913');
      const flood = Array.from({ length: 10 }, () => settle(passwords.verify(verifier, 'wrong password!')));
      expect(passwords.stats()).toMatchObject({ running: 2, queued: 1, refused: 7 });
      expect(pins.stats()).toMatchObject({ running: 0, queued: 0 });
      expect(await pins.verify(verifier, '482913')).toBe(true);
      const results = await Promise.all(flood);
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      expect(pins.stats().refused).toBe(0);
    } finally {
      await Promise.all([pins.close(), passwords.close()]);
    }
  });

  it.runIf(process.platform === 'linux')(
    "runs the PIN threads a little below the event loop and the password pool's threads at the lowest priority",
    async () => {
      const count = (nice: number) => threadNiceValues().filter((n) => n === nice).length;
      const lowest = count(LOW_PRIORITY_NICE);
      const belowLoop = count(PIN_THREAD_NICE);
      const pins = new PinHasher({
        pepper,
        memoryKib: 19_456,
        timeCost: 2,
        threads: 1,
        nice: PIN_THREAD_NICE,
      });
      const passwords = new PinHasher({
        pepper,
        memoryKib: 19_456,
        timeCost: 2,
        threads: 1,
        nice: LOW_PRIORITY_NICE,
      });
      try {
        await passwords.hash('officer password');
        expect(count(LOW_PRIORITY_NICE)).toBe(lowest + 1);
        expect(count(PIN_THREAD_NICE)).toBe(belowLoop);
        await pins.hash('482913');
        expect(count(PIN_THREAD_NICE)).toBe(belowLoop + 1);
        expect(count(LOW_PRIORITY_NICE)).toBe(lowest + 1);
        // The process's main thread (its id is the pid) keeps the normal priority.
        const main = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
        expect(Number(main.slice(main.lastIndexOf(')') + 2).split(' ')[16])).toBe(0);
      } finally {
        await Promise.all([pins.close(), passwords.close()]);
      }
    },
  );
});
