/**
 * The platform PKI: root and subordinate CAs, the access-token signer certificate, RP client
 * certificates for mutual TLS and server certificates, and the §4.3 signer chain.
 *
 * Why: rp-protocol.md §2.1 (an RP is issued a TLS keystore and a trust store), §2.2 (mutual TLS;
 * the real dev PKI is a self-signed root over a P-521 sub-CA signing ecdsa-with-SHA512, with an
 * EC P-256 leaf) and §4.3/§10 item 3 (GET chain endpoint `{data:[signerPEM, …, rootPEM]}`, signer
 * first and currently valid, root included, every link verifying).
 *
 * Binding of a client certificate to its RP (§11 leaves it open; our design):
 *   subject `CN=<clientId>, O=<organisation>, C=KH` and SAN URIs `urn:camdigikey:client:<clientId>`
 *   (authoritative; read it with `clientIdOfCertificate`) and `urn:camdigikey:domain:<domain>`
 *   (informational). The server compares the SAN client id with the envelope `clientId` (§2.3).
 * Leaves are EC P-256 like the dev keystore; the signer is P-521 (§4.2); CAs are P-521 and sign
 * with SHA-512. Client certificates carry EKU clientAuth only (the dev leaf also had serverAuth,
 * which a client certificate does not need).
 */
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { certificateInfo } from './cert-info';
import * as der from './der';
import type { NameSpec } from './x509';
import { buildCertificate, encodeName, keyIdentifier } from './x509';

export type Curve = 'P-256' | 'P-384' | 'P-521';

export interface Validity {
  notBefore?: Date;
  notAfter?: Date;
  /**
   * The issuer's "now" (the server's clock port): the default window starts a minute before it.
   * Without it the machine's time is used (a library caller with no clock of its own).
   */
  now?: Date;
}

/** A certificate with its private key and its chain (PEM, this certificate first, root last). */
export interface IssuedCertificate {
  certificate: X509Certificate;
  pem: string;
  privateKey: KeyObject;
  chain: string[];
}

/** A CA is an issued certificate that may issue others. */
export type CertificateAuthority = IssuedCertificate & { readonly isCa: true };

export const CLIENT_URN_PREFIX = 'urn:camdigikey:client:';
export const DOMAIN_URN_PREFIX = 'urn:camdigikey:domain:';

const YEAR_MS = 365 * 24 * 3600 * 1000;

function window(validity: Validity, years: number, issuer?: IssuedCertificate): [Date, Date] {
  // Machine time only as the default: rp-protocol is also the integrators' library (no clock port there); the server always passes its clock's `now`.
  const now = Math.floor((validity.now ?? new Date()).getTime() / 1000) * 1000;
  const notBefore = validity.notBefore ?? new Date(now - 60_000);
  let notAfter = validity.notAfter ?? new Date(now + years * YEAR_MS);
  const issuerEnd = issuer ? new Date(issuer.certificate.validTo) : undefined;
  if (!validity.notAfter && issuerEnd && issuerEnd < notAfter) notAfter = issuerEnd;
  return [notBefore, notAfter];
}

function keyPair(curve: Curve) {
  return generateKeyPairSync('ec', { namedCurve: curve });
}

function issue(
  issuer: IssuedCertificate | undefined,
  subject: NameSpec,
  curve: Curve,
  [notBefore, notAfter]: [Date, Date],
  profile: Pick<
    Parameters<typeof buildCertificate>[0],
    'ca' | 'keyUsage' | 'extKeyUsage' | 'sanUris' | 'sanDnsNames' | 'sanIpAddresses'
  >,
): IssuedCertificate {
  const { publicKey, privateKey } = keyPair(curve);
  return { ...certify(issuer, subject, publicKey, privateKey, [notBefore, notAfter], profile), privateKey };
}

/** Certifies a public key: signed by `issuer`, or self-signed with `ownKey` when there is none. */
function certify(
  issuer: IssuedCertificate | undefined,
  subject: NameSpec,
  publicKey: KeyObject,
  ownKey: KeyObject | undefined,
  [notBefore, notAfter]: [Date, Date],
  profile: Omit<
    Parameters<typeof buildCertificate>[0],
    'subject' | 'issuer' | 'publicKey' | 'issuerKey' | 'issuerKeyId' | 'notBefore' | 'notAfter'
  >,
): Omit<IssuedCertificate, 'privateKey'> {
  const issuerKey = issuer ? issuer.privateKey : ownKey;
  if (!issuerKey) throw new TypeError('a self-signed certificate needs its own private key');
  const subjectName = encodeName(subject);
  const certificate = buildCertificate({
    ...profile,
    subject: subjectName,
    issuer: issuer ? certificateInfo(issuer.certificate).subjectName : subjectName,
    publicKey,
    issuerKey,
    issuerKeyId: keyIdentifier(issuer ? issuer.certificate.publicKey : publicKey),
    notBefore,
    notAfter,
  });
  const pem = certificate.toString();
  return { certificate, pem, chain: [pem, ...(issuer?.chain ?? [])] };
}

