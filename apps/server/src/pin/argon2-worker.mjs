// Argon2id in a worker thread of a hashing pool (see pin-hasher.ts). Plain JavaScript so that it
// loads in any runtime without a TypeScript loader. It never sees a PIN: the main thread passes
// HMAC-SHA256(pepper, PIN) as hex text (the binding only verifies UTF-8 input).
import { setPriority } from 'node:os';
import { Algorithm, hashSync, verifySync } from '@node-rs/argon2';

let niced = false;

export default function argon2Task(task) {
  // The pool's CPU priority (PIN threads a little below the event loop, officers' passwords the
  // lowest), set once per thread. On Linux the nice value belongs to the thread (pid 0 = the
  // calling thread), so the event loop and the other pool keep theirs.
  if (task.nice && !niced) {
    niced = true;
    try {
      setPriority(0, task.nice);
    } catch {
      // not permitted on this platform: the pool separation and queue bounds still hold
    }
  }
  if (task.op === 'hash') {
    return hashSync(task.input, {
      algorithm: Algorithm.Argon2id,
      memoryCost: task.memoryKib,
      timeCost: task.timeCost,
      parallelism: 1,
    });
  }
  if (task.op === 'verify') {
    try {
      return verifySync(task.verifier, task.input);
    } catch {
      return false;
    }
  }
  throw new Error(`unknown argon2 task ${task.op}`);
}
