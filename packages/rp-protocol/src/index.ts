/**
 * Public API of @camdigikey/rp-protocol: the wire format of the existing CamDigiKey
 * relying-party protocol (rp-protocol.md §2.3 envelope, §4 tokens and signer chain, §5 profile
 * fields, §2.1–§2.2 keystores and mutual TLS), shared by our server endpoints and our SDK.
 */

export type { LeafPurpose, VerifiedChain, VerifyChainOptions } from './chain';
export { verifyChain, verifySignerChainBody } from './chain';
export type {
  AccountTokenClaims,
  AuthTokenClaims,
  ClaimsOf,
  LoginTokenClaims,
  OrganizationTokenClaims,
  TokenClaims,
  TokenClaimsInput,
  TokenKind,
  UserTokenClaims,
} from './claims';
export { isTokenKind, TOKEN_ISSUER, TOKEN_KINDS } from './claims';
export type {
  AssembleInput,
  ParsedSignedData,
  SignedAttributesInput,
  VerifiedSignerInfo,
} from './cms';
export {
  assembleSignedData,
  ecdsaDerFromP1363,
  parseSignedData,
  serialHexOf,
  signatureTimeStampAttribute,
  signatureTimeStampOf,
  signedAttributes,
  verifyEcdsaSha256,
  verifySignerInfo,
  withUnsignedAttributes,
} from './cms';
export type { ClientCredentials, ClientKeys } from './credentials';
export { decodeClientCredentials, generateClientCredentials } from './credentials';
export type { CrlInput, CrlReason, ParsedCrl, RevokedEntry } from './crl';
export { buildCrl, CRL_REASON, verifyCrl } from './crl';
export type {
  ClientKeyLookup,
  InnerResponse,
  JsonObject,
  OpenedRequest,
  RequestEnvelope,
  ResponseEnvelope,
} from './envelope';
export {
  errorResponse,
  okResponse,
  openRequest,
  openRequestWithKeys,
  openResponse,
  sealRequest,
  sealResponse,
} from './envelope';
export type {
  ClientErrorCode,
  ClientErrorName,
  EnvelopeAuditReason,
  EnvelopeErrorCode,
  TokenFailure,
} from './errors';
export { ChainError, CLIENT_ERROR_CODES, EnvelopeError, SERVER_ERROR_CODES, TokenError } from './errors';
export type { Pkcs12Entry } from './pkcs12';
export {
  DEFAULT_KEY_ALIAS,
  DEFAULT_TRUSTED_ROOT_ALIAS,
  keystoreP12,
  p12FileNames,
  readPkcs12,
  truststoreP12,
} from './pkcs12';
export type {
  CertificateAuthority,
  CitizenCertificateRequest,
  ClientCertificateRequest,
  Curve,
  IssuedCertificate,
  Validity,
} from './pki';
export {
  CITIZEN_SIGNING_POLICY,
  CLIENT_URN_PREFIX,
  chainOf,
  clientIdOfCertificate,
  createRootCa,
  createSigningCa,
  createSubordinateCa,
  DOMAIN_URN_PREFIX,
  issueCitizenCertificate,
  issueClientCertificate,
  issueServerCertificate,
  issueSignerCertificate,
  issueTsaCertificate,
  signerChainBody,
  TSA_POLICY,
} from './pki';
export type {
  AccessTokenStatusData,
  LookupProfile,
  UserProfileClaims,
  UserStatus,
  VerifiedAccountProfile,
} from './profile';
export { USER_STATUS } from './profile';
export { generatePayloadKey } from './token-payload';
export type {
  OpenedToken,
  OpenTokenOptions,
  SignedToken,
  SignerInput,
  SignTokenOptions,
  TokenHeader,
  VerifiedToken,
  VerifyTokenOptions,
} from './tokens';
export { openToken, signToken, TOKEN_ALG, verifyToken } from './tokens';
export type { TimeStampRequest, TsaIdentity, VerifiedTimeStamp } from './tsp';
export {
  parseTimeStampRequest,
  TimeStampRequestError,
  TSP_FAILURE,
  timeStampRequest,
  timeStampResponse,
  timeStampToken,
  tokenOfResponse,
  verifyTimeStampToken,
} from './tsp';
export type { NameSpec } from './x509';