function asCa(issued: IssuedCertificate): CertificateAuthority {
  return { ...issued, isCa: true };
}

/** A self-signed root (P-521, ecdsa-with-SHA512, 20 years by default). */
export function createRootCa(options: { name?: NameSpec } & Validity = {}): CertificateAuthority {
  const name = options.name ?? {
    country: 'KH',
    organization: 'CamDigiKey',
    organizationalUnit: 'CamDigiKey Root Certificate Authority',
    commonName: 'CAMDIGIKEY-ROOTCA',
  };
  return asCa(
    issue(undefined, name, 'P-521', window(options, 20), { ca: {}, keyUsage: ['keyCertSign', 'cRLSign'] }),
  );
}

/** A subordinate CA (P-521), path length 0 by default so it can only issue leaves. */
export function createSubordinateCa(
  parent: CertificateAuthority,
  options: { name?: NameSpec; pathLength?: number } & Validity = {},
): CertificateAuthority {
  const name = options.name ?? { country: 'KH', organization: 'CamDigiKey', commonName: 'CAMDIGIKEY-SUBCA' };
  const ca = { pathLength: options.pathLength ?? 0 };
  return asCa(
    issue(parent, name, 'P-521', window(options, 10, parent), { ca, keyUsage: ['keyCertSign', 'cRLSign'] }),
  );
}

/** The access-token signer (§4.3 `data[0]`): P-521, digitalSignature only, 2 years by default. */
export function issueSignerCertificate(
  issuer: CertificateAuthority,
  options: { name?: NameSpec } & Validity = {},
): IssuedCertificate {
  const name = options.name ?? {
    country: 'KH',
    organization: 'CamDigiKey',
    commonName: 'CAMDIGIKEY-ACCESS-TOKEN-SIGNER',
  };
  return issue(issuer, name, 'P-521', window(options, 2, issuer), { keyUsage: ['digitalSignature'] });
}

export interface ClientCertificateRequest extends Validity {
  clientId: string;
  organisation: string;
  domain: string;
}

/** An RP's mutual-TLS certificate (P-256, EKU clientAuth), bound to its client id (see above). */
export function issueClientCertificate(
  issuer: CertificateAuthority,
  request: ClientCertificateRequest,
): IssuedCertificate {
  if (!/^[\x21-\x7e]+$/.test(request.clientId) || request.clientId.length > 64) {
    throw new RangeError('clientId must be 1–64 printable ASCII characters');
  }
  if (!/^[\x21-\x7e]+$/.test(request.domain)) throw new RangeError('domain must be printable ASCII');
  const name = { country: 'KH', organization: request.organisation, commonName: request.clientId };
  return issue(issuer, name, 'P-256', window(request, 2, issuer), {
    keyUsage: ['digitalSignature'],
    extKeyUsage: [der.OID.clientAuth],
    sanUris: [`${CLIENT_URN_PREFIX}${request.clientId}`, `${DOMAIN_URN_PREFIX}${request.domain}`],
  });
}

/** A TLS server certificate (P-256, EKU serverAuth) for the given DNS names and IPv4 addresses. */
export function issueServerCertificate(
  issuer: CertificateAuthority,
  request: { dnsNames: string[]; ipAddresses?: string[]; organisation?: string } & Validity,
): IssuedCertificate {
  const commonName = request.dnsNames[0] ?? request.ipAddresses?.[0] ?? 'localhost';
  const name = { country: 'KH', organization: request.organisation ?? 'CamDigiKey', commonName };
  return issue(issuer, name, 'P-256', window(request, 1, issuer), {
    keyUsage: ['digitalSignature'],
    extKeyUsage: [der.OID.serverAuth],
    sanDnsNames: request.dnsNames,
    sanIpAddresses: request.ipAddresses ?? [],
  });
}

/** The PEM chain `[certificate, …, root]`, e.g. `[signer, …, root]` for the §4.3 endpoint. */
export function chainOf(issued: Pick<IssuedCertificate, 'chain'>): string[] {
  return [...issued.chain];
}

/** The §4.3 response body `{ data: [signerPEM, …, rootPEM] }` (unwrapped JSON, GET). */
export function signerChainBody(signer: Pick<IssuedCertificate, 'chain'>): { data: string[] } {
  return { data: chainOf(signer) };
}

/** The client id a client certificate is bound to (SAN URI `urn:camdigikey:client:<id>`). */
export function clientIdOfCertificate(
  certificate: X509Certificate | string | Uint8Array,
): string | undefined {
  const x509 = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  const uris = certificateInfo(x509).subjectAltUris.filter((uri) => uri.startsWith(CLIENT_URN_PREFIX));
  return uris.length === 1 && uris[0] ? uris[0].slice(CLIENT_URN_PREFIX.length) : undefined;
}

// --- citizen signatures (issue 17) -----------------------------------------------------------

/**
 * CamDigiKey's certificate policy for citizens' signing certificates. The platform has no
 * registered OID arc, so its policy OIDs are UUID-based (ITU-T X.667, arc 2.25): unique without
 * registration. This one is UUID 8912ef74-983e-4361-9889-cbfbfb8580b8.
 */
