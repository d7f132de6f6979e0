/**
 * Bearer secrets in URLs never reach the request log (issue 19, defect 7): the "this wasn't me"
 * lock link (it locks the account and undoes a recovery) used to be written in clear in the
 * `incoming request` line. The log stream of a real server is captured while the link is opened
 * and used.
 */
import { issueLockLink } from '@camdigikey/server/accounts/action-tokens';
import { URL_REDACTION } from '@camdigikey/server/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActiveCitizen, activeCitizen } from '../support/citizens';
import { startTestServer, type TestServer } from '../support/server';

const lines: string[] = [];
let server: TestServer;
let dara: ActiveCitizen;
beforeAll(async () => {
  server = await startTestServer({ logSink: (line) => lines.push(line) });
  dara = await activeCitizen(server, 9201);
}, 120_000);
afterAll(async () => server?.close());

describe('request logs', () => {
  it('redact the lock-link token in the request log line, on the page and on its use', async () => {
    const link = await issueLockLink(server.deps.db, server.deps, dara.accountId, {}, server.clock.now(), 24);
    const token = link.split('/').pop()!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    lines.length = 0;
    const page = await fetch(`${link}?lang=en`);
    expect(page.status).toBe(200);
    const used = await fetch(link, { method: 'POST' });
    expect(used.status).toBeLessThan(500);

    const incoming = lines.filter((l) => l.includes('request completed'));
    expect(incoming.length).toBeGreaterThanOrEqual(2);
    const urls = incoming.map((l) => (JSON.parse(l) as { req: { url: string } }).req.url);
    expect(urls).toContain(`/account/lock/${URL_REDACTION}`);
    // The token appears in no log line at all (nor a prefix of it long enough to matter).
    expect(lines.join('\n')).not.toContain(token.slice(0, 16));
  });

  it('redact any token-like path segment, and never log a query string', async () => {
    const secret = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdE';
    lines.length = 0;
    await fetch(`${server.url}/api/device/v1/login/${secret}/reject?token=${secret}`, { method: 'POST' });
    expect(lines.some((l) => l.includes('request completed'))).toBe(true);
    expect(lines.join('\n')).not.toContain(secret.slice(0, 16));
  });
});
