/**
 * Full verification of a certificate chain `[leaf, …, root]` against a trusted root.
 *
 * Why: rp-protocol.md §4.3 shows that the official Node library only checks that the trusted
 * root is *present* in the signer chain (a rogue signer listed next to the genuine root was
 * accepted, §10), and Java only checks links whose issuer DN names another entry. Our SDK and
 * server must not inherit that weakness, so every link is checked here: the chain ends with the
 * trusted root (byte for byte, §10 item 3), the root is self-signed, each certificate is issued
 * and signed by the next one (names, key identifiers, signature), every certificate is within its
 * validity period, every issuer is a CA (basic constraints cA, key usage keyCertSign, path length)
 * and the leaf is an end entity fit for its purpose; unknown critical extensions are refused.
 */
import { X509Certificate } from 'node:crypto';
import type { CertificateInfo } from './cert-info';
import { certificateInfo, isWithinValidity } from './cert-info';
import * as der from './der';
import { ChainError } from './errors';

/**
 * What the leaf is for: the §4.3 token signer, an RP's TLS client, a TLS server, a citizen's
 * document signature (nonRepudiation, issue 17) or the platform's time-stamping unit.
 */
export type LeafPurpose = 'tokenSigning' | 'clientAuth' | 'serverAuth' | 'documentSigning' | 'timeStamping';

export interface VerifyChainOptions {
  /** Defaults to now. */
  now?: Date | number;
  /** When given, the leaf must carry the matching key usage / extended key usage. */
  purpose?: LeafPurpose;
}

export interface VerifiedChain {
  leaf: X509Certificate;
  certificates: X509Certificate[];
}

type CertificateInput = string | X509Certificate | Uint8Array;

function parse(input: CertificateInput, index: number): X509Certificate {
  if (input instanceof X509Certificate) return input;
  if (typeof input === 'string' && (input.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length !== 1) {
    throw new ChainError('each entry must hold exactly one PEM certificate', index);
  }
  try {
    return new X509Certificate(input);
  } catch {
    throw new ChainError('not a certificate', index);
  }
}

function infoOf(certificate: X509Certificate, index: number): CertificateInfo {
  try {
    return certificateInfo(certificate);
  } catch {
    throw new ChainError('unreadable extensions', index);
  }
}

function checkLeaf(info: CertificateInfo, purpose: LeafPurpose | undefined): void {
  if (info.basicConstraints?.ca) throw new ChainError('the leaf is a CA certificate', 0);
  if (!purpose) return;
  if (!info.keyUsage?.usages.has('digitalSignature')) {
    throw new ChainError('the leaf may not make digital signatures', 0);
  }
  if (purpose === 'tokenSigning') return;
  if (purpose === 'documentSigning') {
    if (!info.keyUsage.usages.has('nonRepudiation'))
      throw new ChainError('the leaf is not for signatures', 0);
    return;
  }
  if (purpose === 'timeStamping') {
    // RFC 3161 §2.3: exactly one extended key usage, timeStamping, critical
    const eku = info.extKeyUsage ?? [];
    if (eku.length !== 1 || eku[0] !== der.OID.timeStamping) throw new ChainError('the leaf is not a TSA', 0);
    return;
  }
  const wanted = purpose === 'clientAuth' ? der.OID.clientAuth : der.OID.serverAuth;
  const eku = info.extKeyUsage;
  if (eku && !eku.includes(wanted) && !eku.includes(der.OID.anyExtendedKeyUsage)) {
    throw new ChainError(`the leaf is not for ${purpose}`, 0);
  }
}

/** Verifies `chain` (leaf first, root last) up to `trustedRoot`; throws {@link ChainError}. */
export function verifyChain(
  chain: readonly CertificateInput[],
  trustedRoot: CertificateInput,
  options: VerifyChainOptions = {},
): VerifiedChain {
  if (chain.length < 2) throw new ChainError('a chain needs at least a leaf and the root');
  // Machine time only as the default: rp-protocol is also the integrators' library (no clock port there); the server always passes its clock's `now`.
  const now = options.now === undefined ? Date.now() : Number(options.now);
  const certificates = chain.map(parse);
  const root = parse(trustedRoot, chain.length);
  const last = certificates.length - 1;
  if (!certificates[last]?.raw.equals(root.raw)) {
    throw new ChainError('the chain does not end with the trusted root', last);
  }
  const fingerprints = new Set(certificates.map((c) => c.fingerprint256));
  if (fingerprints.size !== certificates.length) throw new ChainError('a certificate appears twice');
  if (!root.checkIssued(root) || !root.verify(root.publicKey)) {
    throw new ChainError('the root is not self-signed', last);
  }

  const infos = certificates.map(infoOf);
  certificates.forEach((certificate, index) => {
    if (!isWithinValidity(certificate, now)) throw new ChainError('outside its validity period', index);
    const info = infos[index];
    if (info && info.unknownCritical.length > 0) {
      throw new ChainError(`unknown critical extension ${info.unknownCritical.join(', ')}`, index);
    }
  });
  for (let index = 0; index < last; index++) {
    const subject = certificates[index];
    const issuer = certificates[index + 1];
    const issuerInfo = infos[index + 1];
    if (!subject || !issuer || !issuerInfo) throw new ChainError('missing certificate', index);
    if (!issuerInfo.basicConstraints?.ca) throw new ChainError('the issuer is not a CA', index + 1);
    if (!issuerInfo.keyUsage?.usages.has('keyCertSign')) {
      throw new ChainError('the issuer may not sign certificates', index + 1);
    }
    const pathLength = issuerInfo.basicConstraints.pathLength;
    // CA certificates below this issuer, excluding the leaf (RFC 5280 §4.2.1.9)
    if (pathLength !== undefined && index > pathLength) {
      throw new ChainError('path length constraint exceeded', index + 1);
    }
    if (!subject.checkIssued(issuer)) throw new ChainError('not issued by the next certificate', index);
    if (!subject.verify(issuer.publicKey)) throw new ChainError('bad signature', index);
  }
  const leaf = certificates[0];
  const leafInfo = infos[0];
  if (!leaf || !leafInfo) throw new ChainError('missing leaf', 0);
  checkLeaf(leafInfo, options.purpose);
  return { leaf, certificates };
}

/**
 * What an RP does with the §4.3 GET response: takes `data` (PEM list, signer first), verifies the
 * whole chain for token signing against the root of its trust store, and returns the signer.
 */
export function verifySignerChainBody(
  body: unknown,
  trustedRoot: CertificateInput,
  options: Omit<VerifyChainOptions, 'purpose'> = {},
): X509Certificate {
  const data = typeof body === 'object' && body !== null ? (body as { data?: unknown }).data : undefined;
  if (!Array.isArray(data) || !data.every((entry): entry is string => typeof entry === 'string')) {
    throw new ChainError('the body has no `data` list of PEM strings');
  }
  return verifyChain(data, trustedRoot, { ...options, purpose: 'tokenSigning' }).leaf;
}
