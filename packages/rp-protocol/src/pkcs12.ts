/**
 * The two PKCS#12 files an RP is issued: the TLS keystore and the trust store.
 *
 * Why: rp-protocol.md §2.1 (a keystore holding the client key and certificate, a trust store
 * holding the root CA), §2.2 (dev files: key entry `camdigikey_tls_key` with the full chain leaf,
 * sub-CA, root; trust store with the single root under alias `camdx-rootca`; Java reads them as
 * `PKCS12` via the alias properties, Node passes the keystore as `{pfx, passphrase}` and trusts
 * CA certificates bundled in it) and §10 (Node v3 reads the trust store's first certificate bag
 * with node-forge and verifies its MAC with the password; the keystore must carry the root).
 *
 * Format choices, for the widest reach (older Java 8 updates cannot read the OpenSSL 3 default of
 * PBES2/AES with an HMAC-SHA256 MAC; OpenSSL 3 without the legacy provider cannot read the RC2-40
 * certificate encryption older Java wrote):
 * - key bag: pkcs8ShroudedKeyBag with pbeWithSHAAnd3-KeyTripleDES-CBC; certificate bags in clear
 *   (they are public); MAC HMAC-SHA1 with the PKCS#12 key derivation; 10 000 iterations, 8-byte salts.
 * - one password for the file and the key (Java's KeyManagerFactory uses one password); it must be
 *   non-empty printable ASCII so that OpenSSL's UTF-8 conversion, Java's char[] and forge's
 *   UTF-16 agree on the BMPString bytes.
 * - default aliases are those of the dev files, so existing Java configuration keeps working.
 * - trust store certificate bags carry Oracle's trusted-key-usage attribute, without which Java
 *   does not list a bare certificate as a trusted entry.
 */
