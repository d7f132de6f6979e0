/**
 * Signed checkpoints of the audit chain's head, kept OUTSIDE the database (issue 19).
 *
 * A consistent chain with its newest rows deleted cannot be told from a shorter log by the rows
 * alone; a record of the head written elsewhere can. Every AUDIT_CHECKPOINT_EVERY_EVENTS appends
 * (by this process) or AUDIT_CHECKPOINT_EVERY_MINUTES, and on graceful shutdown, the checkpointer
 * reads the committed head (row number + hash), stamps it with the clock port's time, signs it
 * with the audit key (HMAC-SHA-256) and hands it to a store port: the file adapter appends one
 * JSON line to AUDIT_CHECKPOINT_DIR, and the same record goes to the log as one structured line.
 * The request path only counts; the write happens in the background.
 */
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@camdigikey/db';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../ports/clock';
import { type AuditKey, auditHead, type CheckpointRecord, checkpointMac } from './audit-log';

/** Where checkpoints go (a port: a file here, a WORM bucket or a log shipper elsewhere). */
export interface CheckpointStore {
  append(checkpoint: CheckpointRecord): Promise<void>;
  /** Every checkpoint written, in order; a line that is not JSON comes back as its text. */
  readAll(): Promise<unknown[]>;
}

/**
 * Append-only JSON lines, one file per host and process, in one folder (several instances may
 * share it). `readAll` reads every `*.jsonl` file of the folder: checkpoint lines, or the server's
 * own log lines (JSON), of which the `audit checkpoint` ones count.
 */
export class FileCheckpointStore implements CheckpointStore {
  readonly file: string;
  constructor(
    readonly dir: string,
    name = `audit-checkpoints-${hostname()}-${process.pid}.jsonl`,
  ) {
    this.file = join(dir, name);
  }

  async append(checkpoint: CheckpointRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await appendFile(this.file, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600, flag: 'a' });
  }

  async readAll(): Promise<unknown[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.jsonl')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: unknown[] = [];
    for (const name of names) {
      const text = await readFile(join(this.dir, name), 'utf8');
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
          const parsed = JSON.parse(line) as unknown;
          // A server log line carrying a checkpoint counts as that checkpoint; other log lines
          // (a shipped log file holds many) are not checkpoints.
          if (parsed && typeof parsed === 'object' && 'msg' in parsed) {
            if ('auditCheckpoint' in parsed) out.push(parsed.auditCheckpoint);
          } else out.push(parsed);
        } catch {
          out.push(line);
        }
      }
    }
    return out;
  }
}

export function signCheckpoint(
  key: AuditKey,
  head: { seq: number; hash: string },
  at: Date,
): CheckpointRecord {
  const unsigned = { seq: head.seq, hash: head.hash, at: at.toISOString() };
  return { ...unsigned, keyId: key.id, mac: checkpointMac(key, unsigned) };
}

export interface CheckpointerOptions {
  db: Kysely<Database>;
  key: AuditKey;
  clock: Clock;
  store: CheckpointStore;
  logger: Logger;
  everyEvents: number;
  everyMinutes: number;
}

export class AuditCheckpointer {
  private pending = 0;
  private last: { seq: number; hash: string } | undefined;
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: CheckpointerOptions) {}

  get store(): CheckpointStore {
    return this.o.store;
  }

  /** Starts the time-driven checkpoints. */
  start(): void {
    this.timer = setInterval(() => void this.checkpoint(), this.o.everyMinutes * 60_000);
    this.timer.unref();
  }

  /** One event appended (request path: counting only). */
  appended(): void {
    if (this.closed) return;
    this.pending += 1;
    if (this.pending >= this.o.everyEvents) {
      this.pending = 0;
      void this.checkpoint();
    }
  }

  /**
   * Writes a checkpoint of the committed head unless it is the one last written. Serialised:
   * concurrent calls run one after another. Failures are logged, never thrown.
   */
  checkpoint(): Promise<void> {
    this.running = this.running.then(() => this.write());
    return this.running;
  }

  private async write(): Promise<void> {
    let record: CheckpointRecord;
    try {
      const head = await auditHead(this.o.db);
      if (!head || (head.seq === this.last?.seq && head.hash === this.last.hash)) return;
      record = signCheckpoint(this.o.key, head, this.o.clock.now());
      this.last = head;
    } catch (error) {
      this.o.logger.warn({ err: error }, 'audit checkpoint not taken');
      return;
    }
    // The log line goes out even when the file cannot be written (a read-only disk): it is the
    // copy a log collector ships off the host.
    this.o.logger.info({ auditCheckpoint: record }, 'audit checkpoint');
    try {
      await this.o.store.append(record);
    } catch (error) {
      this.o.logger.warn({ err: error }, 'audit checkpoint not written to its store');
    }
  }

  /** Graceful shutdown: stop the timer and write a final checkpoint. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.checkpoint();
  }
}
