/**
 * Building X.509 v3 certificates with EC keys, and reading back the extensions Node does not expose.
 *
 * Why: the platform PKI of rp-protocol.md §2.2 (CA, sub-CA and TLS leaves, ecdsa-with-SHA512) and
 * the P-521 token signer of §4.3/§4.4. node:crypto verifies certificates but cannot create them,
 * and `X509Certificate` does not expose key usage, path length or criticality, which the chain
 * check needs (pki-chain.ts). Structures follow RFC 5280; the signature is made by node:crypto.
 * The signature hash follows the issuer's curve (P-256 → SHA-256, P-384 → SHA-384, P-521 →
 * SHA-512), so a P-521 CA signs ecdsa-with-SHA512 as the real CamDX CAs do.
 */
import type { KeyObject } from 'node:crypto';
import { createHash, randomBytes, sign, X509Certificate } from 'node:crypto';
import type { Asn1 } from './der';
import * as der from './der';

export interface NameSpec {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  /** A person's names (citizen signing certificates, ETSI EN 319 412-2 §4.2.4). */
  surname?: string;
  givenName?: string;
  /** The subject's serial number (a citizen's CamDigiKey ID), PrintableString. */
  serialNumber?: string;
}

export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
] as const;
export type KeyUsageName = (typeof KEY_USAGES)[number];

export interface CertificateTemplate {
  subject: Asn1;
  issuer: Asn1;
  publicKey: KeyObject;
  issuerKey: KeyObject;
  /** Subject key identifier of the issuer (authority key identifier of the new certificate). */
  issuerKeyId: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** Present for a CA: basicConstraints cA=TRUE with an optional path length. */
  ca?: { pathLength?: number };
  keyUsage: KeyUsageName[];
  extKeyUsage?: string[];
  /** Marks extended key usage critical (RFC 3161 §2.3: a TSA certificate's timeStamping). */
  extKeyUsageCritical?: boolean;
  /** CRL distribution points (full-name URIs) and the issuer's certificate URL (AIA caIssuers). */
  crlUrls?: string[];
  caIssuersUrls?: string[];
  /** Certificate policy OIDs (non-critical, no qualifiers). */
  policies?: string[];
  sanUris?: string[];
  sanDnsNames?: string[];
  sanIpAddresses?: string[];
  /** The serial number (positive, ≤ 20 bytes); random 128 bits by default. */
  serial?: Uint8Array;
}

/** A positive 128-bit random serial number (RFC 5280 §4.1.2.2). */
export function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  return serial;
}

const CURVES: Record<string, { oid: string; hash: string; sigOid: string }> = {
  prime256v1: { oid: '1.2.840.10045.3.1.7', hash: 'sha256', sigOid: der.OID.ecdsaWithSha256 },
  secp384r1: { oid: '1.3.132.0.34', hash: 'sha384', sigOid: der.OID.ecdsaWithSha384 },
  secp521r1: { oid: '1.3.132.0.35', hash: 'sha512', sigOid: der.OID.ecdsaWithSha512 },
};

function curveOf(key: KeyObject) {
  const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (key.asymmetricKeyType !== 'ec' || !curve) throw new TypeError('keys must be EC P-256, P-384 or P-521');
  return curve;
}

/** RDNs in the conventional C, O, OU, CN order; C as PrintableString, the rest UTF8String (Khmer-safe). */
export function encodeName(name: NameSpec): Asn1 {
  const rdn = (type: string, value: Asn1) => der.set([der.seq([der.oid(type), value])]);
  const rdns: Asn1[] = [];
  if (name.country) rdns.push(rdn(der.OID.country, der.printable(name.country)));
  if (name.organization) rdns.push(rdn(der.OID.organization, der.utf8(name.organization)));
  if (name.organizationalUnit) rdns.push(rdn(der.OID.organizationalUnit, der.utf8(name.organizationalUnit)));
  if (name.surname) rdns.push(rdn(der.OID.surname, der.utf8(name.surname)));
  if (name.givenName) rdns.push(rdn(der.OID.givenName, der.utf8(name.givenName)));
  if (name.serialNumber) rdns.push(rdn(der.OID.serialNumber, der.printable(name.serialNumber)));
  rdns.push(rdn(der.OID.commonName, der.utf8(name.commonName)));
  return der.seq(rdns);
}

/** The EC point of a public key (the subjectPublicKey BIT STRING content). */
function ecPoint(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (!jwk.x || !jwk.y) throw new TypeError('not an EC public key');
  return Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
}

