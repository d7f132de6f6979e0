/**
 * Reads the parts of an X.509 certificate that node:crypto's `X509Certificate` does not expose:
 * basic constraints with path length, key usage bits, criticality, key identifiers, SAN URIs and
 * the raw subject Name.
 *
 * Why: the chain check of the signer certificate (rp-protocol.md §4.3) and of TLS client
 * certificates (§2.2) must test CA basic constraints and key usage on every link, and the client
 * certificate binds the RP through a SAN URI (pki.ts). Parsing uses node-forge's DER codec only.
 */
import type { X509Certificate } from 'node:crypto';
import type { Asn1 } from './der';
import * as der from './der';
import type { KeyUsageName } from './x509';
import { KEY_USAGES } from './x509';

export interface CertificateInfo {
  /** The subject Name as DER-encodable ASN.1, reused as the issuer of certificates it signs. */
  subjectName: Asn1;
  basicConstraints?: { critical: boolean; ca: boolean; pathLength?: number };
  keyUsage?: { critical: boolean; usages: Set<KeyUsageName> };
  extKeyUsage?: string[];
  subjectAltUris: string[];
  subjectKeyId?: Buffer;
  authorityKeyId?: Buffer;
  /** OIDs of critical extensions this package does not understand (a verifier must reject them). */
  unknownCritical: string[];
}

function readKeyUsage(bits: string): Set<KeyUsageName> {
  const usages = new Set<KeyUsageName>();
  const bytes = der.bufferOf(bits).subarray(1);
  KEY_USAGES.forEach((name, bit) => {
    if (((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0) usages.add(name);
  });
  return usages;
}

function readExtension(info: CertificateInfo, id: string, critical: boolean, value: Asn1): void {
  switch (id) {
    case der.OID.basicConstraints: {
      const [first, second] = der.children(value);
      const ca = first?.type === 1 ? der.content(first) !== '\x00' : false;
      const lengthNode = first?.type === 2 ? first : second;
      const pathLength = lengthNode
        ? Number.parseInt(der.bufferOf(der.content(lengthNode)).toString('hex'), 16)
        : undefined;
      info.basicConstraints = pathLength === undefined ? { critical, ca } : { critical, ca, pathLength };
      return;
    }
    case der.OID.keyUsage:
      info.keyUsage = { critical, usages: readKeyUsage(der.content(value)) };
      return;
    case der.OID.extKeyUsage:
      info.extKeyUsage = der.children(value).map((node) => der.oidOf(node) ?? '');
      return;
    case der.OID.subjectAltName:
      for (const name of der.children(value)) {
        if (name.tagClass === 0x80 && name.type === 6) info.subjectAltUris.push(der.content(name));
      }
      return;
    case der.OID.subjectKeyIdentifier:
      info.subjectKeyId = der.bufferOf(der.content(value));
      return;
    case der.OID.authorityKeyIdentifier: {
      const keyId = der.children(value).find((node) => node.tagClass === 0x80 && node.type === 0);
      if (keyId) info.authorityKeyId = der.bufferOf(der.content(keyId));
      return;
    }
    default:
      if (critical) info.unknownCritical.push(id);
  }
}

/** Parses a certificate's TBS part. Throws when the DER is not a certificate. */
export function certificateInfo(certificate: X509Certificate): CertificateInfo {
  const [tbs] = der.children(der.fromDer(certificate.raw));
  const fields = der.children(tbs);
  const offset = fields[0]?.tagClass === 0x80 && fields[0].type === 0 ? 1 : 0;
  const subjectName = fields[offset + 4];
  if (!subjectName) throw new Error('not an X.509 certificate');
  const info: CertificateInfo = { subjectName, subjectAltUris: [], unknownCritical: [] };
  const seen = new Set<string>();
  const extensions = fields.find((node) => node.tagClass === 0x80 && node.type === 3);
  for (const ext of der.children(der.children(extensions)[0])) {
    const parts = der.children(ext);
    const id = der.oidOf(parts[0]);
    const critical = parts.length === 3 && der.content(parts[1]) !== '\x00';
    const valueNode = parts[parts.length - 1];
    if (!id || !valueNode) throw new Error('malformed extension');
    if (seen.has(id)) throw new Error(`duplicate extension ${id}`);
    seen.add(id);
    readExtension(info, id, critical, der.fromDer(der.bufferOf(der.content(valueNode))));
  }
  return info;
}

/**
 * True when `now` (epoch ms) lies within the certificate's validity window. Node 20 only gives the
 * dates as strings; an unreadable date counts as outside (NaN comparisons would otherwise pass).
 */
export function isWithinValidity(certificate: X509Certificate, now: number): boolean {
  const notBefore = Date.parse(certificate.validFrom);
  const notAfter = Date.parse(certificate.validTo);
  return !Number.isNaN(notBefore) && !Number.isNaN(notAfter) && now >= notBefore && now <= notAfter;
}
