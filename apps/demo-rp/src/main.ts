/**
 * `npm run demo:rp` (`tsx apps/demo-rp/src/main.ts`): runs the demo ministry portal against a running
 * identity server (`npm start`) so a developer can log in end to end, both ways: OpenID Connect
 * (`/login`) and the CamDigiKey client API (`/login/classic`, and app-to-app from `/app`).
 *
 * Where its credentials come from, first found wins (settings.ts):
 *   1. the environment: DEMO_RP_CLIENT_ID + DEMO_RP_CLIENT_SECRET (OIDC) and the CAMDIGIKEY_*
 *      variables (client API; without them only OIDC starts);
 *   2. the sandbox files that `npm start` writes (DATA_DIR/sandbox/oidc.env and client-api.env):
 *      the sandbox portal, with app-to-app registered (its app id kh.gov.sandbox.app);
 *   3. registering itself through the admin API (ADMIN_TOKEN from the environment or the server's
 *      development secrets): OIDC only; it prints the credentials to reuse next time.
 *
 *   CDK_ISSUER             default `${PUBLIC_URL or http://localhost:8080}/oidc`
 *   DEMO_RP_PORT           default 3000 (the sandbox's: 3002); DEMO_RP_BASE_URL default http://127.0.0.1:<port>
 *   ADMIN_TOKEN, DATA_DIR  (default DATA_DIR: .data)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CamDigiKeyClient } from '@camdigikey/client';
import { createDemoRp } from './app';
import { demoRpSettings } from './settings';

const { env, sandbox, issuer, port, host, baseUrl, clientApi: clientApiOn } = demoRpSettings(process.env);

function adminToken(): string | undefined {
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
  const file = join(env.DATA_DIR ?? '.data', 'dev-secrets.json');
  if (!existsSync(file)) return undefined;
  const secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return typeof secrets.ADMIN_TOKEN === 'string' ? secrets.ADMIN_TOKEN : undefined;
}

async function registerSelf(): Promise<{ clientId: string; clientSecret: string }> {
  const token = adminToken();
  if (!token)
    throw new Error('set DEMO_RP_CLIENT_ID and DEMO_RP_CLIENT_SECRET, or ADMIN_TOKEN to register the portal');
  const server = issuer.replace(/\/oidc$/, '');
  const response = await fetch(`${server}/api/admin/v1/relying-parties`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      organisation: 'Ministry of Commerce',
      appName: 'Business Registration',
      appNameKm: 'ការចុះបញ្ជីអាជីវកម្ម',
      domain: new URL(baseUrl).host,
      redirectUris: [`${baseUrl}/callback`],
      postLogoutRedirectUris: [`${baseUrl}/`],
      allowedScopes: ['openid', 'profile'],
    }),
  });
  const body = (await response.json()) as { clientId?: string; clientSecret?: string };
  if (response.status !== 201 || !body.clientId || !body.clientSecret)
    throw new Error(`registration refused (${response.status}): ${JSON.stringify(body)}`);
  return { clientId: body.clientId, clientSecret: body.clientSecret };
}

async function main(): Promise<void> {
  let clientId = env.DEMO_RP_CLIENT_ID;
  let clientSecret = env.DEMO_RP_CLIENT_SECRET;
  let registered = false;
  if (!clientId || !clientSecret) {
    ({ clientId, clientSecret } = await registerSelf());
    registered = true;
  }
  // The client API (web login with a login token, and app-to-app) when its credentials are there.
  const clientApi = clientApiOn ? CamDigiKeyClient.fromEnv(env) : undefined;
  const rp = createDemoRp({
    issuer,
    clientId,
    clientSecret,
    baseUrl,
    logger: env.DEMO_RP_LOG === 'true',
    ...(clientApi ? { clientApi } : {}),
  });
  await rp.app.listen({ host, port });
  const lines = [
    '',
    `Demo relying party (${sandbox ? 'the sandbox portal' : 'Ministry of Commerce — Business Registration'}) is running`,
    `  open            ${rp.url}/   (English: ${rp.url}/?lang=en)`,
    `  issuer          ${issuer}`,
    `  client id       ${clientId}`,
    `  redirect URI    ${rp.redirectUri}`,
    clientApi
      ? `  client API      ${env.CAMDIGIKEY_SERVER_BASED_URL}: web login ${rp.url}/login/classic, app-to-app ${rp.url}/app`
      : '  client API      off (no CAMDIGIKEY_* credentials: see apps/demo-rp/README.md)',
    '  no phone?       npx camdigikey-device approve   (approves the QR login waiting in your browser)',
  ];
  if (registered)
    lines.push(
      '  registered now; to reuse this client next time:',
      `    DEMO_RP_CLIENT_ID=${clientId} DEMO_RP_CLIENT_SECRET=${clientSecret}`,
    );
  console.log(lines.join('\n'));
  const stop = () => void rp.app.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
