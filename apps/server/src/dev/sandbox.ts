/**
 * The integrators' sandbox (development only, with DEMO_DATA): a "Sandbox portal" relying party
 * registered on first start, with OIDC credentials and CamDigiKey client-API credentials, written
 * to DATA_DIR/sandbox/ as the files an integrator would receive (`client-api.env` with the
 * official library's CAMDIGIKEY_* variables, the PKCS#12 keystore and trust store, `oidc.env`).
 * With the device CLI (`npx camdigikey-device approve`) a developer runs a whole login without a
 * phone. Callbacks point at http://localhost:<SANDBOX_RP_PORT> (3002 by default, the usual local RP
 * port in the official samples).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clientApiServerUrl, issueApiClient } from '../client-api/api-clients';
import type { Deps } from '../deps';
import { newClientId, newClientSecret, secretContext } from '../oidc/relying-parties';

/** The sandbox portal's host on this machine (its port is SANDBOX_RP_PORT). */
export const sandboxDomain = (port: number) => `localhost:${port}`;

export async function seedSandbox(deps: Deps): Promise<string | undefined> {
  const SANDBOX_DOMAIN = sandboxDomain(deps.config.sandboxRpPort);
  const RP_URL = `http://${SANDBOX_DOMAIN}`;
  const dir = resolve(deps.config.database.dataDir, 'sandbox');
  const exists = await deps.db
    .selectFrom('relying_parties')
    .select('client_id')
    .where('domain', '=', SANDBOX_DOMAIN)
    .executeTakeFirst();
  if (exists && existsSync(join(dir, 'client-api.env'))) return dir;
  const clientId = exists?.client_id ?? newClientId();
  const secret = newClientSecret();
  const now = deps.clock.now();
  if (exists) {
    await deps.db
      .updateTable('relying_parties')
      .set({ client_secret_enc: deps.envelope.sealText(secret, secretContext(clientId)), updated_at: now })
      .where('client_id', '=', clientId)
      .execute();
  } else {
    await deps.db
      .insertInto('relying_parties')
      .values({
        client_id: clientId,
        organisation: 'CamDigiKey Sandbox',
        organisation_km: 'កន្លែងសាកល្បង CamDigiKey',
        app_name: 'Sandbox portal',
        app_name_km: 'វិបផតថលសាកល្បង',
        logo_url: null,
        domain: SANDBOX_DOMAIN,
        privacy_policy_url: null,
        redirect_uris: JSON.stringify([`${RP_URL}/callback`]),
        post_logout_redirect_uris: JSON.stringify([`${RP_URL}/`]),
        backchannel_logout_uri: null,
        android_app_id: 'kh.gov.sandbox.app',
        ios_bundle_id: 'kh.gov.sandbox.app',
        allowed_scopes: JSON.stringify(['openid', 'profile', 'email', 'phone', 'personal_code', 'face']),
        token_endpoint_auth_method: 'client_secret_basic',
        client_secret_enc: deps.envelope.sealText(secret, secretContext(clientId)),
        jwks: null,
        subject_type: 'public',
        sector_identifier: null,
        status: 'active',
        created_at: now,
        updated_at: now,
      })
      .execute();
  }
  const issued = await issueApiClient(
    deps,
    clientId,
    {
      successCallbackUrl: `${RP_URL}/camdigikey/callback`,
      errorCallbackUrl: `${RP_URL}/camdigikey/fallback`,
      returnUrls: [],
    },
    'sandbox',
  );
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keystore = join(dir, issued.keystore.fileName);
  const truststore = join(dir, issued.truststore.fileName);
  writeFileSync(keystore, Buffer.from(issued.keystore.base64, 'base64'), { mode: 0o600 });
  writeFileSync(truststore, Buffer.from(issued.truststore.base64, 'base64'), { mode: 0o600 });
  const tlsUrl = clientApiServerUrl(deps);
  writeFileSync(
    join(dir, 'client-api.env'),
    [
      '# CamDigiKey client API (rp-protocol.md): the official library and @camdigikey/client read these.',
      `CAMDIGIKEY_CLIENT_ID=${issued.clientId}`,
      `CAMDIGIKEY_HMAC_KEY=${issued.hmacKey}`,
      `CAMDIGIKEY_AES_SECRET_KEY=${issued.secretKey}`,
      `CAMDIGIKEY_AES_IV_PARAMS=${issued.ivParam}`,
      `CAMDIGIKEY_CLIENT_DOMAIN=${issued.domain}`,
      `CAMDIGIKEY_SERVER_BASED_URL=${tlsUrl}`,
      `CAMDIGIKEY_CLIENT_KEYSTORE_FILE=${keystore}`,
      `CAMDIGIKEY_CLIENT_KEYSTORE_FILE_PASSWORD=${issued.keystore.password}`,
      `CAMDIGIKEY_CLIENT_TRUST_STORE_FILE=${truststore}`,
      `CAMDIGIKEY_CLIENT_TRUST_STORE_FILE_PASSWORD=${issued.truststore.password}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  writeFileSync(
    join(dir, 'oidc.env'),
    [
      '# OpenID Connect (authorization code + PKCE) for the sandbox portal.',
      `CDK_ISSUER=${deps.config.oidc.issuer}`,
      `DEMO_RP_CLIENT_ID=${clientId}`,
      `DEMO_RP_CLIENT_SECRET=${secret}`,
      `DEMO_RP_BASE_URL=${RP_URL}`,
      `DEMO_RP_PORT=${deps.config.sandboxRpPort}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  deps.logger.info({ dir }, 'sandbox relying party issued');
  return dir;
}
