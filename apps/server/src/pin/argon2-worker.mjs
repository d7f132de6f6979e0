// Argon2id in a worker thread of the PIN hashing pool (see pin-hasher.ts). Plain JavaScript so
// that it loads in any runtime without a TypeScript loader. It never sees a PIN: the main
// thread passes HMAC-SHA256(pepper, PIN) as hex text (the binding only verifies UTF-8 input).
import { Algorithm, hashSync, verifySync } from '@node-rs/argon2';

export default function argon2Task(task) {
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