export const CITIZEN_SIGNING_POLICY = '2.25.182202553499466218981570225956234559672';
/** The TSA's time-stamp policy (RFC 3161 §2.4.2 `policy`): UUID f46cad29-2de2-4c7a-a739-eb4e2a8c9160. */
export const TSA_POLICY = '2.25.324895911151657733035830230892394877280';

/**
 * The subordinate CA that issues citizens' signing certificates and the time-stamping unit's
 * certificate (P-521, ecdsa-with-SHA512, path length 0), apart from the client-API sub-CA so a
 * signing certificate can never pass for an RP's TLS client and the two can be rotated apart.
 */
export function createSigningCa(parent: CertificateAuthority, options: Validity = {}): CertificateAuthority {
  return createSubordinateCa(parent, {
    ...options,
    name: {
      country: 'KH',
      organization: 'CamDigiKey',
      commonName: 'CAMDIGIKEY-CITIZEN-SIGNING-CA',
    },
  });
}

export interface CitizenCertificateRequest extends Validity {
  /** The device's public key (P-256), as a KeyObject, a JWK or SPKI DER/PEM. */
  publicKey: KeyObject | JsonWebKey | string | Uint8Array;
  /** The citizen's CamDigiKey ID (the account id), the subject's serialNumber. */
  camdigikeyId: string;
  /** Latin names as in the MRZ (subject surname, givenName, commonName). */
  surname: string;
  givenName: string;
  /** Days of validity (short: renewed automatically while the device stays registered). */
  validityDays: number;
  /** Where the issuing CA publishes its CRL, and its certificate (AIA caIssuers). */
  crlUrl?: string;
  caIssuersUrl?: string;
}

function publicKeyOf(input: CitizenCertificateRequest['publicKey']): KeyObject {
  if (typeof input === 'object' && 'asymmetricKeyType' in input) return input as KeyObject;
  if (typeof input === 'string') return createPublicKey(input);
  if (input instanceof Uint8Array)
    return createPublicKey({ key: Buffer.from(input), format: 'der', type: 'spki' });
  return createPublicKey({ key: input as JsonWebKey, format: 'jwk' });
}

/**
 * A citizen's signing certificate for a key the citizen's phone holds (the private key never
 * leaves it): subject `C=KH, SN=<surname>, GN=<given name>, serialNumber=<CamDigiKey ID>,
 * CN=<GIVEN SURNAME>`, key usage digitalSignature + nonRepudiation (critical), no extended key
 * usage (so it cannot pass for a TLS client or server), the CamDigiKey citizen-signing policy,
 * a CRL distribution point and the issuer's certificate URL; valid `validityDays`.
 */
export function issueCitizenCertificate(
  issuer: CertificateAuthority,
  request: CitizenCertificateRequest,
): Omit<IssuedCertificate, 'privateKey'> {
  const publicKey = publicKeyOf(request.publicKey);
  if (publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new RangeError('a citizen signing key must be an EC P-256 key');
  }
  if (!/^[\x20-\x7e]{1,64}$/.test(request.camdigikeyId)) throw new RangeError('bad CamDigiKey ID');
  // Machine time only as the default: rp-protocol is also the integrators' library (no clock port there); the server always passes its clock's `now`.
  const now = Math.floor((request.now ?? new Date()).getTime() / 1000) * 1000;
  const notBefore = request.notBefore ?? new Date(now - 60_000);
  const issuerEnd = new Date(issuer.certificate.validTo);
  let notAfter = request.notAfter ?? new Date(now + request.validityDays * 24 * 3600 * 1000);
  if (notAfter > issuerEnd) notAfter = issuerEnd;
  const name: NameSpec = {
    country: 'KH',
    surname: request.surname,
    givenName: request.givenName,
    serialNumber: request.camdigikeyId,
    commonName: `${request.givenName} ${request.surname}`.trim(),
  };
  return certify(issuer, name, publicKey, undefined, [notBefore, notAfter], {
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    policies: [CITIZEN_SIGNING_POLICY],
    ...(request.crlUrl ? { crlUrls: [request.crlUrl] } : {}),
    ...(request.caIssuersUrl ? { caIssuersUrls: [request.caIssuersUrl] } : {}),
  });
}

/**
 * The platform's time-stamping unit (RFC 3161 §2.3): P-256, key usage digitalSignature +
 * nonRepudiation, the only extended key usage timeStamping, marked critical. 5 years by default.
 */
export function issueTsaCertificate(
  issuer: CertificateAuthority,
  options: { name?: NameSpec } & Validity = {},
): IssuedCertificate {
  const name = options.name ?? { country: 'KH', organization: 'CamDigiKey', commonName: 'CAMDIGIKEY-TSA' };
  const { publicKey, privateKey } = keyPair('P-256');
  return {
    ...certify(issuer, name, publicKey, undefined, window(options, 5, issuer), {
      keyUsage: ['digitalSignature', 'nonRepudiation'],
      extKeyUsage: [der.OID.timeStamping],
      extKeyUsageCritical: true,
      policies: [TSA_POLICY],
    }),
    privateKey,
  };
}
