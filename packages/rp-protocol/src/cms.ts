/**
 * CMS SignedData (RFC 5652) for citizens' signatures, in the CAdES baseline shape that PAdES uses
 * (ETSI EN 319 122-1 B-B / B-T): one signer identified by issuer and serial number, SHA-256,
 * ECDSA, signed attributes content-type, message-digest, ESS signing-certificate-v2 (RFC 5035)
 * and, for a statement, signing-time; for B-T an unsigned signature-time-stamp (RFC 3161 token
 * over the signature value).
 *
 * Why built here: the private key is on the citizen's phone, so signing is split in two: the
 * server builds the signed attributes (the exact bytes the phone signs), the phone signs them
 * with its WebCrypto key (IEEE P1363 r‖s), and the server assembles the SignedData around that
 * signature. Structures are assembled with the package's DER helpers (node-forge's codec, as the
 * rest of the PKI, ADR 0009); signatures are checked by node:crypto. openssl (`cms -verify`,
 * `ts -verify`) and poppler's pdfsig check the output in the tests.
 */
import { createHash, type KeyObject, verify, X509Certificate } from 'node:crypto';
import type { Asn1 } from './der';
import * as der from './der';
import { ChainError } from './errors';

/** SET OF in DER: members sorted by their encodings (X.690 §11.6). */
function derSet(items: Asn1[]): Asn1 {
  const encoded = items.map((item) => ({ item, bytes: der.toDer(item) }));
  encoded.sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  return der.set(encoded.map((e) => e.item));
}

const attribute = (type: string, value: Asn1): Asn1 => der.seq([der.oid(type), der.set([value])]);
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();
const algorithm = (id: string) => der.seq([der.oid(id)]);

/** The issuer Name and the serial number of a certificate, as ASN.1 nodes of its own encoding. */
export function issuerAndSerialOf(certificate: X509Certificate): { issuer: Asn1; serial: Asn1 } {
  const [tbs] = der.children(der.fromDer(certificate.raw));
  const fields = der.children(tbs);
  const offset = fields[0]?.tagClass === 0x80 && fields[0].type === 0 ? 1 : 0;
  const serial = fields[offset];
  const issuer = fields[offset + 2];
  if (!serial || !issuer) throw new Error('not an X.509 certificate');
  return { issuer, serial };
}

/** The serial number of a certificate as lowercase hex without leading zero bytes. */
export function serialHexOf(certificate: X509Certificate): string {
  return certificate.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, '');
}

export interface SignedAttributesInput {
  /** SHA-256 of the signed content (the statement's bytes, or a PDF's byte ranges). */
  contentDigest: Uint8Array;
  /** The signer's certificate (its hash and issuer/serial go into signing-certificate-v2). */
  certificate: X509Certificate;
  /** The signing-time attribute; PAdES forbids it (the time is the PDF's /M), a statement has it. */
  signingTime?: Date;
  /** The content type (id-data unless told). */
  contentType?: string;
}

/**
 * The DER of the signed attributes as a SET (tag 0x31): exactly the bytes the signer's key signs
 * (RFC 5652 §5.4). In the SignerInfo the same bytes appear with the tag [0] IMPLICIT (0xa0).
 */
export function signedAttributes(input: SignedAttributesInput): Buffer {
  if (input.contentDigest.length !== 32) throw new RangeError('the content digest must be SHA-256');
  const { issuer, serial } = issuerAndSerialOf(input.certificate);
  const essCertIdV2 = der.seq([
    // hashAlgorithm DEFAULT sha256: absent (DER omits defaults)
    der.octets(sha256(input.certificate.raw)),
    der.seq([der.seq([der.explicit(4, issuer)]), serial]),
  ]);
  const attributes = [
    attribute(der.OID.contentType, der.oid(input.contentType ?? der.OID.data)),
    attribute(der.OID.messageDigest, der.octets(input.contentDigest)),
    attribute(der.OID.signingCertificateV2, der.seq([der.seq([essCertIdV2])])),
    ...(input.signingTime ? [attribute(der.OID.signingTime, der.time(input.signingTime))] : []),
  ];
  return der.toDer(derSet(attributes));
}

/** An ECDSA signature as DER `ECDSA-Sig-Value`, from WebCrypto's IEEE P1363 `r‖s` form. */
export function ecdsaDerFromP1363(signature: Uint8Array): Buffer {
  if (signature.length === 0 || signature.length % 2 !== 0) throw new RangeError('bad P1363 signature');
  const half = signature.length / 2;
  return der.toDer(der.seq([der.uint(signature.subarray(0, half)), der.uint(signature.subarray(half))]));
}

/** True when `signature` (DER or P1363) is `key`'s ECDSA-SHA256 signature over `data`. */
export function verifyEcdsaSha256(
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
  encoding: 'der' | 'ieee-p1363',
): boolean {
  try {
    return verify('sha256', data, { key, dsaEncoding: encoding }, signature);
  } catch {
    return false;
  }
}

