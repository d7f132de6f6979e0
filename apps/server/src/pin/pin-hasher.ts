/**
 * PIN verifiers: Argon2id (≥ 19 MiB, t ≥ 2) over HMAC-SHA256(pepper, PIN), computed in a bounded
 * pool of worker threads sized to the cores (architecture.md, decision 8). Hashing never runs on
 * the event loop, and a full queue answers `service_unavailable` instead of piling up memory.
 *
 * The pepper is a key from configuration (a KMS/HSM in production), so a stolen database alone
 * does not allow an offline search of the 10^6 PINs.
 */
import { createHmac } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { AppError } from '../errors';

export interface PinHasherOptions {
  pepper: Uint8Array;
  memoryKib: number;
  timeCost: number;
  threads?: number | undefined;
  maxQueue?: number;
}

export class PinHasher {
  private readonly pool: Piscina;

  constructor(private readonly options: PinHasherOptions) {
    if (options.memoryKib < 19_456 || options.timeCost < 2)
      throw new Error('Argon2id parameters below the minimum');
    const threads = options.threads ?? availableParallelism();
    this.pool = new Piscina({
      filename: new URL('./argon2-worker.mjs', import.meta.url).href,
      minThreads: 1,
      maxThreads: threads,
      maxQueue: options.maxQueue ?? 1000,
      idleTimeout: 60_000,
    });
  }

  get threads(): number {
    return this.pool.options.maxThreads;
  }

  private peppered(pin: string): string {
    return createHmac('sha256', this.options.pepper).update(pin, 'utf8').digest('hex');
  }

  async hash(pin: string): Promise<string> {
    return this.run<string>({
      op: 'hash',
      input: this.peppered(pin),
      memoryKib: this.options.memoryKib,
      timeCost: this.options.timeCost,
    });
  }

  async verify(verifier: string, pin: string): Promise<boolean> {
    return this.run<boolean>({ op: 'verify', input: this.peppered(pin), verifier });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }

  private async run<T>(task: Record<string, unknown>): Promise<T> {
    try {
      return (await this.pool.run(task)) as T;
    } catch (cause) {
      if (cause instanceof Error && /queue/i.test(cause.message))
        throw new AppError('service_unavailable', { cause });
      throw cause;
    }
  }
}
