/**
 * Client-API credentials of a relying party (rp-protocol.md §2.1): what the operator hands an
 * integrator so the official `camdigikey-client` libraries work unchanged: a client id (base64 of
 * 32 bytes), an HMAC key, an AES-256 key and IV, a PKCS#12 keystore with its mutual-TLS client
 * certificate (bound to the client id by a SAN URI) and the chain, and a PKCS#12 trust store with
 * the platform root. The keys are stored sealed and shown once; issuing again replaces them (the
 * old client id stops working at once). Callback URLs and whitelisted return URLs live here too.
 */
import { randomBytes } from 'node:crypto';
import {
  type ClientKeys,
  decodeClientCredentials,
  generateClientCredentials,
  issueClientCertificate,
  keystoreP12,
  p12FileNames,
  truststoreP12,
} from '@camdigikey/rp-protocol';
import { recordAudit } from '../audit/audit-log';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { findRelyingParty, type RelyingParty } from '../oidc/relying-parties';
import { platformKeys } from './platform-keys';

export const context = (clientId: string, what: string) => `api-client:${clientId}:${what}`;
const password = () => randomBytes(18).toString('base64url');

export interface ApiClientInput {
  successCallbackUrl: string;
  errorCallbackUrl: string;
  returnUrls: string[];
}

export async function issueApiClient(deps: Deps, rpClientId: string, input: ApiClientInput, actor: string) {
  const rp = await findRelyingParty(deps.db, rpClientId);
  if (!rp) throw new AppError('not_found');
  const keys = await platformKeys(deps);
  const credentials = generateClientCredentials();
  const certificate = issueClientCertificate(keys.subCa, {
    clientId: credentials.clientId,
    organisation: rp.organisation,
    domain: rp.domain,
    now: deps.clock.now(),
  });
  const passwords = { keystore: password(), truststore: password() };
  const keystore = keystoreP12(
    certificate.certificate,
    certificate.privateKey,
    certificate.chain,
    passwords.keystore,
  );
  const truststore = truststoreP12(keys.root.certificate, passwords.truststore);
  const now = deps.clock.now();
  const id = credentials.clientId;
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('api_clients').where('rp_client_id', '=', rp.client_id).execute();
    await trx
      .insertInto('api_clients')
      .values({
        client_id: id,
        rp_client_id: rp.client_id,
        hmac_key_enc: deps.envelope.sealText(credentials.hmacKey, context(id, 'hmac')),
        secret_key_enc: deps.envelope.sealText(credentials.secretKey, context(id, 'aes')),
        iv_enc: deps.envelope.sealText(credentials.ivParam, context(id, 'iv')),
        success_callback_url: input.successCallbackUrl,
        error_callback_url: input.errorCallbackUrl,
        return_urls: JSON.stringify(input.returnUrls),
        certificate_fingerprint: certificate.certificate.fingerprint256,
        certificate_not_after: new Date(certificate.certificate.validTo),
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
  // The front-door client api.<id> exists from now on (oidc/client-cache.ts).
  deps.oidcClients.forget(rp.client_id);
  await recordAudit(
    deps.db,
    {
      actorType: 'admin',
      actorId: actor,
      action: 'relying_party.client_api_issued',
      subjectType: 'relying_party',
      subjectId: rp.client_id,
      details: { certificateFingerprint: certificate.certificate.fingerprint256 },
    },
    now,
  );
  const files = p12FileNames(rp.client_id);
  return {
    clientId: id,
    domain: rp.domain,
    /** CAMDIGIKEY_SERVER_BASED_URL: where the relying party's backend calls the client API. */
    serverUrl: clientApiServerUrl(deps),
    /** How the two PKCS#12 files travel in this answer, and how to write them out. */
    files: P12_NOTE,
    hmacKey: credentials.hmacKey,
    secretKey: credentials.secretKey,
    ivParam: credentials.ivParam,
    keystore: { fileName: files.keystore, password: passwords.keystore, base64: keystore.toString('base64') },
    truststore: {
      fileName: files.truststore,
      password: passwords.truststore,
      base64: truststore.toString('base64'),
    },
    certificateNotAfter: new Date(certificate.certificate.validTo).toISOString(),
    successCallbackUrl: input.successCallbackUrl,
    errorCallbackUrl: input.errorCallbackUrl,
    returnUrls: input.returnUrls,
  };
}

/**
 * The client API's base URL for relying parties (CAMDIGIKEY_SERVER_BASED_URL): the mutual-TLS
 * listener when CLIENT_API_TLS_PORT is set (on the public URL's host), else the public URL.
 */
export function clientApiServerUrl(deps: Deps): string {
  const publicUrl = new URL(deps.config.http.publicUrl);
  return deps.config.clientApi.tlsPort
    ? `https://${publicUrl.hostname}:${deps.config.clientApi.tlsPort}`
    : deps.config.http.publicUrl.replace(/\/+$/, '');
}

export const P12_NOTE =
  'keystore.base64 and truststore.base64 are the binary PKCS#12 files encoded as base64 text. Write each to its fileName with `base64 -d` (for example: jq -r .keystore.base64 answer.json | base64 -d > <fileName>), then point CAMDIGIKEY_CLIENT_KEYSTORE_FILE and CAMDIGIKEY_CLIENT_TRUST_STORE_FILE at them. @camdigikey/client also reads a file that holds the base64 text as it is.';

export interface ApiClient {
  keys: ClientKeys;
  rp: RelyingParty;
  successCallbackUrl: string;
  errorCallbackUrl: string;
  returnUrls: string[];
  certificateFingerprint: string;
}

/** The client behind an envelope's `clientId`; undefined for an unknown one. */
export async function findApiClient(deps: Deps, clientId: string): Promise<ApiClient | undefined> {
  if (clientId.length > 100) return undefined;
  const row = await deps.db
    .selectFrom('api_clients')
    .selectAll()
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!row) return undefined;
  const rp = await findRelyingParty(deps.db, row.rp_client_id);
  if (!rp) return undefined;
  const keys = decodeClientCredentials({
    clientId,
    hmacKey: deps.envelope.openText(row.hmac_key_enc, context(clientId, 'hmac')),
    secretKey: deps.envelope.openText(row.secret_key_enc, context(clientId, 'aes')),
    ivParam: deps.envelope.openText(row.iv_enc, context(clientId, 'iv')),
  });
  return {
    keys,
    rp,
    successCallbackUrl: row.success_callback_url,
    errorCallbackUrl: row.error_callback_url,
    returnUrls: row.return_urls,
    certificateFingerprint: row.certificate_fingerprint,
  };
}

/** The fingerprint of the client certificate issued to this registry entry (mutual-TLS binding). */
export async function issuedCertificateFingerprint(
  deps: Deps,
  rpClientId: string,
): Promise<string | undefined> {
  const row = await deps.db
    .selectFrom('api_clients')
    .select('certificate_fingerprint')
    .where('rp_client_id', '=', rpClientId)
    .executeTakeFirst();
  return row?.certificate_fingerprint;
}
