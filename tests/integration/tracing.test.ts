/**
 * OpenTelemetry traces (issue 15, item 4): with OTEL_EXPORTER_OTLP_ENDPOINT set, a request is a
 * server span continuing the caller's `traceparent`, named by its route and carrying its request
 * id; the database statements it runs are client spans under it; a background job is a trace of
 * its own carrying the job id. All arrive at a local collector as OTLP/HTTP JSON. Without the
 * variable nothing is sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { enqueueJob } from '@camdigikey/server/jobs/job-queue';
import { JobWorker } from '@camdigikey/server/jobs/job-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOfficer } from '../support/officers';
import { startTestServer, type TestServer } from '../support/server';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

let collector: Server;
let endpoint: string;
const received: { service: string; spans: OtlpSpan[] }[] = [];
let traced: TestServer;
const logLines: string[] = [];
let untraced: TestServer;

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      expect(req.url).toBe('/v1/traces');
      expect(req.headers['content-type']).toBe('application/json');
      const data = JSON.parse(body) as {
        resourceSpans: {
          resource: { attributes: { key: string; value: { stringValue: string } }[] };
          scopeSpans: { spans: OtlpSpan[] }[];
        }[];
      };
      for (const r of data.resourceSpans)
        received.push({
          service: r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '',
          spans: r.scopeSpans.flatMap((s) => s.spans),
        });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  traced = await startTestServer({
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    logSink: (line) => logLines.push(line),
  });
  untraced = await startTestServer();
}, 120_000);
afterAll(async () => {
  await traced?.close();
  await untraced?.close();
  await new Promise((resolve) => collector?.close(resolve));
});

const spans = () => received.flatMap((r) => r.spans);
const attr = (span: OtlpSpan | undefined, key: string) => {
  const value = span?.attributes.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

describe('traces', () => {
  it('make a request a server span under the caller, with its database statements beneath', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const r = await fetch(`${traced.url}/api/admin/v1/officers`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${traced.deps.config.secrets.adminToken}`,
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${callerSpan}-01`,
      },
      body: JSON.stringify({
        username: 'traced',
        displayName: 'Traced Officer',
        role: 'officer',
        password: 'a long enough password',
      }),
    });
    expect(r.status).toBe(201);
    const requestId = r.headers.get('x-request-id');
    await traced.deps.tracer?.flush();

    const server = spans().find((s) => s.traceId === traceId && s.kind === 2);
    expect(server?.name).toBe('POST /api/admin/v1/officers');
    expect(server?.parentSpanId).toBe(callerSpan);
    expect(attr(server, 'request.id')).toBe(requestId);
    // The request's log lines name the trace too.
    const logged = logLines
      .map((l) => JSON.parse(l) as { requestId?: string; reqId?: string; traceId?: string })
      .filter((l) => l.requestId === requestId);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((l) => l.traceId === traceId)).toBe(true);
    expect(attr(server, 'http.response.status_code')).toBe('201');
    expect(BigInt(server!.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(server!.startTimeUnixNano));
    const statements = spans().filter((s) => s.parentSpanId === server?.spanId);
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.every((s) => s.traceId === traceId && s.kind === 3)).toBe(true);
    expect(statements.map((s) => s.name)).toContain('INSERT');
    expect(received.every((r) => r.service === 'camdigikey')).toBe(true);
    // The statements' spans name the operation, never the values (the password's hash, the name).
    expect(JSON.stringify(statements)).not.toMatch(/Traced Officer|argon2/);
  });

  it('make a request without a traceparent the root of a new trace', async () => {
    const r = await fetch(`${traced.url}/healthz`);
    const requestId = r.headers.get('x-request-id');
    await traced.deps.tracer?.flush();
    const server = spans().find((s) => attr(s, 'request.id') === requestId);
    expect(server?.name).toBe('GET /healthz');
    expect(server?.parentSpanId).toBeUndefined();
    expect(server?.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('make each background job a trace of its own, with its statements', async () => {
    const worker = new JobWorker(
      traced.deps,
      {
        'trace.test': async () => {
          await traced.deps.db.selectFrom('accounts').select('id').limit(1).execute();
        },
      },
      { pollMs: 60_000, leaseSeconds: 60 },
    );
    const jobId = await enqueueJob(traced.deps.db, 'trace.test', {}, traced.clock.now());
    await worker.wake();
    await traced.deps.tracer?.flush();
    const job = spans().find((s) => attr(s, 'job.id') === jobId);
    expect(job?.name).toBe('job trace.test');
    expect(job?.parentSpanId).toBeUndefined();
    expect(spans().some((s) => s.parentSpanId === job?.spanId && s.name === 'SELECT')).toBe(true);
  });

  it('are off without an endpoint', async () => {
    const before = received.length;
    expect(untraced.deps.tracer?.enabled).toBe(false);
    await createOfficer(untraced, 'untraced');
    await untraced.deps.tracer?.flush();
    expect(received.length).toBe(before);
  });
});
