/**
 * The first README command, for real: `npm start` on the embedded default (PGlite in a data
 * folder, in-process hot state, a local SMTP sink) with demo data, prints its URLs, serves
 * health and the development outbox, runs the compiled server in the very process npm started
 * (no tsx, no shell in between), and stops cleanly on a SIGTERM sent to npm after finishing the
 * request in flight, leaving no process behind.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../scripts/build.mjs';
import { freePort } from '../support/server';

/** Every process below `pid` (from /proc), with its command line. */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
        return { pid: Number(d), ppid, cmd };
      } catch {
        return undefined;
      }
    })
    .filter((p) => p !== undefined);
  const found: { pid: number; cmd: string }[] = [];
  const walk = (parent: number) => {
    for (const p of all) {
      if (p.ppid !== parent) continue;
      found.push(p);
      walk(p.pid);
    }
  };
  walk(pid);
  return found;
}

let child: ChildProcess;
let output = '';
let base = '';
const dataDir = mkdtempSync(join(tmpdir(), 'cdk-start-'));

beforeAll(async () => {
  // A fresh clone builds here (the server, and the front-ends when their sources changed).
  await buildAll({ ifStale: true, quiet: true });
  const port = await freePort();
  const smtpPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(port),
    PUBLIC_URL: base,
    DATA_DIR: dataDir,
    DEV_SMTP_PORT: String(smtpPort),
    DEMO_DATA: 'true',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  child = spawn('npm', ['start'], { env, cwd: join(import.meta.dirname, '../..') });
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  // Waits for the banner (or the process's end); the hook's timeout is the only clock.
  while (!output.includes('identity server is running')) {
    if (child.exitCode !== null) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 400_000);

afterAll(() => {
  if (child.exitCode === null) {
    // A failed test may leave it running: end the server by its pid, then npm.
    for (const p of descendants(child.pid as number)) process.kill(p.pid, 'SIGKILL');
    child.kill('SIGKILL');
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('prints the URLs of the platform', () => {
    expect(output).toContain(`public URL      ${base}`);
    expect(output).toContain(`${base}/dev/outbox`);
    expect(output).toContain('PGlite');
  });

  it('serves health, readiness and the outbox page', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = (await (await fetch(`${base}/readyz`)).json()) as {
      checks: { database: { kind: string } };
    };
    expect(ready.checks.database.kind).toBe('pglite');
    const page = await fetch(`${base}/dev/outbox`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('ប្រអប់សារចេញ');
  });

  it('is the compiled server, run by node in the process npm started: no tsx, no shell', () => {
    const below = descendants(child.pid as number);
    expect(below.map((p) => p.cmd)).toEqual([expect.stringMatching(/^node .*scripts\/start\.mjs$/)]);
    expect(below.some((p) => /tsx|vite/.test(p.cmd))).toBe(false);
    expect(existsSync(join(import.meta.dirname, '../../apps/server/dist/main.mjs'))).toBe(true);
  });

  it('seeded demo accounts and kept their device keys for the sandbox', () => {
    const devices = JSON.parse(readFileSync(join(dataDir, 'demo-devices.json'), 'utf8')) as {
      status: string;
    }[];
    expect(devices.length).toBeGreaterThanOrEqual(3);
    expect(devices.map((d) => d.status)).toContain('pending_review');
  });

  it('finishes the request in flight and exits 0 on a SIGTERM to npm, leaving no process behind', async () => {
    const server = descendants(child.pid as number);
    // A request whose body is still arriving when SIGTERM comes must still get its answer.
    const url = new URL(`${base}/api/device/v1/registration`);
    const answered = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': '17' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.write('{"language"');
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(':"km"}'), 300);
      }, 200);
    });
    expect(await answered).toBe(401); // device_proof_missing: answered, not cut off
    const code = await new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (c) => resolve(c));
    });
    expect(code).toBe(0);
    for (const p of server) expect(existsSync(`/proc/${p.pid}`), `${p.cmd} still running`).toBe(false);
  });

  it('left an intact audit chain that `npm run audit:verify` checks end to end', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'apps/server/src/cli/audit-verify.ts'], {
      env,
      cwd: join(import.meta.dirname, '../..'),
      encoding: 'utf8',
    });
    // The graceful stop above wrote a signed checkpoint of the head outside the database.
    expect(result.stdout).toMatch(/audit log intact: [1-9]\d* rows, [1-9]\d* checkpoints/);
    expect(result.status).toBe(0);
  }, 180_000);
});