export interface AssembleInput {
  /** The signed attributes exactly as signed (tag 0x31), see {@link signedAttributes}. */
  signedAttributes: Uint8Array;
  /** The signature over them, DER `ECDSA-Sig-Value`. */
  signature: Uint8Array;
  /** The signer's certificate first, then its issuers (the root may be left out). */
  certificates: X509Certificate[];
  /** The signature algorithm (ecdsa-with-SHA256 for P-256 keys). */
  signatureAlgorithm?: string;
  /** Encapsulated content (attached signature); detached when absent. */
  content?: Uint8Array;
  contentType?: string;
  /** Unsigned attributes, e.g. a signature time-stamp (already-built Attribute nodes). */
  unsignedAttributes?: Asn1[];
}

function signerInfo(input: AssembleInput): Asn1 {
  const [signer] = input.certificates;
  if (!signer) throw new RangeError('the signer certificate is missing');
  const { issuer, serial } = issuerAndSerialOf(signer);
  const signed = der.fromDer(der.retag(input.signedAttributes, 0xa0));
  return der.seq([
    der.int(1),
    der.seq([issuer, serial]),
    algorithm(der.OID.sha256),
    signed,
    algorithm(input.signatureAlgorithm ?? der.OID.ecdsaWithSha256),
    der.octets(input.signature),
    ...(input.unsignedAttributes?.length ? [der.implicitConstructed(1, input.unsignedAttributes)] : []),
  ]);
}

/** A ContentInfo with SignedData around one signer (RFC 5652 §5), as DER. */
export function assembleSignedData(input: AssembleInput): Buffer {
  const contentType = input.contentType ?? der.OID.data;
  const encapsulated = der.seq([
    der.oid(contentType),
    ...(input.content ? [der.explicit(0, der.octets(input.content))] : []),
  ]);
  const signedData = der.seq([
    // v3 when the content is not id-data (RFC 5652 §5.1), v1 otherwise
    der.int(contentType === der.OID.data ? 1 : 3),
    der.set([algorithm(der.OID.sha256)]),
    encapsulated,
    der.implicitConstructed(
      0,
      input.certificates.map((c) => der.fromDer(c.raw)),
    ),
    der.set([signerInfo(input)]),
  ]);
  return der.toDer(der.seq([der.oid(der.OID.signedData), der.explicit(0, signedData)]));
}

/** Adds unsigned attributes (e.g. a time-stamp) to the one signer of a SignedData. */
export function withUnsignedAttributes(contentInfo: Uint8Array, attributes: Asn1[]): Buffer {
  const parsed = parseSignedData(contentInfo);
  return assembleSignedData({
    signedAttributes: parsed.signedAttributes,
    signature: parsed.signature,
    certificates: parsed.certificates,
    signatureAlgorithm: parsed.signatureAlgorithm,
    ...(parsed.content ? { content: parsed.content } : {}),
    contentType: parsed.contentType,
    unsignedAttributes: [...parsed.unsignedAttributes, ...attributes],
  });
}

export interface ParsedSignedData {
  contentType: string;
  content?: Buffer;
  certificates: X509Certificate[];
  /** The signer's certificate (matched by issuer and serial number). */
  signer: X509Certificate;
  /** The signed attributes re-tagged as SET (0x31): the bytes the signature covers. */
  signedAttributes: Buffer;
  signatureAlgorithm: string;
  signature: Buffer;
  /** Attribute type → first value node. */
  signed: Map<string, Asn1>;
  unsignedAttributes: Asn1[];
}

const fail = (message: string): never => {
  throw new ChainError(message);
};

function attributesOf(node: Asn1 | undefined): Map<string, Asn1> {
  const map = new Map<string, Asn1>();
  for (const attr of der.children(node)) {
    const [type, values] = der.children(attr);
    const id = der.oidOf(type);
    const [first, ...more] = der.children(values);
    if (!id || !first || more.length > 0 || map.has(id)) fail('malformed attribute');
    map.set(id as string, first as Asn1);
  }
  return map;
}

