/**
 * Request logging costs one line per request (issue 18): Fastify's "incoming request" line is
 * off, and the line written when the answer is sent names the request, its path (without the
 * query), the client, the status and the time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';

const lines: Record<string, unknown>[] = [];
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    logSink: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
}, 120_000);
afterAll(async () => server?.close());

const linesOf = (id: string) => lines.filter((l) => l.reqId === id || l.requestId === id);

describe('request log', () => {
  it('writes one line per request, with status and time', async () => {
    const ok = await fetch(`${server.url}/healthz?probe=1`);
    expect(ok.status).toBe(200);
    const id = ok.headers.get('x-request-id') as string;
    const mine = linesOf(id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      msg: 'request completed',
      req: { id, method: 'GET', url: '/healthz' },
      res: { statusCode: 200 },
    });
    expect(typeof mine[0]?.responseTime).toBe('number');
    expect(lines.some((l) => l.msg === 'incoming request')).toBe(false);
  });

  it('keeps the lines the request itself writes, and still ends with one completion line', async () => {
    const refused = await fetch(`${server.url}/api/device/v1/registration`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"language":"km"}',
    });
    expect(refused.status).toBe(401);
    const mine = linesOf(refused.headers.get('x-request-id') as string);
    expect(mine.map((l) => l.msg)).toEqual(['request refused', 'request completed']);
    expect(mine[1]).toMatchObject({ res: { statusCode: 401 } });
  });
});
