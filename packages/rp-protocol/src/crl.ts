/**
 * Certificate revocation lists (RFC 5280 §5) for the citizen signing CA: a v2 CRL signed by the
 * CA itself, with the authority key identifier and a CRL number, one entry per revoked
 * certificate with its revocation date and reason. The platform builds it on request from the
 * database (a revoked device revokes its certificates), so it is as fresh as its `thisUpdate`.
 */
import { sign, verify, type X509Certificate } from 'node:crypto';
import { certificateInfo } from './cert-info';
import type { Asn1 } from './der';
import * as der from './der';
import { ChainError } from './errors';
import type { CertificateAuthority } from './pki';
import { keyIdentifier } from './x509';

/** RFC 5280 §5.3.1 CRLReason codes used by the platform. */
export const CRL_REASON = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const;
export type CrlReason = keyof typeof CRL_REASON;

export interface RevokedEntry {
  /** Serial number, hex. */
  serial: string;
  revokedAt: Date;
  reason?: CrlReason;
}

export interface CrlInput {
  issuer: CertificateAuthority;
  thisUpdate: Date;
  nextUpdate: Date;
  /** Monotonic CRL number (e.g. seconds of `thisUpdate`). */
  number: number;
  revoked: RevokedEntry[];
}

const extension = (id: string, value: Asn1): Asn1 => der.seq([der.oid(id), der.octets(der.toDer(value))]);

/** Builds and signs the CRL; returns its DER. */
export function buildCrl(input: CrlInput): Buffer {
  const sigOid =
    input.issuer.privateKey.asymmetricKeyDetails?.namedCurve === 'secp521r1'
      ? der.OID.ecdsaWithSha512
      : der.OID.ecdsaWithSha256;
  const hash = sigOid === der.OID.ecdsaWithSha512 ? 'sha512' : 'sha256';
  const algorithm = der.seq([der.oid(sigOid)]);
  // the CRL's issuer is the CA's subject name, byte for byte
  const issuerName = certificateInfo(input.issuer.certificate).subjectName;
  const entries = [...input.revoked]
    .sort((a, b) => a.revokedAt.getTime() - b.revokedAt.getTime())
    .map((entry) =>
      der.seq([
        der.uint(Buffer.from(entry.serial.length % 2 ? `0${entry.serial}` : entry.serial, 'hex')),
        der.time(entry.revokedAt),
        ...(entry.reason && entry.reason !== 'unspecified'
          ? [der.seq([extension(der.OID.crlReason, der.enumerated(CRL_REASON[entry.reason]))])]
          : []),
      ]),
    );
  const tbs = der.seq([
    der.int(1),
    algorithm,
    issuerName,
    der.time(input.thisUpdate),
    der.time(input.nextUpdate),
    ...(entries.length > 0 ? [der.seq(entries)] : []),
    der.explicit(
      0,
      der.seq([
        extension(
          der.OID.authorityKeyIdentifier,
          der.seq([der.implicitPrimitive(0, der.bytesOf(keyIdentifier(input.issuer.certificate.publicKey)))]),
        ),
        extension(der.OID.crlNumber, der.int(input.number)),
      ]),
    ),
  ]);
  const signature = sign(hash, der.toDer(tbs), { key: input.issuer.privateKey, dsaEncoding: 'der' });
  return der.toDer(der.seq([tbs, algorithm, der.bitString(signature)]));
}

export interface ParsedCrl {
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Serial (hex, no leading zeros) → revocation date. */
  revoked: Map<string, Date>;
}

/** Parses a CRL and checks its signature against `issuer`. Throws ChainError. */
export function verifyCrl(bytes: Uint8Array, issuer: X509Certificate): ParsedCrl {
  let root: Asn1;
  try {
    root = der.fromDer(bytes);
  } catch {
    throw new ChainError('the CRL is not DER');
  }
  const [tbs, algorithm, signature] = der.children(root);
  if (!tbs || !signature) throw new ChainError('not a CRL');
  const sigOid = der.oidOf(der.children(algorithm)[0]);
  const hash =
    sigOid === der.OID.ecdsaWithSha512 ? 'sha512' : sigOid === der.OID.ecdsaWithSha384 ? 'sha384' : 'sha256';
  const value = der.bufferOf(der.content(signature)).subarray(1); // after the unused-bits byte
  if (!verify(hash, der.toDer(tbs), { key: issuer.publicKey, dsaEncoding: 'der' }, value)) {
    throw new ChainError('bad CRL signature');
  }
  // version, signature, issuer, thisUpdate, nextUpdate?, revokedCertificates?, [0] extensions?
  const fields = der.children(tbs).filter((f) => f.tagClass === 0);
  const thisUpdate = der.dateOf(fields[3]);
  if (!thisUpdate) throw new ChainError('the CRL has no thisUpdate');
  const maybeNext = der.dateOf(fields[4]);
  const list = fields.slice(4).find((f) => f.type === 16);
  const revoked = new Map<string, Date>();
  for (const entry of der.children(list)) {
    const [serial, date] = der.children(entry);
    const hex = der
      .bufferOf(der.content(serial))
      .toString('hex')
      .replace(/^(00)+(?=.)/, '');
    const when = der.dateOf(date);
    if (when) revoked.set(hex, when);
  }
  return { thisUpdate, ...(maybeNext ? { nextUpdate: maybeNext } : {}), revoked };
}
