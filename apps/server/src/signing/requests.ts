/**
 * Signature requests (issue 17, items 2–3): one store for both ways in (OpenID CIBA with an
 * `authorization_details` entry of type `camdigikey_sign`, and the client API), one way out to
 * the citizen's phone, one result for the relying party.
 *
 * Order of things:
 *  1. create: the statement is fixed (text as sent, document name and hashes, the RP's registered
 *     name and domain, the clock's time, a fresh nonce, the verification code both screens show);
 *     push-bombing limits as for CIBA (pending per citizen, "this wasn't me" blocks that RP);
 *  2. prepare (the phone opens it): the device's current certificate (issued or renewed here),
 *     and the signed attributes the phone must sign: over the statement's SHA-256 (with the
 *     signing time), and for a PDF over the prepared byte ranges' SHA-256 (PAdES, no signing
 *     time); stored, so approval checks exactly these bytes;
 *  3. approve: the device that prepared it, the PIN (never Face ID alone), the phone's
 *     signatures verified with its key, the certificate still good; the CMS assembled with the
 *     certificate chain and the TSA's time-stamp over the signature (B-T); signed once, atomically;
 *  4. decline (or "this wasn't me"): nothing is signed, the RP is told.
 */
import {
  createHash,
  createPublicKey,
  randomBytes,
  randomInt,
  randomUUID,
  X509Certificate,
} from 'node:crypto';
import {
  SIGN_DETAIL_TYPE,
  type SignRequestInput,
  type SignStatement,
  statementBytes,
} from '@camdigikey/contracts/signing';
import type { SigningRequestsTable } from '@camdigikey/db';
import {
  assembleSignedData,
  ecdsaDerFromP1363,
  parseSignedData,
  signatureTimeStampAttribute,
  signedAttributes,
  timeStampToken,
  verifyEcdsaSha256,
  withUnsignedAttributes,
} from '@camdigikey/rp-protocol';
import type { Selectable } from 'kysely';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { checkAccountPin, type PinContext } from '../login/pin-check';
import { findRelyingParty } from '../oidc/relying-parties';
import { notifyAccount } from '../push/push';
import { currentCertificate, isCertificateGood } from './certificates';
import { signingKeys } from './signing-keys';

export type SigningRequestRow = Selectable<SigningRequestsTable>;

/** The bytes the phone signs, stored when a device prepares the request. */
interface ToBeSigned {
  deviceId: string;
  serial: string;
  /** base64url DER of the signed attributes over the statement. */
  statement: string;
  /** base64url DER of the signed attributes over the PDF's byte ranges (PAdES). */
  pades?: string;
}

