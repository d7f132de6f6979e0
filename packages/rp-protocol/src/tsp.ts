/**
 * RFC 3161 time-stamps: the platform's own time-stamping authority (TSA) for PAdES B-T and
 * CAdES B-T signatures, and the relying party's check of a token.
 *
 * A token is a CMS SignedData (RFC 3161 §2.4.2) over a TSTInfo {version 1, policy, messageImprint
 * (SHA-256), serialNumber, genTime (the server's clock port, whole seconds), accuracy 1 s, nonce
 * when asked}; it carries the TSA certificate and its issuer, and the ESS signing-certificate-v2
 * attribute (RFC 5816). Requests with another hash than SHA-256, or asking for another policy,
 * are refused with the RFC's failure bits.
 */
import { createHash, type KeyObject, sign, type X509Certificate } from 'node:crypto';
import { assembleSignedData, parseSignedData, signedAttributes, verifySignerInfo } from './cms';
import type { Asn1 } from './der';
import * as der from './der';
import { ChainError } from './errors';

export interface TimeStampRequest {
  hashAlgorithm: string;
  hashedMessage: Buffer;
  policy?: string;
  nonce?: Buffer;
  certReq: boolean;
}

/** PKIFailureInfo bits (RFC 3161 §2.4.2). */
export const TSP_FAILURE = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  unacceptedPolicy: 15,
} as const;

export class TimeStampRequestError extends Error {
  constructor(
    message: string,
    readonly failure: keyof typeof TSP_FAILURE,
  ) {
    super(message);
    this.name = 'TimeStampRequestError';
  }
}

/** Parses a TimeStampReq (DER). Throws {@link TimeStampRequestError} with the failure bit to answer. */
export function parseTimeStampRequest(bytes: Uint8Array): TimeStampRequest {
  let fields: Asn1[];
  try {
    fields = der.children(der.fromDer(bytes));
  } catch {
    throw new TimeStampRequestError('not DER', 'badDataFormat');
  }
  const [version, imprint, ...rest] = fields;
  if (der.bufferOf(der.content(version)).readUIntBE(0, 1) !== 1 || !imprint) {
    throw new TimeStampRequestError('version 1 with a message imprint is required', 'badRequest');
  }
  const [algorithm, hashed] = der.children(imprint);
  const hashAlgorithm = der.oidOf(der.children(algorithm)[0]) ?? '';
  const hashedMessage = der.bufferOf(der.content(hashed));
  if (hashAlgorithm !== der.OID.sha256 || hashedMessage.length !== 32) {
    throw new TimeStampRequestError('only SHA-256 message imprints are accepted', 'badAlg');
  }
  const request: TimeStampRequest = { hashAlgorithm, hashedMessage, certReq: false };
  for (const node of rest) {
    if (node.tagClass !== 0) continue; // extensions [0]: none understood, ignored unless critical
    if (node.type === 6) request.policy = der.oidOf(node) ?? '';
    else if (node.type === 2) request.nonce = der.bufferOf(der.content(node));
    else if (node.type === 1) request.certReq = der.content(node) !== '\x00';
  }
  return request;
}

/** A TimeStampReq for a SHA-256 digest (what a relying party or the platform itself sends). */
export function timeStampRequest(
  digest: Uint8Array,
  options: { nonce?: Uint8Array; certReq?: boolean } = {},
) {
  return der.toDer(
    der.seq([
      der.int(1),
      der.seq([der.seq([der.oid(der.OID.sha256)]), der.octets(digest)]),
      ...(options.nonce ? [der.uint(options.nonce)] : []),
      ...(options.certReq ? [der.bool(true)] : []),
    ]),
  );
}

export interface TsaIdentity {
  certificate: X509Certificate;
  privateKey: KeyObject;
  /** The TSA certificate's issuers, up to (not including) the root. */
  issuers: X509Certificate[];
  policy: string;
}

