/**
 * Client-API credentials for a registered relying party, as the RP registry issues them
 * (rp-protocol.md §2.1), and the SDK configured with them exactly as an integrator would: the
 * PKCS#12 files written to disk and the official CAMDIGIKEY_* variables.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CamDigiKeyClient } from '@camdigikey/client';
import type { TestServer } from './server';

export interface IssuedClientApi {
  clientId: string;
  domain: string;
  hmacKey: string;
  secretKey: string;
  ivParam: string;
  keystore: { fileName: string; password: string; base64: string };
  truststore: { fileName: string; password: string; base64: string };
}

export async function issueClientApi(
  server: TestServer,
  rpClientId: string,
  body: { successCallbackUrl: string; errorCallbackUrl: string; returnUrls?: string[] },
): Promise<IssuedClientApi> {
  const r = await fetch(`${server.url}/api/admin/v1/relying-parties/${rpClientId}/client-api`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  if (r.status !== 201) throw new Error(`client-API credentials refused: ${r.status} ${await r.text()}`);
  return (await r.json()) as IssuedClientApi;
}

/** The SDK with these credentials, files on disk, clock of the test server; `baseUrl` defaults to the server. */
export function sdkFor(server: TestServer, issued: IssuedClientApi, baseUrl = server.url): CamDigiKeyClient {
  const dir = mkdtempSync(join(tmpdir(), 'cdk-client-api-'));
  const keystore = join(dir, issued.keystore.fileName);
  const truststore = join(dir, issued.truststore.fileName);
  writeFileSync(keystore, Buffer.from(issued.keystore.base64, 'base64'));
  writeFileSync(truststore, Buffer.from(issued.truststore.base64, 'base64'));
  return CamDigiKeyClient.fromEnv(
    {
      CAMDIGIKEY_CLIENT_ID: issued.clientId,
      CAMDIGIKEY_HMAC_KEY: issued.hmacKey,
      CAMDIGIKEY_AES_SECRET_KEY: issued.secretKey,
      CAMDIGIKEY_AES_IV_PARAMS: issued.ivParam,
      CAMDIGIKEY_CLIENT_DOMAIN: issued.domain,
      CAMDIGIKEY_SERVER_BASED_URL: baseUrl,
      CAMDIGIKEY_CLIENT_KEYSTORE_FILE: keystore,
      CAMDIGIKEY_CLIENT_KEYSTORE_FILE_PASSWORD: issued.keystore.password,
      CAMDIGIKEY_CLIENT_TRUST_STORE_FILE: truststore,
      CAMDIGIKEY_CLIENT_TRUST_STORE_FILE_PASSWORD: issued.truststore.password,
    },
    { now: () => server.clock.now().getTime() },
  );
}
