/**
 * Runs java/CamDigiKeyJavaCheck.java, a Java relying party written from rp-protocol.md (§2.2
 * keystore, trust store and TLSv1.2 context; §2.3 envelope with base64 string MAC comparison;
 * §4.3 chain; §4.4 token check), against our files and an HTTPS server built from this package.
 * Skipped when no JDK 11+ is on the PATH.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:https';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClientCredentials, generateClientCredentials } from './credentials';
import { okResponse, openRequest, sealResponse } from './envelope';
import { keystoreP12, truststoreP12 } from './pkcs12';
import {
  clientIdOfCertificate,
  createRootCa,
  createSubordinateCa,
  issueClientCertificate,
  issueServerCertificate,
  issueSignerCertificate,
  signerChainBody,
} from './pki';
import { generatePayloadKey } from './token-payload';
import { signToken } from './tokens';

const hasJava = spawnSync('java', ['-version']).status === 0;
const source = fileURLToPath(new URL('./java/CamDigiKeyJavaCheck.java', import.meta.url));

const root = createRootCa();
const sub = createSubordinateCa(root);
const signer = issueSignerCertificate(sub);
const credentials = generateClientCredentials();
const keys = decodeClientCredentials(credentials);
const client = issueClientCertificate(sub, {
  clientId: credentials.clientId,
  organisation: 'RP',
  domain: 'localhost:3002',
});
const serverCert = issueServerCertificate(sub, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
const password = 'changeit';
let server: Server;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cdk-java-'));
  writeFileSync(
    join(dir, 'keystore.p12'),
    keystoreP12(client.certificate, client.privateKey, client.chain, password),
  );
  writeFileSync(join(dir, 'truststore.p12'), truststoreP12(root.certificate, password));
  server = createServer(
    {
      key: serverCert.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      cert: serverCert.chain.slice(0, -1).join(''),
      ca: root.pem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      if (req.method === 'GET') return void res.end(JSON.stringify(signerChainBody(signer)));
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', async () => {
        const opened = await openRequest(JSON.parse(body), (id) => (id === keys.clientId ? keys : undefined));
        const peer = (req.socket as TLSSocket).getPeerX509Certificate();
        const bound = peer !== undefined && clientIdOfCertificate(peer) === opened.clientId;
        res.end(JSON.stringify(sealResponse(keys, okResponse({ bound, echo: opened.params }))));
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasJava)('a Java relying party (JDK code paths)', () => {
  it('loads the keystore and trust store, validates the chain, checks a token and exchanges an envelope over mTLS', async () => {
    const { token } = signToken(
      {
        type: 'AUTH',
        client_id: credentials.clientId,
        domain: 'localhost:3002',
        camdigikey_id: 'c',
        login_jti: 'l',
      },
      { signerKey: signer.privateKey, payloadKey: generatePayloadKey(), lifetimeMs: 60_000 },
    );
    const { port } = server.address() as AddressInfo;
    const args = [
      source,
      `https://127.0.0.1:${port}`,
      join(dir, 'keystore.p12'),
      join(dir, 'truststore.p12'),
      password,
      credentials.clientId,
      credentials.hmacKey,
      credentials.secretKey,
      credentials.ivParam,
      token,
    ];
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('java', args, { timeout: 60_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      );
    });
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'KEYSTORE true 3',
      'TRUSTSTORE true 1',
      'CHAIN pkix-ok 3 true',
      'TOKEN true false',
      'MAC true',
    ]);
    const response = JSON.parse(lines[5]?.replace(/^RESPONSE /, '') ?? '');
    expect(response).toEqual({
      error: 0,
      message: 'OK',
      data: {
        bound: true,
        echo: {
          clientId: credentials.clientId,
          domain: 'localhost:3002',
          requestedDate: 1_717_000_000_000,
          note: 'ព្រះរាជាណាចក្រកម្ពុជា',
        },
      },
    });
  }, 90_000);
});
