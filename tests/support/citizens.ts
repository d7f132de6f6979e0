/**
 * Approved citizens for login tests: registered through the real flow by a test device, then
 * approved (as an officer would) — so their device key, PIN and Face ID are the real ones.
 */
import { changeAccountStatus } from '@camdigikey/server/accounts/account-status';
import { makeCitizen, type SyntheticCitizen } from '@camdigikey/testkit/citizens';
import { type WalkOptions, walkRegistration } from '@camdigikey/testkit/registration-walker';
import type { TestDevice } from '@camdigikey/testkit/test-device';
import { SoftAuthenticator } from '@camdigikey/testkit/webauthn-authenticator';
import type { TestServer } from './server';

export interface ActiveCitizen {
  citizen: SyntheticCitizen;
  device: TestDevice;
  accountId: string;
  authenticator?: SoftAuthenticator;
}

export async function activeCitizen(
  server: TestServer,
  seed: number,
  options: { faceId?: boolean; status?: 'active' | 'pending_review'; media?: WalkOptions['media'] } = {},
): Promise<ActiveCitizen> {
  const citizen = makeCitizen(seed);
  const device = await server.device();
  const authenticator = options.faceId ? new SoftAuthenticator() : undefined;
  const flow = await walkRegistration(device, citizen, {
    otp: { sms: (p) => server.smsCode(p), email: (a) => server.emailCode(a) },
    ...(authenticator ? { authenticator: { device: authenticator, origin: server.url } } : {}),
    ...(options.media ? { media: options.media } : {}),
  });
  const accountId = flow.account!.id;
  if ((options.status ?? 'active') === 'active') {
    await changeAccountStatus(server.deps, accountId, 'active', {
      actorType: 'officer',
      actorId: 'test-officer',
    });
  }
  return { citizen, device, accountId, ...(authenticator ? { authenticator } : {}) };
}

export async function registerRelyingParty(server: TestServer, overrides: Record<string, unknown> = {}) {
  const response = await fetch(`${server.url}/api/admin/v1/relying-parties`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      organisation: 'Ministry of Commerce',
      appName: 'Business Registration',
      // The Khmer name belongs to the default app only.
      appNameKm: overrides.appName ? undefined : 'ការចុះបញ្ជីអាជីវកម្ម',
      domain: 'business.example.gov.kh',
      redirectUris: ['http://127.0.0.1:9999/callback'],
      postLogoutRedirectUris: ['http://127.0.0.1:9999/'],
      allowedScopes: ['openid', 'profile', 'phone', 'email', 'personal_code', 'offline_access'],
      ...overrides,
    }),
  });
  const body = (await response.json()) as { clientId: string; clientSecret?: string; error?: unknown };
  if (response.status !== 201) throw new Error(`RP registration failed: ${JSON.stringify(body)}`);
  return body as { clientId: string; clientSecret: string };
}