/** Parses a ContentInfo with SignedData and exactly one signer. Throws ChainError on anything else. */
export function parseSignedData(bytes: Uint8Array): ParsedSignedData {
  let root: Asn1;
  try {
    root = der.fromDer(bytes);
  } catch {
    return fail('not DER');
  }
  const [type, wrapped] = der.children(root);
  if (der.oidOf(type) !== der.OID.signedData) fail('not a SignedData');
  const fields = der.children(der.children(wrapped)[0]);
  const encapsulated = fields[2];
  const [eType, eContent] = der.children(encapsulated);
  const contentType = der.oidOf(eType) ?? fail('no content type');
  const contentNode = der.children(eContent)[0];
  const certificatesNode = fields.find((f) => f.tagClass === 0x80 && f.type === 0);
  const certificates = der.children(certificatesNode).map((node) => new X509Certificate(der.toDer(node)));
  const infos = der.children(fields[fields.length - 1]);
  if (infos.length !== 1) fail('exactly one signer is expected');
  const info = der.children(infos[0]);
  const [, sid, , signedNode, sigAlg, sigValue, unsignedNode] = info;
  const [sidIssuer, sidSerial] = der.children(sid);
  const wantedIssuer = sidIssuer ? der.toDer(sidIssuer) : Buffer.alloc(0);
  const wantedSerial = sidSerial ? der.toDer(sidSerial) : Buffer.alloc(0);
  const signer = certificates.find((certificate) => {
    const { issuer, serial } = issuerAndSerialOf(certificate);
    return der.toDer(issuer).equals(wantedIssuer) && der.toDer(serial).equals(wantedSerial);
  });
  if (!signer) return fail("the signer's certificate is not in the SignedData");
  if (signedNode?.tagClass !== 0x80 || signedNode.type !== 0) fail('no signed attributes');
  const signedAttributes = der.retag(der.toDer(signedNode as Asn1), 0x31);
  return {
    contentType: contentType as string,
    ...(contentNode ? { content: der.bufferOf(der.content(contentNode)) } : {}),
    certificates,
    signer,
    signedAttributes,
    signatureAlgorithm: der.oidOf(der.children(sigAlg)[0]) ?? fail('no signature algorithm'),
    signature: der.bufferOf(der.content(sigValue)),
    signed: attributesOf(der.fromDer(signedAttributes)),
    unsignedAttributes:
      unsignedNode && unsignedNode.tagClass === 0x80 && unsignedNode.type === 1
        ? der.children(unsignedNode)
        : [],
  };
}

export interface VerifiedSignerInfo {
  signer: X509Certificate;
  signingTime?: Date;
  messageDigest: Buffer;
}

/**
 * Checks the one SignerInfo of a parsed SignedData against `content` (or its SHA-256): content
 * type and message digest attributes, the signing-certificate-v2 hash of the signer's certificate,
 * and the ECDSA signature over the signed attributes with the signer's key. Chain and validity are
 * the caller's (verifyChain), because the time to judge them at depends on what is verified.
 */
export function verifySignerInfo(
  parsed: ParsedSignedData,
  content: { bytes?: Uint8Array; sha256?: Uint8Array },
): VerifiedSignerInfo {
  const contentType = der.oidOf(parsed.signed.get(der.OID.contentType));
  if (contentType !== parsed.contentType) fail('content-type attribute does not match the content');
  const digestNode = parsed.signed.get(der.OID.messageDigest);
  const messageDigest = der.bufferOf(der.content(digestNode));
  const expected = content.sha256
    ? Buffer.from(content.sha256)
    : sha256(content.bytes ?? parsed.content ?? fail('no content to check'));
  if (!messageDigest.equals(expected)) fail('message digest does not match the content');
  const ess = parsed.signed.get(der.OID.signingCertificateV2) ?? fail('no signing-certificate-v2');
  const firstId = der.children(der.children(ess)[0])[0];
  const idFields = der.children(firstId);
  let hashNode = idFields[0];
  if (hashNode?.constructed) {
    // an explicit hashAlgorithm: only SHA-256 is accepted
    if (der.oidOf(der.children(hashNode)[0]) !== der.OID.sha256) fail('only SHA-256 certificate hashes');
    hashNode = idFields[1];
  }
  if (!der.bufferOf(der.content(hashNode)).equals(sha256(parsed.signer.raw))) {
    fail('signing-certificate-v2 does not name the signer certificate');
  }
  const algorithmOk =
    parsed.signatureAlgorithm === der.OID.ecdsaWithSha256 ||
    parsed.signatureAlgorithm === der.OID.ecPublicKey;
  if (!algorithmOk) fail('unexpected signature algorithm');
  if (!verifyEcdsaSha256(parsed.signer.publicKey, parsed.signedAttributes, parsed.signature, 'der')) {
    fail('bad signature');
  }
  const timeNode = parsed.signed.get(der.OID.signingTime);
  const signingTime = timeNode ? der.dateOf(timeNode) : undefined;
  return { signer: parsed.signer, messageDigest, ...(signingTime ? { signingTime } : {}) };
}

/** The value of the (single) unsigned signature-time-stamp attribute, if any: a token's DER. */
export function signatureTimeStampOf(parsed: ParsedSignedData): Buffer | undefined {
  for (const attr of parsed.unsignedAttributes) {
    const [type, values] = der.children(attr);
    if (der.oidOf(type) === der.OID.signatureTimeStampToken) {
      const [token] = der.children(values);
      return token ? der.toDer(token) : undefined;
    }
  }
  return undefined;
}

/** An unsigned attribute carrying a time-stamp token over the signature (CAdES B-T). */
export function signatureTimeStampAttribute(token: Uint8Array): Asn1 {
  return attribute(der.OID.signatureTimeStampToken, der.fromDer(token));
}
