/**
 * `npm run bench`: speed of the hot paths of the registration server, each printed as a ratio
 * against a baseline measured in the same run on the same machine (never a timed assertion).
 *
 *  1. PIN hashing pool (Argon2id 19 MiB, t=2): verifies/s through the worker pool vs the same
 *     verify run synchronously on one thread. Goal: close to the number of cores.
 *  2. Event-loop delay while the pool is saturated vs idle. Goal: about 1× (hashing never blocks).
 *  3. Device proof verification (signature, URL/body/time checks, replay claim, nonce) vs a bare
 *     ES256 signature verification. Goal: ≥ 0.5× (the checks around the signature are cheap).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Algorithm, hashSync, verifySync } from '@node-rs/argon2';
import { CompactSign, compactVerify, exportJWK, generateKeyPair } from 'jose';
import { bodyHash, DeviceProofVerifier, PROOF_TYP } from '../apps/server/src/device/proof';
import { MemoryHotState } from '../apps/server/src/infra/memory-hot-state';
import { PinHasher } from '../apps/server/src/pin/pin-hasher';

const rate = (n: number, ms: number) => (n * 1000) / ms;
const fmt = (x: number) => x.toFixed(1).padStart(9);
const line = (name: string, value: number, unit: string, baseline: number, goal: string) =>
  console.log(
    `${name.padEnd(44)} ${fmt(value)} ${unit.padEnd(8)} baseline ${fmt(baseline)}  ratio ${(value / baseline).toFixed(2)}×  (${goal})`,
  );

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function eventLoopDelay(ms: number): Promise<number> {
  let worst = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t = performance.now();
    await new Promise((r) => setImmediate(r));
    worst = Math.max(worst, performance.now() - t);
  }
  return worst;
}

async function main() {
  console.log(`CamDigiKey bench — ${availableParallelism()} cores, Node ${process.version}\n`);

  // 1. PIN pool vs one thread.
  const params = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
  const verifier = hashSync('0'.repeat(64), params);
  const N = 40;
  const single = await timed(() => {
    for (let i = 0; i < N; i++) verifySync(verifier, '0'.repeat(64));
  });
  const pool = new PinHasher({ pepper: new Uint8Array(randomBytes(32)), memoryKib: 19_456, timeCost: 2 });
  const pinVerifier = await pool.hash('482913');
  await Promise.all(Array.from({ length: pool.threads }, () => pool.verify(pinVerifier, '482913'))); // warm up
  const pooled = await timed(() =>
    Promise.all(Array.from({ length: N * 2 }, () => pool.verify(pinVerifier, '482913'))).then(
      () => undefined,
    ),
  );
  line(
    'PIN verifies/s (worker pool)',
    rate(N * 2, pooled),
    'ops/s',
    rate(N, single),
    `goal ≈ ${pool.threads}×`,
  );

  // 2. Event loop while saturated.
  const idle = await eventLoopDelay(300);
  const busy = Promise.all(Array.from({ length: 64 }, () => pool.verify(pinVerifier, '482913')));
  const loaded = await eventLoopDelay(300);
  await busy;
  line(
    'worst event-loop delay, pool saturated',
    loaded,
    'ms',
    Math.max(idle, 0.05),
    'goal ≈ 1×, lower is better',
  );
  await pool.close();

  // 3. Device proofs vs bare signatures.
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  const hot = new MemoryHotState();
  const clock = { now: () => new Date() };
  const verifierProofs = new DeviceProofVerifier(hot, clock, {
    publicUrl: 'http://bench',
    maxAgeSeconds: 60,
    nonceTtlSeconds: 120,
  });
  const M = 2000;
  const body = new TextEncoder().encode('{"phone":"012 345 678"}');
  const proofs: string[] = [];
  for (let i = 0; i < M; i++) {
    const nonce = await verifierProofs.issueNonce();
    const payload = {
      htm: 'POST',
      htu: 'http://bench/x',
      bh: bodyHash(body),
      iat: Math.floor(Date.now() / 1000),
      nonce,
      jti: randomUUID(),
    };
    proofs.push(
      await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'ES256', typ: PROOF_TYP, jwk })
        .sign(privateKey),
    );
  }
  const bare = await timed(async () => {
    for (const p of proofs.slice(0, M / 2)) await compactVerify(p, publicKey);
  });
  const full = await timed(async () => {
    for (const p of proofs) await verifierProofs.verify({ method: 'POST', url: '/x', body, proof: p });
  });
  line('device proofs verified/s (all checks)', rate(M, full), 'ops/s', rate(M / 2, bare), 'goal ≥ 0.5×');
  await hot.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
