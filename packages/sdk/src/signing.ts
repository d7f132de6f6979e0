/**
 * "Sign with CamDigiKey" for relying parties (issue 17): check a citizen's signature offline, and
 * sign PDFs (PAdES B-B, or B-T with the platform TSA's time-stamp) without sending the document.
 *
 *  - {@link verifySignature}: the result of a signature request (CIBA `authorization_details`, or
 *    the client API's `sign/status`) checked against your trust store's root: the statement's exact
 *    bytes, the CMS signature by the citizen's certificate, the chain (citizen CA → root) at the
 *    signing time, the signer's CamDigiKey ID, the time-stamp, and what you expect it to say.
 *  - {@link preparePdf} → send `byteRangeSha256` with the request (document.pades) → the citizen
 *    signs → {@link embedPadesSignature} with the result's `padesSignature`: a PDF that Acrobat,
 *    poppler's `pdfsig` and this SDK ({@link verifyPdfSignatures}) validate. Repeat for the next
 *    signer: each signature is an incremental update, so earlier ones stay valid.
 *
 * Revocation: the certificates name the CA's CRL (`…/pki/citizen-ca.crl`); fetch it when you need
 * the current status (`checkRevocation`), and keep it with the signature for later proof.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { canonicalJson, type SignStatement } from '@camdigikey/contracts/signing';
import {
  ChainError,
  parseSignedData,
  serialHexOf,
  signatureTimeStampOf,
  verifyChain,
  verifyCrl,
  verifySignerInfo,
  verifyTimeStampToken,
} from '@camdigikey/rp-protocol';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';

/** The signature part of a result (`sign/status` data, or a CIBA detail's `signature`). */
export interface SignatureResult {
  id: string;
  state: string;
  statement?: SignStatement;
  /** base64 of the statement's canonical bytes (optional: recomputed from `statement`). */
  statementBytes?: string;
  /** base64 DER CMS SignedData, detached over the statement's bytes. */
  signature?: string;
  /** base64 DER CMS for the PDF (PAdES), when a document with `pades` was signed. */
  padesSignature?: string;
}

export interface VerifiedSignature {
  statement: SignStatement;
  signer: { camdigikeyId: string; name: string; certificate: X509Certificate };
  /** The signing time the citizen's phone signed (the platform's clock, in the statement). */
  signedAt: Date;
  /** The platform TSA's time-stamp over the signature (B-T), when present. */
  timestamp?: { time: Date; tsa: X509Certificate };
}

export interface VerifyOptions {
  /** Your trust store's root (PEM or certificate). Never the one that came with the result. */
  trustedRoot: string | X509Certificate;
  /** What the signature must be about; every given field is compared. */
  expected?: {
    clientId?: string;
    text?: { km?: string; en?: string };
    documentSha256?: string;
    verificationCode?: string;
    id?: string;
  };
  /** Largest gap between the signing time and the time-stamp (default 10 minutes). */
  maxTimestampDelaySeconds?: number;
}

const fail = (message: string): never => {
  throw new ChainError(message);
};
const subjectField = (certificate: X509Certificate, field: string) =>
  certificate.subject
    .split('\n')
    .find((line) => line.startsWith(`${field}=`))
    ?.slice(field.length + 1);

function checkTimestamp(
  parsed: ReturnType<typeof parseSignedData>,
  root: X509Certificate | string,
  signedAt: Date,
  maxDelaySeconds: number,
) {
  const token = signatureTimeStampOf(parsed);
  if (!token) return undefined;
  const stamp = verifyTimeStampToken(token, createHash('sha256').update(parsed.signature).digest());
  verifyChain([stamp.tsa, ...stamp.certificates.filter((c) => !c.raw.equals(stamp.tsa.raw)), root], root, {
    now: stamp.time,
    purpose: 'timeStamping',
  });
  const delay = (stamp.time.getTime() - signedAt.getTime()) / 1000;
  if (delay < -5 || delay > maxDelaySeconds) fail('the time-stamp is too far from the signing time');
  return { time: stamp.time, tsa: stamp.tsa };
}

function rootOf(trusted: string | X509Certificate): X509Certificate {
  return trusted instanceof X509Certificate ? trusted : new X509Certificate(trusted);
}

