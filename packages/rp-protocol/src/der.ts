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
export const oid = (dotted: string): Asn1 => asn1.create(U, T.OID, false, asn1.oidToDer(dotted).getBytes());
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
  node && node.type === T.OID && typeof node.value === 'string' ? asn1.derToOid(node.value) : undefined;

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
} as const;
