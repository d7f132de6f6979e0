/**
 * The platform's signing PKI (issue 17): the citizen signing CA, a subordinate of the platform
 * root that integrators already trust (client-api/platform-keys.ts), and the time-stamping unit it
 * certifies. Created once, on first use, as one row of `platform_keys` (certificates in clear,
 * private keys sealed), so every instance signs with the same CA. Production would keep the CA
 * key in an HSM, like the other platform keys (ADR 0011, ADR 0015).
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import {
  type CertificateAuthority,
  createSigningCa,
  type IssuedCertificate,
  issueTsaCertificate,
  TSA_POLICY,
  type TsaIdentity,
} from '@camdigikey/rp-protocol';
import { platformKeys } from '../client-api/platform-keys';
import type { Deps } from '../deps';

const ROW = 'signing-pki';
const CONTEXT = 'platform-keys:signing-pki';

export interface SigningKeys {
  root: X509Certificate;
  ca: CertificateAuthority;
  tsa: TsaIdentity;
  /** PEM: [ca, root] — what a citizen certificate's chain continues with. */
  caChain: string[];
}

const pemOf = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
const cache = new WeakMap<Deps, Promise<SigningKeys>>();

export function signingKeys(deps: Deps): Promise<SigningKeys> {
  let keys = cache.get(deps);
  if (!keys) {
    keys = loadOrCreate(deps);
    keys.catch(() => cache.delete(deps));
    cache.set(deps, keys);
  }
  return keys;
}

async function loadOrCreate(deps: Deps): Promise<SigningKeys> {
  const platform = await platformKeys(deps);
  const read = () =>
    deps.db.selectFrom('platform_keys').selectAll().where('name', '=', ROW).executeTakeFirst();
  let row = await read();
  if (!row) {
    const now = deps.clock.now();
    const ca = createSigningCa(platform.root, { now });
    const tsa: IssuedCertificate = issueTsaCertificate(ca, { now });
    await deps.db
      .insertInto('platform_keys')
      .values({
        name: ROW,
        certificate_pem: ca.pem,
        chain: JSON.stringify([tsa.pem, ca.pem, platform.root.pem]),
        private_key_enc: deps.envelope.sealText(
          JSON.stringify({ ca: pemOf(ca.privateKey), tsa: pemOf(tsa.privateKey) }),
          CONTEXT,
        ),
        created_at: now,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    row = await read();
  }
  if (!row) throw new Error('signing keys could not be stored');
  const sealed = JSON.parse(deps.envelope.openText(row.private_key_enc, CONTEXT)) as {
    ca: string;
    tsa: string;
  };
  const [tsaPem, caPem, rootPem] = row.chain as [string, string, string];
  const caCertificate = new X509Certificate(caPem);
  const ca: CertificateAuthority = {
    certificate: caCertificate,
    pem: caPem,
    privateKey: createPrivateKey(sealed.ca),
    chain: [caPem, rootPem],
    isCa: true,
  };
  return {
    root: new X509Certificate(rootPem),
    ca,
    tsa: {
      certificate: new X509Certificate(tsaPem),
      privateKey: createPrivateKey(sealed.tsa),
      issuers: [caCertificate],
      policy: TSA_POLICY,
    },
    caChain: [caPem, rootPem],
  };
}