export class SigningRefused extends Error {
  constructor(readonly reason: 'too_many_pending' | 'blocked' | 'account_not_active' | 'rate_limited') {
    super(reason);
  }
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const wholeSeconds = (date: Date) => new Date(Math.floor(date.getTime() / 1000) * 1000);

/** A 4-digit code for both screens (the client API; CIBA uses the RP's binding message). */
export const newVerificationCode = () => String(randomInt(0, 10_000)).padStart(4, '0');

/** Refuses a request the citizen cannot take now: the same limits as backchannel logins (ADR 0012). */
async function refuseFlooding(deps: Deps, accountId: string, clientId: string) {
  const now = deps.clock.now();
  const perAccount = await deps.hot.hit(`sign:${clientId}:${accountId}`, 3600, now);
  if (perAccount.count > deps.config.approvals.perAccountPerHour) throw new SigningRefused('rate_limited');
  const { count } = await deps.db
    .selectFrom('signing_requests')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('account_id', '=', accountId)
    .where('state', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  if (Number(count) >= deps.config.approvals.maxPending) throw new SigningRefused('too_many_pending');
  const since = new Date(now.getTime() - deps.config.approvals.notMeBlockMinutes * 60_000);
  const blocked = await deps.db
    .selectFrom('signing_requests')
    .select('id')
    .where('account_id', '=', accountId)
    .where('client_id', '=', clientId)
    .where('not_me', '=', true)
    .where('decided_at', '>', since)
    .executeTakeFirst();
  if (blocked) throw new SigningRefused('blocked');
}

export interface CreateInput {
  channel: 'ciba' | 'client_api';
  clientId: string;
  accountId: string;
  request: SignRequestInput;
  /** CIBA: the backchannel request's id; otherwise a new UUID. */
  id?: string;
  verificationCode?: string;
  expiresAt?: Date;
}

/** Fixes the statement and stores a pending request; tells the citizen's phones. */
export async function createSigningRequest(deps: Deps, input: CreateInput): Promise<SigningRequestRow> {
  const account = await deps.db
    .selectFrom('accounts')
    .select(['id', 'status'])
    .where('id', '=', input.accountId)
    .executeTakeFirst();
  if (account?.status !== 'active') throw new SigningRefused('account_not_active');
  const rp = await findRelyingParty(deps.db, input.clientId);
  if (!rp) throw new SigningRefused('account_not_active');
  await refuseFlooding(deps, account.id, rp.client_id);

  const now = wholeSeconds(deps.clock.now());
  const id = input.id ?? randomUUID();
  const statement: SignStatement = {
    type: SIGN_DETAIL_TYPE,
    version: 1,
    id,
    relyingParty: { clientId: rp.client_id, name: rp.app_name, domain: rp.domain },
    text: input.request.text,
    format: input.request.format,
    ...(input.request.document ? { document: input.request.document } : {}),
    signer: { camdigikeyId: account.id },
    time: now.toISOString().replace('.000Z', 'Z'),
    nonce: randomBytes(16).toString('base64url'),
    verificationCode: input.verificationCode ?? newVerificationCode(),
  };
  const row = await deps.db
    .insertInto('signing_requests')
    .values({
      id,
      channel: input.channel,
      client_id: rp.client_id,
      account_id: account.id,
      state: 'pending',
      statement: JSON.stringify(statement),
      document_name: input.request.document?.name ?? null,
      verification_code: statement.verificationCode,
      to_be_signed: null,
      device_id: null,
      certificate_serial: null,
      signature: null,
      pades_signature: null,
      created_at: now,
      expires_at: input.expiresAt ?? new Date(now.getTime() + deps.config.signing.requestSeconds * 1000),
      decided_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  // The app's request list listens here (the same channel as backchannel logins).
  await deps.hot.publish(`approvals:${account.id}`, JSON.stringify({ id, kind: 'signature' }));
  notifyAccount(deps, account.id, {
    type: 'signature_request',
    id,
    relyingParty: { name: rp.app_name, nameKm: rp.app_name_km, domain: rp.domain },
    verificationCode: statement.verificationCode,
  });
  return row;
}

const statementOf = (row: SigningRequestRow) => row.statement as unknown as SignStatement;

/** The pending request of this account (expired ones are marked so on the way). */
export async function pendingRequest(deps: Deps, accountId: string, id: string): Promise<SigningRequestRow> {
  if (!/^[A-Za-z0-9_-]{10,100}$/.test(id)) throw new AppError('signing_request_not_found');
  const row = await deps.db
    .selectFrom('signing_requests')
    .selectAll()
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) throw new AppError('signing_request_not_found');
  if (row.state === 'pending' && row.expires_at <= deps.clock.now()) {
    await deps.db
      .updateTable('signing_requests')
      .set({ state: 'expired' })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .execute();
    throw new AppError('signing_request_expired');
  }
  if (row.state !== 'pending') throw new AppError('signing_request_expired');
  return row;
}

/** What the app shows in the list: the relying party as registered, the statement, the deadline. */
export async function requestView(deps: Deps, row: SigningRequestRow) {
  const rp = await findRelyingParty(deps.db, row.client_id);
  return {
    id: row.id,
    kind: 'signature' as const,
    statement: statementOf(row),
    relyingParty: {
      name: rp?.app_name ?? row.client_id,
      nameKm: rp?.app_name_km ?? null,
      organisation: rp?.organisation ?? null,
      domain: rp?.domain ?? null,
      logoUrl: rp?.logo_url ?? null,
    },
    verificationCode: row.verification_code,
    expiresAt: row.expires_at.toISOString(),
  };
}

/**
 * Prepares the request for this device: its certificate (renewed if due) and the signed
 * attributes to sign, stored with the device's id.
 */
export async function prepareForDevice(deps: Deps, row: SigningRequestRow, deviceId: string) {
  const certificate = await currentCertificate(deps, deviceId);
  const statement = statementOf(row);
  const digest = createHash('sha256').update(statementBytes(statement)).digest();
  const toBeSigned: ToBeSigned = {
    deviceId,
    serial: certificate.serial,
    statement: b64url(
      signedAttributes({
        contentDigest: digest,
        certificate: certificate.certificate,
        signingTime: new Date(statement.time),
      }),
    ),
  };
  const pades = statement.document?.pades?.byteRangeSha256;
  if (pades) {
    toBeSigned.pades = b64url(
      signedAttributes({ contentDigest: Buffer.from(pades, 'hex'), certificate: certificate.certificate }),
    );
  }
  const updated = await deps.db
    .updateTable('signing_requests')
    .set({ to_be_signed: JSON.stringify(toBeSigned) })
    .where('id', '=', row.id)
    .where('state', '=', 'pending')
    .returning('id')
    .executeTakeFirst();
  if (!updated) throw new AppError('signing_request_expired');
  return {
    ...(await requestView(deps, row)),
    certificate: certificate.chain[0],
    toBeSigned: { statement: toBeSigned.statement, ...(toBeSigned.pades ? { pades: toBeSigned.pades } : {}) },
  };
}

export interface PhoneSignatures {
  /** base64url IEEE P1363 (r‖s) ECDSA-SHA256 signatures, as WebCrypto makes them. */
  statement: string;
  pades?: string;
}

async function timeStamped(deps: Deps, cms: Buffer): Promise<Buffer> {
  if (!deps.config.signing.timestamp) return cms;
  const keys = await signingKeys(deps);
  const { signature } = parseSignedData(cms);
  const token = timeStampToken(
    keys.tsa,
    { hashedMessage: createHash('sha256').update(signature).digest() },
    deps.clock.now(),
    randomBytes(16),
  );
  return withUnsignedAttributes(cms, [signatureTimeStampAttribute(token)]);
}

/**
 * Approves with the PIN and the phone's signatures. Returns the signed row. Throws
 * `signing_request_stale` when another device prepared it (the app prepares again).
 */
export async function approveSigningRequest(
  deps: Deps,
  input: {
    accountId: string;
    deviceId: string;
    id: string;
    pin: string;
    signatures: PhoneSignatures;
    pinContext: Omit<PinContext, 'purpose'>;
  },
): Promise<SigningRequestRow> {
  const row = await pendingRequest(deps, input.accountId, input.id);
  const prepared = row.to_be_signed as unknown as ToBeSigned | null;
  if (!prepared || prepared.deviceId !== input.deviceId) throw new AppError('signing_request_stale');
  await checkAccountPin(deps, input.accountId, input.pin, { ...input.pinContext, purpose: 'signature' });

  const certificateRow = await deps.db
    .selectFrom('citizen_certificates')
    .select(['certificate_der', 'not_after'])
    .where('serial', '=', prepared.serial)
    .executeTakeFirst();
  if (!certificateRow || !(await isCertificateGood(deps, prepared.serial))) {
    throw new AppError('signing_request_stale');
  }
  const certificate = new X509Certificate(Buffer.from(certificateRow.certificate_der));
  const device = await deps.db
    .selectFrom('devices')
    .select('public_jwk')
    .where('id', '=', input.deviceId)
    .executeTakeFirstOrThrow();
  const deviceKey = createPublicKey({
    key: device.public_jwk as import('node:crypto').JsonWebKey,
    format: 'jwk',
  });
  if (!deviceKey.equals(certificate.publicKey)) throw new AppError('signing_request_stale');

  const keys = await signingKeys(deps);
  const sign = async (attributes: string, signature: string | undefined) => {
    const signed = Buffer.from(attributes, 'base64url');
    const p1363 = Buffer.from(signature ?? '', 'base64url');
    if (p1363.length !== 64 || !verifyEcdsaSha256(deviceKey, signed, p1363, 'ieee-p1363')) {
      throw new AppError('signature_invalid');
    }
    const cms = assembleSignedData({
      signedAttributes: signed,
      signature: ecdsaDerFromP1363(p1363),
      certificates: [certificate, keys.ca.certificate],
    });
    return timeStamped(deps, cms);
  };
  const signature = await sign(prepared.statement, input.signatures.statement);
  const pades = prepared.pades ? await sign(prepared.pades, input.signatures.pades) : null;

  const signed = await deps.db
    .updateTable('signing_requests')
    .set({
      state: 'signed',
      device_id: input.deviceId,
      certificate_serial: prepared.serial,
      signature,
      pades_signature: pades,
      decided_at: deps.clock.now(),
    })
    .where('id', '=', row.id)
    .where('state', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
  if (!signed) throw new AppError('signing_request_expired');
  return signed;
}

/** Declines (optionally "this wasn't me", which blocks that RP for this citizen for a while). */
export async function declineSigningRequest(
  deps: Deps,
  input: { accountId: string; id: string; notMe: boolean },
): Promise<SigningRequestRow> {
  const row = await pendingRequest(deps, input.accountId, input.id);
  const declined = await deps.db
    .updateTable('signing_requests')
    .set({ state: 'declined', not_me: input.notMe, decided_at: deps.clock.now() })
    .where('id', '=', row.id)
    .where('state', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
  if (!declined) throw new AppError('signing_request_expired');
  return declined;
}

/**
 * What the relying party receives: the statement (and its exact bytes), the CMS signature over
 * them (detached, DER, base64) with the citizen's certificate and the CA inside, the root's PEM
 * for convenience (trust it from your trust store, not from here), and for a PDF the PAdES
 * signature container to embed with the SDK.
 */
export async function signatureResult(deps: Deps, row: SigningRequestRow) {
  const statement = statementOf(row);
  const base = {
    id: row.id,
    state: row.state,
    verificationCode: row.verification_code,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
  if (row.state !== 'signed' || !row.signature) return base;
  const keys = await signingKeys(deps);
  return {
    ...base,
    signedAt: row.decided_at?.toISOString() ?? null,
    statement,
    statementBytes: Buffer.from(statementBytes(statement)).toString('base64'),
    signature: Buffer.from(row.signature).toString('base64'),
    ...(row.pades_signature ? { padesSignature: Buffer.from(row.pades_signature).toString('base64') } : {}),
    certificateSerial: row.certificate_serial,
    chain: keys.caChain,
  };
}
