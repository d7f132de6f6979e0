/**
 * A real mutual-TLS exchange on 127.0.0.1 (rp-protocol.md §2.2, §10): an HTTPS server that
 * requires client certificates from our root, and a client configured exactly like the official
 * Node library (only `{pfx, passphrase}`, no `ca`: it trusts the root bundled in the keystore).
 * The envelope of §2.3 travels over it and the server binds the certificate to the `clientId`.
 * A client certificate from another root, and no certificate at all, are refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { Agent, createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeClientCredentials, generateClientCredentials } from './credentials';
import type { RequestEnvelope } from './envelope';
import { okResponse, openRequest, openResponse, sealRequest, sealResponse } from './envelope';
import { keystoreP12 } from './pkcs12';
import {
  clientIdOfCertificate,
  createRootCa,
  createSubordinateCa,
  issueClientCertificate,
  issueServerCertificate,
} from './pki';

const root = createRootCa();
const sub = createSubordinateCa(root);
const credentials = generateClientCredentials();
const keys = decodeClientCredentials(credentials);
const clientCert = issueClientCertificate(sub, {
  clientId: credentials.clientId,
  organisation: 'RP',
  domain: 'localhost:3002',
});
const serverCert = issueServerCertificate(sub, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const password = 'changeit';
let server: Server;
let port: number;
let handled = 0;
const tlsErrors: string[] = [];

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  handled++;
  const socket = req.socket as TLSSocket;
  const peer = socket.getPeerX509Certificate();
  const body = await new Promise<string>((resolve) => {
    let text = '';
    req
      .setEncoding('utf8')
      .on('data', (chunk: string) => (text += chunk))
      .on('end', () => resolve(text));
  });
  const opened = await openRequest(JSON.parse(body), (id) => (id === keys.clientId ? keys : undefined));
  const bound = peer ? clientIdOfCertificate(peer) : undefined;
  const reply =
    bound === opened.clientId
      ? okResponse({ authorized: socket.authorized, echo: opened.params })
      : okResponse(null);
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(sealResponse(opened.keys, reply)));
}

function post(agent: Agent, envelope: RequestEnvelope): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v3.0/authentication/service-account/login-token',
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      },
      (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (chunk: string) => (text += chunk))
          .on('end', () => resolve(JSON.parse(text)));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(envelope));
  });
}

beforeAll(async () => {
  server = createServer(
    {
      key: serverCert.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      cert: serverCert.chain.slice(0, -1).join(''),
      ca: root.pem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (req, res) => void handle(req, res).catch(() => res.writeHead(400).end()),
  );
  server.on('tlsClientError', (error: Error & { code?: string }) =>
    tlsErrors.push(`${error.code} ${error.message}`),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('mutual TLS with the issued keystore', () => {
  it.each(['TLSv1.2', 'TLSv1.3'] as const)(
    'completes a %s handshake and an envelope exchange',
    async (version) => {
      const pfx = keystoreP12(clientCert.certificate, clientCert.privateKey, clientCert.chain, password);
      const agent = new Agent({ pfx, passphrase: password, maxVersion: version, minVersion: version });
      const inner = {
        clientId: keys.clientId,
        domain: 'localhost:3002',
        requestedDate: Date.now(),
        note: 'ចូល',
      };
      const reply = openResponse<{ authorized: boolean; echo: unknown }>(
        keys,
        await post(agent, sealRequest(keys, inner)),
      );
      expect(reply).toEqual({ error: 0, message: 'OK', data: { authorized: true, echo: inner } });
      agent.destroy();
    },
  );

  it('refuses a client certificate issued by another root', async () => {
    const foreignRoot = createRootCa();
    const foreign = issueClientCertificate(foreignRoot, {
      clientId: keys.clientId,
      organisation: 'RP',
      domain: 'x',
    });
    const pfx = keystoreP12(foreign.certificate, foreign.privateKey, foreign.chain, password);
    const agent = new Agent({ pfx, passphrase: password, ca: root.pem });
    const [handledBefore, errorsBefore] = [handled, tlsErrors.length];
    await expect(post(agent, sealRequest(keys, { a: 1 }))).rejects.toThrow();
    // Node's server completes the handshake, sees `authorized === false` and drops the socket
    expect(handled).toBe(handledBefore);
    await vi.waitFor(() => expect(tlsErrors.length).toBeGreaterThan(errorsBefore));
    agent.destroy();
  });

  it('refuses a client without a certificate', async () => {
    const agent = new Agent({ ca: root.pem });
    const [handledBefore, errorsBefore] = [handled, tlsErrors.length];
    await expect(post(agent, sealRequest(keys, { a: 1 }))).rejects.toThrow();
    expect(handled).toBe(handledBefore);
    await vi.waitFor(() => expect(tlsErrors.length).toBeGreaterThan(errorsBefore));
    agent.destroy();
  });
});
