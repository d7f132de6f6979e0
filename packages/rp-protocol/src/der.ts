/**
 * Minimal DER building and reading on top of node-forge's ASN.1 codec.
 *
 * Why: the platform PKI (rp-protocol.md §2.1, §2.2, §4.3) needs X.509 certificates with EC keys and
 * PKCS#12 files, which node:crypto cannot build and node-forge's high-level API only builds for RSA.
 * So certificates and PKCS#12 structures are assembled here from forge's ASN.1 primitives, while
 * keys, signatures and certificate checks stay with node:crypto. forge's ASN.1 API works on binary
 * strings; these helpers convert at the edges so the rest of the package sees Buffers.
 */
import forge from 'node-forge';

export type Asn1 = forge.asn1.Asn1;
const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;

export const bytesOf = (buffer: Uint8Array): string => Buffer.from(buffer).toString('binary');
export const bufferOf = (bytes: string): Buffer => Buffer.from(bytes, 'binary');

export const seq = (items: Asn1[]): Asn1 => asn1.create(U, T.SEQUENCE, true, items);
export const set = (items: Asn1[]): Asn1 => asn1.create(U, T.SET, true, items);
/** OBJECT IDENTIFIER content bytes; arcs of any size (UUID arcs under 2.25 exceed 32 bits). */
export function oidBytes(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => BigInt(arc));
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2n) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const groups: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) groups.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...groups);
  }
  return Buffer.from(out);
}
function dottedOf(bytes: Buffer): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of bytes) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const [head = 0n, ...rest] = arcs;
  const first = head < 80n ? head / 40n : 2n;
  return [first, head - first * 40n, ...rest].join('.');
}
export const oid = (dotted: string): Asn1 => asn1.create(U, T.OID, false, bytesOf(oidBytes(dotted)));
export const nul = (): Asn1 => asn1.create(U, T.NULL, false, '');
export const bool = (value: boolean): Asn1 => asn1.create(U, T.BOOLEAN, false, value ? '\xff' : '\x00');
export const octets = (value: Uint8Array | string): Asn1 =>
  asn1.create(U, T.OCTETSTRING, false, typeof value === 'string' ? value : bytesOf(value));
export const utf8 = (text: string): Asn1 => asn1.create(U, T.UTF8, false, forge.util.encodeUtf8(text));
export const printable = (text: string): Asn1 => asn1.create(U, T.PRINTABLESTRING, false, text);
/** BMPString; forge's encoder writes the UTF-16 code units itself. */
export const bmp = (text: string): Asn1 => asn1.create(U, T.BMPSTRING, false, text);
/** A BIT STRING whose content bytes are `unusedBits` followed by `bytes`. */
export const bitString = (bytes: Uint8Array, unusedBits = 0): Asn1 =>
  asn1.create(U, T.BITSTRING, false, String.fromCharCode(unusedBits) + bytesOf(bytes));
/** A non-negative INTEGER from big-endian bytes (a leading zero is added when needed). */
export const uint = (bytes: Uint8Array): Asn1 => {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  const body = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.of(0), trimmed]) : Buffer.from(trimmed);
  return asn1.create(U, T.INTEGER, false, bytesOf(body));
};
export const int = (value: number): Asn1 =>
  asn1.create(U, T.INTEGER, false, asn1.integerToDer(value).getBytes());
/** `[n] EXPLICIT` */
export const explicit = (tag: number, inner: Asn1): Asn1 =>
  asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, [inner]);
/** `[n] IMPLICIT` primitive with raw content bytes (e.g. GeneralName uniformResourceIdentifier). */
export const implicitPrimitive = (tag: number, bytes: string): Asn1 =>
  asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, false, bytes);
/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export const time = (date: Date): Asn1 =>
  date.getUTCFullYear() < 2050
    ? asn1.create(U, T.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(U, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));

export const toDer = (node: Asn1): Buffer => bufferOf(asn1.toDer(node).getBytes());

type FromDer = (
  bytes: string,
  options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean },
) => Asn1;
/** Parses DER strictly, all bytes, without guessing at BIT STRING contents. Throws on bad input. */
export const fromDer = (der: Uint8Array): Asn1 =>
  (asn1.fromDer as unknown as FromDer)(bytesOf(der), {
    strict: true,
    parseAllBytes: true,
    decodeBitStrings: false,
  });

/** The children of a constructed node (empty for a primitive one). */
export const children = (node: Asn1 | undefined): Asn1[] =>
  node && Array.isArray(node.value) ? node.value : [];
/** The content bytes of a primitive node ('' for a constructed one). */
export const content = (node: Asn1 | undefined): string =>
  node && typeof node.value === 'string' ? node.value : '';
export const oidOf = (node: Asn1 | undefined): string | undefined =>
  node && node.type === T.OID && typeof node.value === 'string' ? dottedOf(bufferOf(node.value)) : undefined;

export const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  data: '1.2.840.113549.1.7.1',
  sha1: '1.3.14.3.2.26',
  certBag: '1.2.840.113549.1.12.10.1.3',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  /** Oracle's "trusted key usage" bag attribute: Java only loads bare certificates that carry it. */
  javaTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  // --- citizen signatures (issue 17): names, certificate extensions, CMS, RFC 3161, CRL ---
  serialNumber: '2.5.4.5',
  surname: '2.5.4.4',
  givenName: '2.5.4.42',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  sha256: '2.16.840.1.101.3.4.2.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
} as const;

/** GeneralizedTime (RFC 3161 genTime, CRL dates from 2050), seconds precision, UTC. */
export const generalizedTime = (date: Date): Asn1 =>
  asn1.create(U, T.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
/** Reads a UTCTime or GeneralizedTime node. */
export const dateOf = (node: Asn1 | undefined): Date | undefined => {
  if (!node || typeof node.value !== 'string') return undefined;
  if (node.type === T.UTCTIME) return asn1.utcTimeToDate(node.value);
  if (node.type === T.GENERALIZEDTIME) return asn1.generalizedTimeToDate(node.value);
  return undefined;
};
/** `[n] IMPLICIT` constructed (e.g. CMS `certificates [0]`, `signedAttrs [0]`). */
export const implicitConstructed = (tag: number, items: Asn1[]): Asn1 =>
  asn1.create(asn1.Class.CONTEXT_SPECIFIC, tag, true, items);
/** An ENUMERATED with a small value (CRL reason codes). */
export const enumerated = (value: number): Asn1 =>
  asn1.create(U, T.ENUMERATED, false, String.fromCharCode(value));
/** The DER of a node re-encoded with another outer tag byte (e.g. `[0] IMPLICIT SET` → `SET`). */
export const retag = (der: Uint8Array, tagByte: number): Buffer => {
  const copy = Buffer.from(der);
  copy[0] = tagByte;
  return copy;
};
