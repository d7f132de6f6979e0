import { spawn } from 'node:child_process';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  LOG_BATCH_BYTES,
  loggerOptions,
  logRequestCompleted,
  redactUrl,
  requestLineLogger,
  URL_REDACTION,
} from './logging';

const token = 'q3Xk9vZ2mN8pL4rT7wY1bC6dF0gH5jK2sA9eU3iO7xQ';

describe('redactUrl', () => {
  it('replaces the lock-link token, whatever it looks like', () => {
    expect(redactUrl(`/account/lock/${token}`)).toBe(`/account/lock/${URL_REDACTION}`);
    expect(redactUrl(`/account/lock/${token}?lang=en`)).toBe(`/account/lock/${URL_REDACTION}`);
    expect(redactUrl('/account/lock/short%2Dtoken/x')).toBe(`/account/lock/${URL_REDACTION}/x`);
  });

  it('replaces any token-like segment elsewhere and drops the query string', () => {
    expect(redactUrl(`/api/x/${token}/y?code=123456`)).toBe(`/api/x/${URL_REDACTION}/y`);
  });

  it('keeps ordinary paths, UUIDs included', () => {
    const id = '3f2b8c1e-9d4a-4e7b-8a6c-1d2e3f4a5b6c';
    expect(redactUrl(`/api/device/v1/registration/${id}/phone`)).toBe(
      `/api/device/v1/registration/${id}/phone`,
    );
    expect(redactUrl('/oidc/.well-known/openid-configuration')).toBe(
      '/oidc/.well-known/openid-configuration',
    );
  });
});

const streamOf = (logger: pino.Logger) =>
  (logger as unknown as Record<symbol, { sync?: boolean; minLength?: number }>)[pino.symbols.streamSym];

describe('logger', () => {
  it('writes through an asynchronous destination in production and synchronously otherwise', () => {
    const production = createLogger('info', { asynchronous: true });
    expect(streamOf(production)).toMatchObject({ sync: false, minLength: LOG_BATCH_BYTES });
    const development = createLogger('info');
    expect(streamOf(development)).toMatchObject({ sync: true });
  });

  /**
   * A process with the production logger writes one line (far below the batch size), then ends
   * as `how` says; what reached its stdout is returned once the process has ended.
   */
  const linesOfChild = (how: 'exit' | 'crash' | 'sigterm' | 'quiet') =>
    new Promise<{ out: string; code: number | null; signal: string | null }>((resolve, reject) => {
      const script = `
        import { createLogger } from ${JSON.stringify(new URL('./logging.ts', import.meta.url).pathname)};
        const log = createLogger('info', { asynchronous: true });
        log.info({ how: ${JSON.stringify(how)} }, 'the last line');
        const how = ${JSON.stringify(how)};
        if (how === 'exit') process.exit(0);
        if (how === 'crash') setImmediate(() => { throw new Error('crash'); });
        if (how === 'sigterm') {
          process.on('SIGTERM', () => process.exit(0));
          setImmediate(() => process.kill(process.pid, 'SIGTERM'));
        }
        setInterval(() => undefined, 60_000);`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        // A process that keeps running: its line must come out by the periodic flush.
        if (how === 'quiet' && out.includes('the last line')) child.kill('SIGKILL');
      });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ out, code, signal }));
    });

  it.each(['exit', 'crash', 'sigterm'] as const)(
    'writes the lines still batched when the process ends (%s)',
    async (how) => {
      const { out, code } = await linesOfChild(how);
      expect(out).toContain('"msg":"the last line"');
      expect(code).toBe(how === 'crash' ? 1 : 0);
    },
  );

  it("writes a quiet process's lines without waiting for a full batch", async () => {
    const { out, signal } = await linesOfChild('quiet');
    expect(out).toContain('"msg":"the last line"');
    expect(signal).toBe('SIGKILL');
  });
});

describe('request log line', () => {
  const request = { id: 'r-1', method: 'GET', url: '/oidc/auth?client_id=x&code=secret', ip: '10.0.0.1' };
  const capture = (level: string) => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(loggerOptions(level), {
      write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    return { lines, logger };
  };

  it('is one line with the status and the time, the path without its query', () => {
    const { lines, logger } = capture('info');
    logRequestCompleted(logger, request, 200, 1.23456);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request completed',
      req: { id: 'r-1', method: 'GET', url: '/oidc/auth', ip: '10.0.0.1' },
      res: { statusCode: 200 },
      responseTime: 1.23,
    });
  });

  it('is not written below the info level', () => {
    for (const level of ['warn', 'error', 'silent']) {
      const { lines, logger } = capture(level);
      logRequestCompleted(logger, request, 200, 1);
      expect(lines).toHaveLength(0);
    }
  });

  it('through the request-line logger: the same line, the URL still redacted, other lines still redacted', () => {
    const { lines, logger } = capture('info');
    const tokenRequest = { ...request, url: `/account/lock/${token}?code=123456` };
    logRequestCompleted(requestLineLogger(logger), tokenRequest, 303, 2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request completed',
      reqId: 'r-1',
      req: { id: 'r-1', method: 'GET', url: `/account/lock/${URL_REDACTION}`, ip: '10.0.0.1' },
      res: { statusCode: 303 },
    });
    expect(JSON.stringify(lines)).not.toContain(token);
    expect(JSON.stringify(lines)).not.toContain('123456');
    // The process logger (and so every other line) keeps its redaction.
    logger.info({ body: { pin: '482913' } }, 'other');
    expect(JSON.stringify(lines[1])).not.toContain('482913');
  });
});
