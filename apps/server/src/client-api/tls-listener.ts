/**
 * The HTTPS listener of the client API (rp-protocol.md §2.2, §10): the platform's server
 * certificate (issued by the sub-CA at start, for the public host name, localhost and 127.0.0.1),
 * TLS 1.2+ (the shipped Java app offers TLS 1.2), and client certificates issued by the platform
 * CA: required by default (CLIENT_API_REQUIRE_CLIENT_CERT), and bound to the calling client id by
 * the route handler (the certificate must be the one issued with that client's credentials). It
 * serves the client-API and Open KYC paths only; everything else answers 404.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { issueServerCertificate } from '@camdigikey/rp-protocol';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps';
import { platformKeys } from './platform-keys';

const PATHS = ['/api/v2.0/', '/api/v3.0/', '/api/2.0/kyc/'];

export interface ClientApiListener {
  port: number;
  close(): Promise<void>;
}

export async function startClientApiTls(
  fastify: FastifyInstance,
  deps: Deps,
): Promise<ClientApiListener | undefined> {
  const port = deps.config.clientApi.tlsPort;
  if (port === undefined) return undefined;
  await fastify.ready();
  const keys = await platformKeys(deps);
  const host = new URL(deps.config.http.publicUrl).hostname;
  const certificate = issueServerCertificate(keys.subCa, {
    dnsNames: [...new Set([host, 'localhost'].filter((h) => !/^[\d.]+$/.test(h)))],
    ipAddresses: ['127.0.0.1'],
    now: deps.clock.now(),
  });
  const server: Server = createServer(
    {
      key: certificate.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      cert: certificate.chain.slice(0, -1).join(''),
      ca: [keys.subCa.pem, keys.root.pem],
      requestCert: true,
      rejectUnauthorized: deps.config.clientApi.requireClientCert,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      if (!PATHS.some((p) => req.url?.startsWith(p))) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":404,"message":"Not found"}');
        return;
      }
      fastify.routing(req, res);
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, deps.config.http.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