/** Verifies a signature request's result offline. Throws ChainError on anything wrong. */
export function verifySignature(result: SignatureResult, options: VerifyOptions): VerifiedSignature {
  if (result.state !== 'signed' || !result.statement || !result.signature)
    fail(`the request is ${result.state}`);
  const statement = result.statement as SignStatement;
  const bytes = Buffer.from(canonicalJson(statement), 'utf8');
  if (result.statementBytes && !Buffer.from(result.statementBytes, 'base64').equals(bytes)) {
    fail('the statement bytes are not the canonical form of the statement');
  }
  const parsed = parseSignedData(Buffer.from(result.signature as string, 'base64'));
  const verified = verifySignerInfo(parsed, { bytes });
  const signedAt = verified.signingTime ?? fail('the signature has no signing time');
  if (signedAt.getTime() !== Date.parse(statement.time)) fail('the signing time is not the statement time');
  const root = rootOf(options.trustedRoot);
  const issuers = parsed.certificates.filter(
    (c) => !c.raw.equals(verified.signer.raw) && !c.raw.equals(root.raw),
  );
  verifyChain([verified.signer, ...issuers, root], root, { now: signedAt, purpose: 'documentSigning' });
  const camdigikeyId = subjectField(verified.signer, 'serialNumber');
  if (camdigikeyId !== statement.signer.camdigikeyId)
    fail('the certificate is not the signer named in the statement');
  const timestamp = checkTimestamp(parsed, root, signedAt, options.maxTimestampDelaySeconds ?? 600);

  const expected = options.expected ?? {};
  if (expected.id !== undefined && expected.id !== statement.id) fail('another request');
  if (expected.clientId !== undefined && expected.clientId !== statement.relyingParty.clientId) {
    fail('signed for another relying party');
  }
  if (expected.text && canonicalJson(expected.text) !== canonicalJson(statement.text)) fail('another text');
  if (expected.documentSha256 !== undefined && expected.documentSha256 !== statement.document?.sha256) {
    fail('another document');
  }
  if (expected.verificationCode !== undefined && expected.verificationCode !== statement.verificationCode) {
    fail('another verification code');
  }
  return {
    statement,
    signer: {
      camdigikeyId: camdigikeyId as string,
      name: subjectField(verified.signer, 'CN') ?? '',
      certificate: verified.signer,
    },
    signedAt,
    ...(timestamp ? { timestamp } : {}),
  };
}

/** Whether the signer's certificate is listed in a CRL (DER) the CA signed; throws if the CRL is bad. */
export function checkRevocation(
  certificate: X509Certificate,
  crl: Uint8Array,
  issuer: X509Certificate,
): { revoked: false } | { revoked: true; at: Date } {
  const parsed = verifyCrl(crl, issuer);
  const at = parsed.revoked.get(serialHexOf(certificate));
  return at ? { revoked: true, at } : { revoked: false };
}

// --- PDF (PAdES) ------------------------------------------------------------------------------------

/** Room for the signature container: certificates, signature and the TSA's token (hex doubles it). */
const SIGNATURE_BYTES = 16_384;

/** signpdf calls a Signer with the exact bytes the ByteRange covers; this one just keeps them. */
class CaptureSigner extends Signer {
  covered: Buffer | undefined;
  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    this.covered = Buffer.from(pdfBuffer);
    return Buffer.alloc(0);
  }
}

/** Returns a fixed CMS, after checking it is for exactly these bytes. */
class FixedSigner extends Signer {
  constructor(
    private readonly cms: Buffer,
    private readonly expectedSha256: string,
  ) {
    super();
  }
  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    const digest = createHash('sha256').update(pdfBuffer).digest('hex');
    if (digest !== this.expectedSha256) throw new ChainError('this signature is for another prepared PDF');
    return this.cms;
  }
}

export interface PreparedPdf {
  /** The PDF with an empty signature field appended (incremental update): keep it until signed. */
  pdf: Buffer;
  /** Send as `document.pades.byteRangeSha256`. */
  byteRangeSha256: string;
  /** SHA-256 of the PDF as given (send as `document.sha256`). */
  documentSha256: string;
}

/**
 * Appends a signature field for the next signer (an incremental update: earlier signatures stay
 * valid) and computes the digest of the byte ranges the signature will cover. The PDF must have a
 * classic cross-reference table (pdf-lib: `save({ useObjectStreams: false })`).
 */
