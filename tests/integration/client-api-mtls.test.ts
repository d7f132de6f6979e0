/**
 * The client API over its mutual-TLS listener (rp-protocol.md §2.2, §10), configured as the
 * official Node library does it: only the issued PKCS#12 keystore and its password (`pfx`,
 * `passphrase`, no `ca`), so the server certificate is trusted through the CA bundled in the
 * keystore. The caller's certificate must be the one issued with its credentials; a certificate
 * of another client, or none, is refused.
 */
import { request } from 'node:https';
import { type ClientKeys, decodeClientCredentials, openResponse, sealRequest } from '@camdigikey/rp-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerRelyingParty } from '../support/citizens';
import { type IssuedClientApi, issueClientApi } from '../support/client-api';
import { startTestServer, type TestServer } from '../support/server';

type Issued = IssuedClientApi;

let server: TestServer;
let tax: { issued: Issued; keys: ClientKeys };
let land: { issued: Issued; keys: ClientKeys };

async function issue(domain: string) {
  const rp = await registerRelyingParty(server, { appName: `Portal ${domain}`, domain });
  const issued = await issueClientApi(server, rp.clientId, {
    successCallbackUrl: 'http://127.0.0.1:9999/cb',
    errorCallbackUrl: 'http://127.0.0.1:9999/err',
  });
  return { issued, keys: decodeClientCredentials(issued) };
}

beforeAll(async () => {
  server = await startTestServer({ env: { CLIENT_API_TLS_PORT: '0' } });
  tax = await issue('tax.example.gov.kh');
  land = await issue('land.example.gov.kh');
}, 60_000);
afterAll(async () => server?.close());

function post(path: string, body: unknown, pfx?: { base64: string; password: string }) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = request(
      {
        host: 'localhost',
        port: server.clientApiTls!.port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        ...(pfx ? { pfx: Buffer.from(pfx.base64, 'base64'), passphrase: pfx.password } : {}),
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const ORG = '/api/v3.0/authentication/service-account/organization-access-token';

describe('the mutual-TLS listener', () => {
  it('serves a client presenting its own certificate, trusting the server through the keystore alone', async () => {
    const r = await post(ORG, sealRequest(tax.keys, { clientId: tax.issued.clientId }), tax.issued.keystore);
    expect(r.status).toBe(200);
    expect(openResponse(tax.keys, r.body)).toMatchObject({
      error: 0,
      data: { accessToken: expect.any(String) },
    });
  });

  it("refuses a client speaking with another client's certificate", async () => {
    const r = await post(ORG, sealRequest(tax.keys, { clientId: tax.issued.clientId }), land.issued.keystore);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: 401, message: 'Signatures not match' });
  });

  it('refuses a connection without a client certificate, and serves only the client API', async () => {
    await expect(post(ORG, sealRequest(tax.keys, { clientId: tax.issued.clientId }))).rejects.toThrow();
    const other = await post('/api/admin/v1/relying-parties', {}, tax.issued.keystore);
    expect(other.status).toBe(404);
  });
});
