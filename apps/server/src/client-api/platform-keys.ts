/**
 * The platform's key material for the CamDigiKey client API (rp-protocol.md §2.2, §4): a root CA
 * (the certificate integrators' trust stores hold), a subordinate CA that issues client and
 * server certificates, the token signer (data[0] of the §4.3 chain) and the AES key of token
 * payloads. Created once, on first use, as ONE row (so two instances starting together cannot
 * end up with halves of two different sets): the certificates in clear, the private keys sealed.
 * Production would keep the root offline and the keys in an HSM; ADR 0011 says what this is.
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import {
  type CertificateAuthority,
  createRootCa,
  createSubordinateCa,
  generatePayloadKey,
  type IssuedCertificate,
  issueSignerCertificate,
} from '@camdigikey/rp-protocol';
import type { Deps } from '../deps';

const ROW = 'client-api-pki';
const CONTEXT = 'platform-keys:client-api-pki';

export interface PlatformKeys {
  root: CertificateAuthority;
  subCa: CertificateAuthority;
  signer: IssuedCertificate;
  payloadKey: Buffer;
}

interface SealedKeys {
  root: string;
  subCa: string;
  signer: string;
  payloadKey: string;
}

const pemOf = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

function rebuild(pem: string, keyPem: string, chain: string[]): IssuedCertificate {
  return { certificate: new X509Certificate(pem), pem, privateKey: createPrivateKey(keyPem), chain };
}

const cache = new WeakMap<Deps, Promise<PlatformKeys>>();

/** The platform keys, created on first use and cached per process. */
export function platformKeys(deps: Deps): Promise<PlatformKeys> {
  let keys = cache.get(deps);
  if (!keys) {
    keys = loadOrCreate(deps);
    keys.catch(() => cache.delete(deps));
    cache.set(deps, keys);
  }
  return keys;
}

async function loadOrCreate(deps: Deps): Promise<PlatformKeys> {
  const read = () =>
    deps.db.selectFrom('platform_keys').selectAll().where('name', '=', ROW).executeTakeFirst();
  let row = await read();
  if (!row) {
    const now = deps.clock.now();
    const root = createRootCa({ now });
    const subCa = createSubordinateCa(root, { now });
    const signer = issueSignerCertificate(subCa, { now });
    const sealed: SealedKeys = {
      root: pemOf(root.privateKey),
      subCa: pemOf(subCa.privateKey),
      signer: pemOf(signer.privateKey),
      payloadKey: generatePayloadKey().toString('base64'),
    };
    await deps.db
      .insertInto('platform_keys')
      .values({
        name: ROW,
        certificate_pem: signer.pem,
        chain: JSON.stringify(signer.chain),
        private_key_enc: deps.envelope.sealText(JSON.stringify(sealed), CONTEXT),
        created_at: now,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    row = await read();
  }
  if (!row) throw new Error('platform keys could not be stored');
  const sealed = JSON.parse(deps.envelope.openText(row.private_key_enc, CONTEXT)) as SealedKeys;
  const [signerPem, subPem, rootPem] = row.chain as [string, string, string];
  const root = { ...rebuild(rootPem, sealed.root, [rootPem]), isCa: true as const };
  const subCa = { ...rebuild(subPem, sealed.subCa, [subPem, rootPem]), isCa: true as const };
  const signer = rebuild(signerPem, sealed.signer, [signerPem, subPem, rootPem]);
  return { root, subCa, signer, payloadKey: Buffer.from(sealed.payloadKey, 'base64') };
}