/** SubjectPublicKeyInfo, checked byte for byte against Node's own encoding. */
function spki(publicKey: KeyObject): Asn1 {
  const node = der.seq([
    der.seq([der.oid(der.OID.ecPublicKey), der.oid(curveOf(publicKey).oid)]),
    der.bitString(ecPoint(publicKey)),
  ]);
  if (!der.toDer(node).equals(publicKey.export({ type: 'spki', format: 'der' }))) {
    throw new Error('SubjectPublicKeyInfo encoding mismatch');
  }
  return node;
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(ecPoint(publicKey)).digest();
}

function keyUsageBits(usages: KeyUsageName[]): Asn1 {
  const bits = usages.map((usage) => KEY_USAGES.indexOf(usage));
  const last = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  return der.bitString(bytes, bytes.length * 8 - (last + 1));
}

const extension = (id: string, critical: boolean, value: Asn1): Asn1 =>
  der.seq([der.oid(id), ...(critical ? [der.bool(true)] : []), der.octets(der.toDer(value))]);

function ipBytes(ip: string): Buffer {
  const v4 = ip.split('.');
  if (v4.length === 4) return Buffer.from(v4.map(Number));
  throw new TypeError(`only IPv4 addresses are supported in SAN: ${ip}`);
}

function extensions(t: CertificateTemplate): Asn1[] {
  const list: Asn1[] = [];
  const bc = t.ca
    ? [der.bool(true), ...(t.ca.pathLength === undefined ? [] : [der.int(t.ca.pathLength)])]
    : [];
  list.push(extension(der.OID.basicConstraints, true, der.seq(bc)));
  list.push(extension(der.OID.keyUsage, true, keyUsageBits(t.keyUsage)));
  if (t.extKeyUsage?.length) {
    list.push(
      extension(
        der.OID.extKeyUsage,
        t.extKeyUsageCritical === true,
        der.seq(t.extKeyUsage.map((id) => der.oid(id))),
      ),
    );
  }
  if (t.crlUrls?.length) {
    // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }
    const points = t.crlUrls.map((url) =>
      der.seq([der.explicit(0, der.implicitConstructed(0, [der.implicitPrimitive(6, url)]))]),
    );
    list.push(extension(der.OID.crlDistributionPoints, false, der.seq(points)));
  }
  if (t.caIssuersUrls?.length) {
    const access = t.caIssuersUrls.map((url) =>
      der.seq([der.oid(der.OID.caIssuers), der.implicitPrimitive(6, url)]),
    );
    list.push(extension(der.OID.authorityInfoAccess, false, der.seq(access)));
  }
  if (t.policies?.length) {
    list.push(
      extension(der.OID.certificatePolicies, false, der.seq(t.policies.map((id) => der.seq([der.oid(id)])))),
    );
  }
  const names = [
    ...(t.sanDnsNames ?? []).map((name) => der.implicitPrimitive(2, name)),
    ...(t.sanIpAddresses ?? []).map((ip) => der.implicitPrimitive(7, der.bytesOf(ipBytes(ip)))),
    ...(t.sanUris ?? []).map((uri) => der.implicitPrimitive(6, uri)),
  ];
  if (names.length > 0) list.push(extension(der.OID.subjectAltName, false, der.seq(names)));
  list.push(extension(der.OID.subjectKeyIdentifier, false, der.octets(keyIdentifier(t.publicKey))));
  list.push(
    extension(
      der.OID.authorityKeyIdentifier,
      false,
      der.seq([der.implicitPrimitive(0, der.bytesOf(t.issuerKeyId))]),
    ),
  );
  return list;
}

/** Builds and signs a certificate; the result is parsed back by Node to prove it is well formed. */
export function buildCertificate(t: CertificateTemplate): X509Certificate {
  if (t.issuerKey.type !== 'private') throw new TypeError('the issuer key must be a private key');
  const { hash, sigOid } = curveOf(t.issuerKey);
  const serial = t.serial ? Buffer.from(t.serial) : randomSerial();
  const algorithm = der.seq([der.oid(sigOid)]);
  const tbs = der.seq([
    der.explicit(0, der.int(2)),
    der.uint(serial),
    algorithm,
    t.issuer,
    der.seq([der.time(t.notBefore), der.time(t.notAfter)]),
    t.subject,
    spki(t.publicKey),
    der.explicit(3, der.seq(extensions(t))),
  ]);
  const signature = sign(hash, der.toDer(tbs), { key: t.issuerKey, dsaEncoding: 'der' });
  return new X509Certificate(der.toDer(der.seq([tbs, algorithm, der.bitString(signature)])));
}