import type { KeyObject } from 'node:crypto';
import { createHmac, createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import type { Asn1 } from './der';
import * as der from './der';

export const DEFAULT_KEY_ALIAS = 'camdigikey_tls_key';
export const DEFAULT_TRUSTED_ROOT_ALIAS = 'camdx-rootca';
const ITERATIONS = 10_000;

type CertificateInput = string | X509Certificate;
const asX509 = (input: CertificateInput) =>
  input instanceof X509Certificate ? input : new X509Certificate(input);

function checkPassword(password: string): void {
  if (!/^[\x20-\x7e]+$/.test(password)) {
    throw new RangeError('the PKCS#12 password must be non-empty printable ASCII');
  }
}

const attribute = (id: string, value: Asn1) => der.seq([der.oid(id), der.set([value])]);

function certBag(certificate: X509Certificate, attributes: Asn1[]): Asn1 {
  const value = der.seq([der.oid(der.OID.x509Certificate), der.explicit(0, der.octets(certificate.raw))]);
  return der.seq([
    der.oid(der.OID.certBag),
    der.explicit(0, value),
    ...(attributes.length ? [der.set(attributes)] : []),
  ]);
}

function keyBag(key: KeyObject, password: string, attributes: Asn1[]): Asn1 {
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  const info = der.fromDer(pkcs8);
  if (!der.toDer(info).equals(pkcs8)) throw new Error('PrivateKeyInfo did not round-trip');
  const encrypted = forge.pki.encryptPrivateKeyInfo(info, password, {
    algorithm: '3des',
    count: ITERATIONS,
    saltSize: 8,
  });
  return der.seq([der.oid(der.OID.pkcs8ShroudedKeyBag), der.explicit(0, encrypted), der.set(attributes)]);
}

/** ContentInfo of type data holding SafeContents (unencrypted container; the key bag is shrouded). */
const dataContent = (bags: Asn1[]) =>
  der.seq([der.oid(der.OID.data), der.explicit(0, der.octets(der.toDer(der.seq(bags))))]);

/** PFX v3 with an HMAC-SHA1 MacData over the AuthenticatedSafe. */
function pfx(contents: Asn1[], password: string): Buffer {
  const authSafe = der.toDer(der.seq(contents));
  const salt = randomBytes(8);
  const macKey = forge.pkcs12.generateKey(
    password,
    forge.util.createBuffer(der.bytesOf(salt)),
    3,
    ITERATIONS,
    20,
  );
  const mac = createHmac('sha1', der.bufferOf(macKey.getBytes())).update(authSafe).digest();
  const macData = der.seq([
    der.seq([der.seq([der.oid(der.OID.sha1), der.nul()]), der.octets(mac)]),
    der.octets(salt),
    der.int(ITERATIONS),
  ]);
  return der.toDer(
    der.seq([der.int(3), der.seq([der.oid(der.OID.data), der.explicit(0, der.octets(authSafe))]), macData]),
  );
}

/**
 * The RP's TLS keystore: the private key entry `alias` with the client certificate and its CA
 * chain (issuers up to and including the root; the leaf may be repeated first, it is skipped).
 */
export function keystoreP12(
  clientCert: CertificateInput,
  clientKey: KeyObject,
  chain: readonly CertificateInput[],
  password: string,
  options: { alias?: string } = {},
): Buffer {
  checkPassword(password);
  const leaf = asX509(clientCert);
  const key = clientKey.type === 'private' ? clientKey : undefined;
  if (!key || !leaf.checkPrivateKey(key)) {
    throw new TypeError('clientKey is not the private key of clientCert');
  }
  const cas = chain.map(asX509).filter((certificate) => !certificate.raw.equals(leaf.raw));
  const localKeyId = leaf.fingerprint.replace(/:/g, '').toLowerCase();
  const attributes = [
    attribute(der.OID.friendlyName, der.bmp(options.alias ?? DEFAULT_KEY_ALIAS)),
    attribute(der.OID.localKeyId, der.octets(Buffer.from(localKeyId, 'hex'))),
  ];
  return pfx(
    [
      dataContent([certBag(leaf, attributes), ...cas.map((ca) => certBag(ca, []))]),
      dataContent([keyBag(key, password, attributes)]),
    ],
    password,
  );
}

/** The RP's trust store: the root certificate alone, as a trusted entry named `alias`. */
export function truststoreP12(
  root: CertificateInput,
  password: string,
  options: { alias?: string } = {},
): Buffer {
  checkPassword(password);
  const attributes = [
    attribute(der.OID.friendlyName, der.bmp(options.alias ?? DEFAULT_TRUSTED_ROOT_ALIAS)),
    attribute(der.OID.javaTrustedKeyUsage, der.oid(der.OID.anyExtendedKeyUsage)),
  ];
  return pfx([dataContent([certBag(asX509(root), attributes)])], password);
}

/** File names in the style of the dev files (§2.2): `<prefix>_tls_client_keystore.p12` etc. */
export function p12FileNames(prefix: string): { keystore: string; truststore: string } {
  return { keystore: `${prefix}_tls_client_keystore.p12`, truststore: `${prefix}_tls_client_truststore.p12` };
}

export interface Pkcs12Entry {
  friendlyName: string | undefined;
  certificate?: X509Certificate;
  privateKey?: KeyObject;
}

/**
 * Reads a PKCS#12 file with node-forge, the parser the official Node library bundles (§10);
 * throws "PKCS#12 MAC could not be verified. Invalid password?" on a wrong password.
 */
export function readPkcs12(p12: Uint8Array, password: string): Pkcs12Entry[] {
  const parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.bytesOf(p12)), true, password);
  const entries: Pkcs12Entry[] = [];
  for (const contents of parsed.safeContents) {
    for (const bag of contents.safeBags) {
      const names: unknown = bag.attributes?.friendlyName;
      const friendlyName = Array.isArray(names) && typeof names[0] === 'string' ? names[0] : undefined;
      const raw = der.bufferOf(forge.asn1.toDer(bag.asn1).getBytes());
      if (bag.type === der.OID.certBag) entries.push({ friendlyName, certificate: new X509Certificate(raw) });
      else
        entries.push({
          friendlyName,
          privateKey: createPrivateKey({ key: raw, format: 'der', type: 'pkcs8' }),
        });
    }
  }
  return entries;
}
