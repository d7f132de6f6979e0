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
type Institution = { issued: Issued; keys: ClientKeys; rp: { clientId: string; clientSecret: string } };
let tax: Institution;
let land: Institution;

async function issue(domain: string) {
  const rp = await registerRelyingParty(server, {
    appName: `Portal ${domain}`,
    domain,
    allowedScopes: ['openid', 'open_kyc'],
  });
  const issued = await issueClientApi(server, rp.clientId, {
    successCallbackUrl: 'http://127.0.0.1:9999/cb',
    errorCallbackUrl: 'http://127.0.0.1:9999/err',
  });
  return { issued, keys: decodeClientCredentials(issued), rp };
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

  it('serves the Open KYC APIs over mutual TLS only to the institution holding its own certificate', async () => {
    const kycBody = { idImage: Buffer.from('x'.repeat(64)).toString('base64') };
    const call = (
      pfx: { base64: string; password: string },
      who: { clientId: string; clientSecret: string },
    ) =>
      new Promise<{ status: number; body: { error: number } }>((resolve, reject) => {
        const req = request(
          {
            host: 'localhost',
            port: server.clientApiTls!.port,
            path: '/api/2.0/kyc/ocr-idcard',
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Basic ${Buffer.from(`${who.clientId}:${who.clientSecret}`).toString('base64')}`,
              'x-purpose': 'account opening',
            },
            pfx: Buffer.from(pfx.base64, 'base64'),
            passphrase: pfx.password,
          },
          (res) => {
            let text = '';
            res.on('data', (c) => {
              text += c;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(kycBody));
      });
    // Its own certificate: past authentication (the image is not an image: error 1, not 3).
    expect(await call(tax.issued.keystore, tax.rp)).toMatchObject({ status: 400, body: { error: 1 } });
    // Another institution's certificate with these credentials: unauthorised.
    expect(await call(land.issued.keystore, tax.rp)).toMatchObject({ status: 401, body: { error: 3 } });
  });

  it('refuses a connection without a client certificate, and serves only the client API', async () => {
    await expect(post(ORG, sealRequest(tax.keys, { clientId: tax.issued.clientId }))).rejects.toThrow();
    const other = await post('/api/admin/v1/relying-parties', {}, tax.issued.keystore);
    expect(other.status).toBe(404);
  });
});
