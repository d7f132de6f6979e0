/**
 * Console officers for tests: created through the administration API with the bootstrap token
 * (password `OFFICER_PASSWORD`), and TOTP codes for the test server's clock.
 */
import { totpFor } from '@camdigikey/server/console/officers';
import type { TestServer } from './server';

export const OFFICER_PASSWORD = 'correct horse battery';

export interface CreatedOfficer {
  id: string;
  totpSecret: string;
  otpauthUri: string;
}

export async function createOfficer(
  server: TestServer,
  username: string,
  role = 'officer',
): Promise<CreatedOfficer> {
  const r = await fetch(`${server.url}/api/admin/v1/officers`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.deps.config.secrets.adminToken}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ username, displayName: `Officer ${username}`, role, password: OFFICER_PASSWORD }),
  });
  if (r.status !== 201) throw new Error(`officer ${username} refused: ${r.status} ${await r.text()}`);
  return (await r.json()) as CreatedOfficer;
}

/** The TOTP code of this officer at the server clock's current time. */
export const totpCode = (server: TestServer, secret: string, username: string) =>
  totpFor(secret, username).generate({ timestamp: server.clock.now().getTime() });

export const signInOfficer = (server: TestServer, username: string, password: string, totp: string) =>
  fetch(`${server.url}/api/console/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, totp }),
  });