export async function preparePdf(
  pdf: Uint8Array,
  options: {
    signingTime: Date;
    reason?: string;
    location?: string;
    signerName?: string;
    contactInfo?: string;
  },
): Promise<PreparedPdf> {
  const original = Buffer.from(pdf);
  const withField = plainAddPlaceholder({
    pdfBuffer: original,
    reason: options.reason ?? 'Signed with CamDigiKey',
    contactInfo: options.contactInfo ?? '',
    name: options.signerName ?? '',
    location: options.location ?? 'Cambodia',
    signingTime: options.signingTime,
    signatureLength: SIGNATURE_BYTES,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'CamDigiKey',
  });
  const capture = new CaptureSigner();
  await new SignPdf().sign(withField, capture);
  if (!capture.covered) throw new Error('no byte range to sign');
  return {
    pdf: withField,
    byteRangeSha256: createHash('sha256').update(capture.covered).digest('hex'),
    documentSha256: createHash('sha256').update(original).digest('hex'),
  };
}

/** Puts the citizen's PAdES signature (`padesSignature`, base64 or bytes) into the prepared PDF. */
export async function embedPadesSignature(
  prepared: PreparedPdf,
  padesSignature: string | Uint8Array,
): Promise<Buffer> {
  const cms =
    typeof padesSignature === 'string' ? Buffer.from(padesSignature, 'base64') : Buffer.from(padesSignature);
  return new SignPdf().sign(prepared.pdf, new FixedSigner(cms, prepared.byteRangeSha256));
}

export interface VerifiedPdfSignature {
  signer: { camdigikeyId: string; name: string; certificate: X509Certificate };
  byteRange: [number, number, number, number];
  /** The signature covers the whole file as it is (the last one should). */
  coversWholeFile: boolean;
  timestamp?: { time: Date; tsa: X509Certificate };
  subFilter: string;
}

/**
 * Finds every signature of a PDF (each `/ByteRange` with its `/Contents`), and verifies each:
 * the CMS over its byte ranges, the signer's certificate chain to `trustedRoot` (at the time-stamp's
 * time, or now), and the time-stamp. Throws ChainError when one fails; returns them in file order.
 */
export function verifyPdfSignatures(
  pdf: Uint8Array,
  options: { trustedRoot: string | X509Certificate; now?: Date },
): VerifiedPdfSignature[] {
  const file = Buffer.from(pdf);
  const text = file.toString('latin1');
  const root = rootOf(options.trustedRoot);
  const found: VerifiedPdfSignature[] = [];
  const pattern = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  for (const match of text.matchAll(pattern)) {
    const range = match.slice(1, 5).map(Number) as [number, number, number, number];
    const [a, b, c, d] = range;
    if (a !== 0 || c + d > file.length || b >= c) fail('a malformed /ByteRange');
    const contents = text.slice(b, c);
    if (!/^<[0-9a-fA-F]+>$/.test(contents)) fail('/ByteRange does not frame a /Contents hex string');
    const cms = Buffer.from(contents.slice(1, -1), 'hex');
    const parsed = parseSignedData(cms.subarray(0, derLength(cms)));
    const covered = Buffer.concat([file.subarray(a, a + b), file.subarray(c, c + d)]);
    const verified = verifySignerInfo(parsed, { sha256: createHash('sha256').update(covered).digest() });
    const objectStart = text.lastIndexOf(' obj', match.index);
    const subFilter = /\/SubFilter\s*\/([\w.]+)/.exec(text.slice(objectStart, match.index))?.[1] ?? '';
    // The chain is judged at the time-stamp's time (B-T), else at `now` (or the machine's time).
    const token = signatureTimeStampOf(parsed);
    const stamp = token
      ? verifyTimeStampToken(token, createHash('sha256').update(parsed.signature).digest())
      : undefined;
    const at = stamp?.time ?? options.now;
    const issuers = parsed.certificates.filter(
      (x) => !x.raw.equals(verified.signer.raw) && !x.raw.equals(root.raw),
    );
    verifyChain([verified.signer, ...issuers, root], root, {
      ...(at ? { now: at } : {}),
      purpose: 'documentSigning',
    });
    const timestamp = stamp ? checkTimestamp(parsed, root, stamp.time, 0) : undefined;
    found.push({
      signer: {
        camdigikeyId: subjectField(verified.signer, 'serialNumber') ?? '',
        name: subjectField(verified.signer, 'CN') ?? '',
        certificate: verified.signer,
      },
      byteRange: range,
      coversWholeFile: c + d === file.length,
      ...(timestamp ? { timestamp } : {}),
      subFilter,
    });
  }
  return found;
}

/** The length of the DER value at the start of `bytes` (the /Contents is zero-padded). */
function derLength(bytes: Buffer): number {
  const first = bytes[1] ?? 0;
  if ((first & 0x80) === 0) return 2 + first;
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (bytes[2 + i] ?? 0);
  return 2 + count + length;
}
