import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRootCa,
  createSubordinateCa,
  generateClientCredentials,
  issueClientCertificate,
  issueServerCertificate,
  issueSignerCertificate,
  keystoreP12,
  truststoreP12,
} from '@camdigikey/rp-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CamDigiKeyClient, readStoreFile } from './client';
import { ERROR_CODES } from './errors';

// A platform whose chain endpoint lists a rogue signer next to the genuine root: the official Node
// library accepts this (rp-protocol.md §10); the SDK must not.
const root = createRootCa();
const sub = createSubordinateCa(root);
const rogueRoot = createRootCa({ name: { commonName: 'ROGUE', country: 'KH', organization: 'x' } });
const rogueSigner = issueSignerCertificate(rogueRoot);
const genuineSigner = issueSignerCertificate(sub);
let chain: string[] = [];
let server: Server;
let dir: string;
let client: CamDigiKeyClient;

beforeAll(async () => {
  const tls = issueServerCertificate(sub, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  server = createServer(
    { key: tls.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: tls.chain.slice(0, -1).join('') },
    (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: chain })),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const credentials = generateClientCredentials();
  const cert = issueClientCertificate(sub, {
    clientId: credentials.clientId,
    organisation: 'Test',
    domain: 'x.kh',
  });
  dir = mkdtempSync(join(tmpdir(), 'cdk-sdk-unit-'));
  writeFileSync(join(dir, 'k.p12'), keystoreP12(cert.certificate, cert.privateKey, cert.chain, 'secret-1'));
  writeFileSync(join(dir, 't.p12'), truststoreP12(root.certificate, 'secret-2'));
  client = new CamDigiKeyClient({
    client: {
      clientId: credentials.clientId,
      hmacKey: credentials.hmacKey,
      aesSecretKey: credentials.secretKey,
      aesIvParams: credentials.ivParam,
      clientDomain: 'x.kh',
      serverBaseUrl: `https://localhost:${(server.address() as AddressInfo).port}`,
    },
    tls: {
      keystoreFile: join(dir, 'k.p12'),
      keystoreFilePassword: 'secret-1',
      trustStoreFile: join(dir, 't.p12'),
      trustStoreFilePassword: 'secret-2',
    },
  });
});
afterAll(() => {
  client?.close();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the signer chain check', () => {
  it('refuses a rogue signer listed next to the genuine root', async () => {
    chain = [rogueSigner.pem, root.pem];
    await expect(client.signerCertificate()).rejects.toMatchObject({
      errorCode: ERROR_CODES.INVALID_CERTIFICATE_CHAIN,
    });
  });

  it('refuses a chain that does not end with the trust-store root', async () => {
    chain = [genuineSigner.pem, sub.pem];
    await expect(client.signerCertificate()).rejects.toMatchObject({
      errorCode: ERROR_CODES.INVALID_CERTIFICATE_CHAIN,
    });
  });

  it('accepts the genuine chain and returns its signer', async () => {
    chain = genuineSigner.chain;
    expect((await client.signerCertificate()).fingerprint256).toBe(genuineSigner.certificate.fingerprint256);
  });
});

describe('the PKCS#12 files', () => {
  it('are read as issued: the binary file, or the base64 text of the credentials answer as it is', () => {
    const binary = readFileSync(join(dir, 'k.p12'));
    writeFileSync(join(dir, 'k.p12.b64'), `${binary.toString('base64').replace(/(.{76})/g, '$1\n')}\n`);
    expect(readStoreFile(join(dir, 'k.p12'))).toEqual(binary);
    expect(readStoreFile(join(dir, 'k.p12.b64'))).toEqual(binary);
  });
});
