/**
 * Two demo ministry portals (relying parties) for the browser journeys, each registered with the
 * identity server under its own name, domain, redirect URI and post-logout URI, listening on its
 * own loopback port. Both live on 127.0.0.1 like the server; the demo portal names its session
 * cookie after its URL, so the two never share a session.
 */
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

export async function startPortal(server: TestServer, spec: PortalSpec): Promise<Portal> {
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
  });
  const rp = createDemoRp({
    issuer: server.deps.config.oidc.issuer,
    clientId,
    clientSecret,
    baseUrl,
    name: spec.title,
  });
  await rp.app.listen({ host: '127.0.0.1', port });
  return { ...rp, spec, clientId };
}
