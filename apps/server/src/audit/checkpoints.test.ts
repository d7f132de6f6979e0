import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@camdigikey/testkit/test-database';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../ports/clock';
import { type AuditKey, checkpointMac, recordAudit, useAuditChain, verifyAuditChain } from './audit-log';
import { AuditCheckpointer, FileCheckpointStore } from './checkpoints';

const KEY: AuditKey = { id: 'cp-1', key: new Uint8Array(32).fill(3) };

let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'cdk-checkpoints-'));
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('audit checkpoints', () => {
  it('writes a signed checkpoint every N appends and on close, to a file and the log', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const clock = new ManualClock('2026-11-23T02:00:00Z');
    const store = new FileCheckpointStore(dir, 'node-a.jsonl');
    const checkpointer = new AuditCheckpointer({
      db: t.db,
      key: KEY,
      clock,
      store,
      logger,
      everyEvents: 3,
      everyMinutes: 60,
    });
    const release = useAuditChain({ keys: [KEY], appended: () => checkpointer.appended() });
    try {
      for (let i = 0; i < 4; i++)
        await recordAudit(t.db, { actorType: 'system', action: `cp.${i}` }, clock.now());
      // The third append started a checkpoint in the background (of whatever head was committed
      // by then); the next checkpoint queues behind it.
      await checkpointer.checkpoint();
      clock.advance(60_000);
      await recordAudit(t.db, { actorType: 'system', action: 'cp.last' }, clock.now());
      await checkpointer.close();
      await checkpointer.close(); // nothing new: no second line for the same head
    } finally {
      release();
    }
    const written = (await readFile(store.file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const seqs = written.map((c) => c.seq);
    expect(seqs.length).toBeGreaterThanOrEqual(2);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(written.at(-1)).toMatchObject({ seq: 5, keyId: 'cp-1', at: '2026-11-23T02:01:00.000Z' });
    for (const c of written) expect(c.mac).toBe(checkpointMac(KEY, c));
    const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'audit checkpoint');
    expect(logged.map((l) => l.auditCheckpoint)).toEqual(written);

    const checkpoints = await store.readAll();
    expect(await verifyAuditChain(t.db, { keys: [KEY], checkpoints })).toMatchObject({
      ok: true,
      events: 5,
      checkpoints: written.length,
    });
  });

  it('reads every file of the folder (checkpoint lines or shipped log lines), an unreadable line as text', async () => {
    await writeFile(join(dir, 'node-b.jsonl'), '{"seq":1}\nnot json\n\n');
    await writeFile(
      join(dir, 'node-c.jsonl'),
      '{"level":30,"msg":"request completed"}\n{"level":30,"msg":"audit checkpoint","auditCheckpoint":{"seq":2}}\n',
    );
    const all = await new FileCheckpointStore(dir, 'unused.jsonl').readAll();
    expect(all.slice(-3)).toEqual([{ seq: 1 }, 'not json', { seq: 2 }]);
    expect(await new FileCheckpointStore(join(dir, 'absent')).readAll()).toEqual([]);
  });

  it('still logs the checkpoint when its store cannot be written, and says so', async () => {
    const lines: { msg: string; auditCheckpoint?: { seq: number } }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const checkpointer = new AuditCheckpointer({
      db: t.db,
      key: KEY,
      clock: new ManualClock('2026-11-23T03:00:00Z'),
      store: {
        append: () => Promise.reject(new Error('read-only file system')),
        readAll: () => Promise.resolve([]),
      },
      logger,
      everyEvents: 1000,
      everyMinutes: 60,
    });
    await checkpointer.close();
    expect(lines.map((l) => l.msg)).toEqual([
      'audit checkpoint',
      'audit checkpoint not written to its store',
    ]);
    expect(lines[0]?.auditCheckpoint?.seq).toBeGreaterThan(0);
  });
});