/** A time-stamp token (ContentInfo DER) for `request` at `time`, with the given serial number. */
export function timeStampToken(
  tsa: TsaIdentity,
  request: Pick<TimeStampRequest, 'hashedMessage' | 'nonce' | 'policy'>,
  time: Date,
  serial: Uint8Array,
): Buffer {
  if (request.policy && request.policy !== tsa.policy) {
    throw new TimeStampRequestError(
      'the TSA issues time-stamps under its own policy only',
      'unacceptedPolicy',
    );
  }
  const genTime = new Date(Math.floor(time.getTime() / 1000) * 1000);
  const tstInfo = der.toDer(
    der.seq([
      der.int(1),
      der.oid(tsa.policy),
      der.seq([der.seq([der.oid(der.OID.sha256)]), der.octets(request.hashedMessage)]),
      der.uint(serial),
      der.generalizedTime(genTime),
      der.seq([der.int(1)]), // accuracy: 1 second
      ...(request.nonce ? [der.uint(request.nonce)] : []),
    ]),
  );
  const attributes = signedAttributes({
    contentDigest: createHash('sha256').update(tstInfo).digest(),
    certificate: tsa.certificate,
    contentType: der.OID.tstInfo,
  });
  const signature = sign('sha256', attributes, { key: tsa.privateKey, dsaEncoding: 'der' });
  return assembleSignedData({
    signedAttributes: attributes,
    signature,
    certificates: [tsa.certificate, ...tsa.issuers],
    content: tstInfo,
    contentType: der.OID.tstInfo,
  });
}

/** A TimeStampResp: granted with the token, or rejected with a failure bit (RFC 3161 §2.4.2). */
export function timeStampResponse(
  result: { token: Uint8Array } | { failure: keyof typeof TSP_FAILURE; text: string },
): Buffer {
  if ('token' in result) {
    return der.toDer(der.seq([der.seq([der.int(0)]), der.fromDer(result.token)]));
  }
  const bit = TSP_FAILURE[result.failure];
  const bytes = Buffer.alloc(Math.floor(bit / 8) + 1);
  bytes[bit >> 3] = 0x80 >> (bit & 7);
  const status = der.seq([
    der.int(2), // rejection
    der.seq([der.utf8(result.text)]),
    der.bitString(bytes, bytes.length * 8 - (bit + 1)),
  ]);
  return der.toDer(der.seq([status]));
}

/** The token of a granted TimeStampResp; throws with the TSA's text when it was not granted. */
export function tokenOfResponse(bytes: Uint8Array): Buffer {
  const [status, token] = der.children(der.fromDer(bytes));
  const [code, text] = der.children(status);
  const value = der.bufferOf(der.content(code)).readUIntBE(0, 1);
  if ((value !== 0 && value !== 1) || !token) {
    const message = der
      .children(text)
      .map((t) => der.content(t))
      .join(' ');
    throw new ChainError(`time-stamp refused: ${message || value}`);
  }
  return der.toDer(token);
}

export interface VerifiedTimeStamp {
  time: Date;
  serial: string;
  policy: string;
  tsa: X509Certificate;
  /** Every certificate carried (TSA first), for the caller's chain check. */
  certificates: X509Certificate[];
}

/**
 * Checks a time-stamp token over `digest` (SHA-256): the TSTInfo's imprint, the TSA's signature
 * and its signing-certificate-v2. The chain of `tsa` is the caller's to verify (for the purpose
 * timeStamping, at `time`).
 */
export function verifyTimeStampToken(token: Uint8Array, digest: Uint8Array): VerifiedTimeStamp {
  const parsed = parseSignedData(token);
  if (parsed.contentType !== der.OID.tstInfo || !parsed.content)
    throw new ChainError('not a time-stamp token');
  verifySignerInfo(parsed, { bytes: parsed.content });
  const [, policy, imprint, serial, genTime] = der.children(der.fromDer(parsed.content));
  const [algorithm, hashed] = der.children(imprint);
  if (der.oidOf(der.children(algorithm)[0]) !== der.OID.sha256)
    throw new ChainError('time-stamp is not SHA-256');
  if (!der.bufferOf(der.content(hashed)).equals(Buffer.from(digest))) {
    throw new ChainError('the time-stamp is over other data');
  }
  const time = der.dateOf(genTime);
  if (!time) throw new ChainError('the time-stamp has no time');
  return {
    time,
    serial: der.bufferOf(der.content(serial)).toString('hex'),
    policy: der.oidOf(policy) ?? '',
    tsa: parsed.signer,
    certificates: parsed.certificates,
  };
}
