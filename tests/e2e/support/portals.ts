/**
 * Two demo ministry portals (relying parties) for the browser journeys, each registered with the
 * identity server under its own name, domain, redirect URI and post-logout URI, listening on its
 * own loopback port. Both live on 127.0.0.1 like the server; the demo portal names its session
 * cookie after its URL, so the two never share a session.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CamDigiKeyClient } from '@camdigikey/client';
import { createDemoRp, type DemoRp } from '@camdigikey/demo-rp';
import { registerRelyingParty } from '../../support/citizens';
import { freePort, type TestServer } from '../../support/server';

export interface PortalSpec {
  organisation: string;
  appName: string;
  appNameKm: string;
  domain: string;
  title: { km: string; en: string };
}

export const BUSINESS: PortalSpec = {
  organisation: 'Ministry of Commerce',
  appName: 'Business Registration',
  appNameKm: 'ការចុះបញ្ជីអាជីវកម្ម',
  domain: 'business.example.gov.kh',
  title: {
    km: 'ក្រសួងពាណិជ្ជកម្ម — ការចុះបញ្ជីអាជីវកម្ម',
    en: 'Ministry of Commerce — Business Registration',
  },
};

export const TAX: PortalSpec = {
  organisation: 'Ministry of Economy and Finance',
  appName: 'Tax Portal',
  appNameKm: 'វិបផតថលពន្ធដារ',
  domain: 'tax.example.gov.kh',
  title: {
    km: 'ក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ — វិបផតថលពន្ធដារ',
    en: 'Ministry of Economy and Finance — Tax Portal',
  },
};

export interface Portal extends DemoRp {
  spec: PortalSpec;
  clientId: string;
}

/**
 * The CamDigiKey client-API credentials of a portal, issued by the RP registry, written to files
 * and loaded into the SDK exactly as an integrator would (callbacks on the portal's own URL).
 */
async function clientApiOf(server: TestServer, clientId: string, baseUrl: string): Promise<CamDigiKeyClient> {
  const r = await fetch(`${server.url}/api/admin/v1/relying-parties/${clientId}/client-api`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      successCallbackUrl: `${baseUrl}/camdigikey/callback`,
      errorCallbackUrl: `${baseUrl}/camdigikey/fallback`,
    }),
  });
  if (r.status !== 201) throw new Error(`client-API credentials refused: ${r.status} ${await r.text()}`);
  const issued = (await r.json()) as {
    clientId: string;
    domain: string;
    hmacKey: string;
    secretKey: string;
    ivParam: string;
    keystore: { fileName: string; password: string; base64: string };
    truststore: { fileName: string; password: string; base64: string };
  };
  const dir = mkdtempSync(join(tmpdir(), 'cdk-portal-'));
  writeFileSync(join(dir, issued.keystore.fileName), Buffer.from(issued.keystore.base64, 'base64'));
  writeFileSync(join(dir, issued.truststore.fileName), Buffer.from(issued.truststore.base64, 'base64'));
  return CamDigiKeyClient.fromEnv(
    {
      CAMDIGIKEY_CLIENT_ID: issued.clientId,
      CAMDIGIKEY_HMAC_KEY: issued.hmacKey,
      CAMDIGIKEY_AES_SECRET_KEY: issued.secretKey,
      CAMDIGIKEY_AES_IV_PARAMS: issued.ivParam,
      CAMDIGIKEY_CLIENT_DOMAIN: issued.domain,
      CAMDIGIKEY_SERVER_BASED_URL: server.url,
      CAMDIGIKEY_CLIENT_KEYSTORE_FILE: join(dir, issued.keystore.fileName),
      CAMDIGIKEY_CLIENT_KEYSTORE_FILE_PASSWORD: issued.keystore.password,
      CAMDIGIKEY_CLIENT_TRUST_STORE_FILE: join(dir, issued.truststore.fileName),
      CAMDIGIKEY_CLIENT_TRUST_STORE_FILE_PASSWORD: issued.truststore.password,
    },
    { now: () => server.clock.now().getTime() },
  );
}

export async function startPortal(
  server: TestServer,
  spec: PortalSpec,
  options: { clientApi?: boolean } = {},
): Promise<Portal> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const { clientId, clientSecret } = await registerRelyingParty(server, {
    organisation: spec.organisation,
    appName: spec.appName,
    appNameKm: spec.appNameKm,
    domain: spec.domain,
    redirectUris: [`${baseUrl}/callback`],
    postLogoutRedirectUris: [`${baseUrl}/`],
    allowedScopes: ['openid', 'profile'],
    ...(options.clientApi ? { iosBundleId: 'kh.gov.demo.portal' } : {}),
  });
  const clientApi = options.clientApi ? await clientApiOf(server, clientId, baseUrl) : undefined;
  const rp = createDemoRp({
    issuer: server.deps.config.oidc.issuer,
    clientId,
    clientSecret,
    baseUrl,
    name: spec.title,
    ...(clientApi ? { clientApi } : {}),
  });
  await rp.app.listen({ host: '127.0.0.1', port });
  return { ...rp, spec, clientId };
}
