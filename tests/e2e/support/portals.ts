/**
 * Two demo ministry portals (relying parties) for the browser journeys, each registered with the
 * identity server under its own name, domain, redirect URI and post-logout URI, listening on its
 * own loopback port. Both live on 127.0.0.1 like the server; the demo portal names its session
 * cookie after its URL, so the two never share a session.
 */
import { createDemoRp, type DemoRp } from '@camdigikey/demo-rp';
import { registerRelyingParty } from '../../support/citizens';
import { issueClientApi, sdkFor } from '../../support/client-api';
import { freePort, type TestServer } from '../../support/server';

export interface PortalSpec {
  organisation: string;
  /** The organisation's Khmer name, shown in the Khmer app and login pages. */
  organisationKm: string;
  /** The portal's logo, an SVG drawn here (a data: URI, so the app can show it offline). */
  logoColour: string;
  appName: string;
  appNameKm: string;
  domain: string;
  title: { km: string; en: string };
}

export const BUSINESS: PortalSpec = {
  organisation: 'Ministry of Commerce',
  organisationKm: 'ក្រសួងពាណិជ្ជកម្ម',
  logoColour: '#7a1f2b',
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
  organisationKm: 'ក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ',
  logoColour: '#1c5d3a',
  appName: 'Tax Portal',
  appNameKm: 'វិបផតថលពន្ធដារ',
  domain: 'tax.example.gov.kh',
  title: {
    km: 'ក្រសួងសេដ្ឋកិច្ច និងហិរញ្ញវត្ថុ — វិបផតថលពន្ធដារ',
    en: 'Ministry of Economy and Finance — Tax Portal',
  },
};

/** The demo bank's online portal (issue 17): its loan contract is signed with CamDigiKey. */
export const DEMO_BANK: PortalSpec = {
  organisation: 'Demo Bank Plc.',
  organisationKm: 'ធនាគារសាកល្បង ភីអិលស៊ី',
  logoColour: '#0b5c8a',
  appName: 'Demo Bank Online',
  appNameKm: 'ធនាគារសាកល្បងអនឡាញ',
  domain: 'portal.demobank.example.kh',
  title: {
    km: 'ធនាគារសាកល្បង — សេវាធនាគារអនឡាញ',
    en: 'Demo Bank Plc. — Online Banking',
  },
};

/** A seal-like round logo in the portal's colour (a test fixture, not any real emblem). */
export const logoOf = (colour: string) =>
  `data:image/svg+xml;base64,${Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30" fill="${colour}"/><circle cx="32" cy="32" r="22" fill="none" stroke="#f5d76e" stroke-width="3"/><path d="M20 40h24M24 40V28M32 40V24M40 40V28M18 28l14-8 14 8" fill="none" stroke="#f5d76e" stroke-width="3" stroke-linejoin="round"/></svg>`,
  ).toString('base64')}`;

export interface Portal extends DemoRp {
  spec: PortalSpec;
  clientId: string;
}

/** The CamDigiKey client-API credentials of a portal, callbacks on its own URL, loaded into the SDK. */
async function clientApiOf(server: TestServer, clientId: string, baseUrl: string) {
  const issued = await issueClientApi(server, clientId, {
    successCallbackUrl: `${baseUrl}/camdigikey/callback`,
    errorCallbackUrl: `${baseUrl}/camdigikey/fallback`,
  });
  return sdkFor(server, issued);
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
    organisationKm: spec.organisationKm,
    logoUrl: logoOf(spec.logoColour),
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
