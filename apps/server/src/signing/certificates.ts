/**
 * Citizens' signing certificates (issue 17, item 1). A certificate certifies a registered
 * device's own key (the app's non-extractable P-256 WebCrypto key, the key that signs every
 * device call; ADR 0015 says why no second key) with the citizen's MRZ names and CamDigiKey ID,
 * for signatures only, valid SIGNING_CERTIFICATE_DAYS.
 *
 *  - issued when the account becomes active (officer approval), after a recovery (the new phone)
 *    and, lazily, for any active device that has none (accounts created active, a device added);
 *  - renewed automatically for the same key when fewer than SIGNING_CERTIFICATE_RENEW_DAYS are
 *    left, before the next signature;
 *  - revoked with its device: the CRL lists every certificate whose device is revoked (at the
 *    device's revocation time), whatever path revoked it (recovery, "this wasn't me", Me).
 */
import { createPublicKey, type JsonWebKey, X509Certificate } from 'node:crypto';
import { buildCrl, issueCitizenCertificate, type RevokedEntry, serialHexOf } from '@camdigikey/rp-protocol';
import { sql } from 'kysely';
import { personalOf } from '../accounts/personal-data';
import type { Deps } from '../deps';
import { AppError } from '../errors';
import { signingKeys } from './signing-keys';

const DAY = 86_400_000;

export const pkiUrls = (deps: Deps) => ({
  crl: `${deps.config.http.publicUrl}/pki/citizen-ca.crl`,
  caCertificate: `${deps.config.http.publicUrl}/pki/citizen-ca.crt`,
  root: `${deps.config.http.publicUrl}/pki/root.crt`,
  tsa: `${deps.config.http.publicUrl}/pki/tsa`,
});

export interface CitizenCertificate {
  serial: string;
  certificate: X509Certificate;
  /** PEM chain: this certificate, the citizen signing CA, the root. */
  chain: string[];
}

async function withChain(deps: Deps, serial: string, der: Uint8Array): Promise<CitizenCertificate> {
  const keys = await signingKeys(deps);
  const certificate = new X509Certificate(Buffer.from(der));
  return { serial, certificate, chain: [certificate.toString(), ...keys.caChain] };
}

/** Issues a new certificate for an active device of an active account. */
export async function issueCertificate(deps: Deps, deviceId: string): Promise<CitizenCertificate> {
  const row = await deps.db
    .selectFrom('devices')
    .innerJoin('accounts', 'accounts.id', 'devices.account_id')
    .select([
      'devices.id',
      'devices.account_id',
      'devices.public_jwk',
      'devices.status as device_status',
      'accounts.status as account_status',
    ])
    .where('devices.id', '=', deviceId)
    .executeTakeFirst();
  if (row?.device_status !== 'active') throw new AppError('device_key_unknown');
  if (row.account_status !== 'active') throw new AppError('account_not_active');
  const personal = (await personalOf(deps.db, deps.envelope, row.account_id))!;
  const keys = await signingKeys(deps);
  const now = deps.clock.now();
  const urls = pkiUrls(deps);
  const issued = issueCitizenCertificate(keys.ca, {
    publicKey: createPublicKey({ key: row.public_jwk as JsonWebKey, format: 'jwk' }),
    camdigikeyId: row.account_id,
    surname: personal.latinSurname.toUpperCase(),
    givenName: personal.latinGivenName.toUpperCase(),
    validityDays: deps.config.signing.certificateDays,
    now,
    crlUrl: urls.crl,
    caIssuersUrl: urls.caCertificate,
  });
  const serial = serialHexOf(issued.certificate);
  await deps.db
    .insertInto('citizen_certificates')
    .values({
      serial,
      account_id: row.account_id,
      device_id: row.id,
      certificate_der: issued.certificate.raw,
      not_before: new Date(issued.certificate.validFrom),
      not_after: new Date(issued.certificate.validTo),
      created_at: now,
      revoked_at: null,
      revocation_reason: null,
    })
    .execute();
  deps.logger.info({ deviceId, serial }, 'citizen signing certificate issued');
  return withChain(deps, serial, issued.certificate.raw);
}

/**
 * The device's current certificate, issued or renewed first when it has none, or fewer than the
 * renewal days left. Only for an active device of an active account.
 */
export async function currentCertificate(deps: Deps, deviceId: string): Promise<CitizenCertificate> {
  const now = deps.clock.now();
  const renewBefore = new Date(now.getTime() + deps.config.signing.renewDays * DAY);
  const row = await deps.db
    .selectFrom('citizen_certificates')
    .select(['serial', 'certificate_der', 'not_after'])
    .where('device_id', '=', deviceId)
    .where('revoked_at', 'is', null)
    .where('not_before', '<=', now)
    .where('not_after', '>', renewBefore)
    .orderBy('not_after', 'desc')
    .executeTakeFirst();
  if (row) return withChain(deps, row.serial, row.certificate_der);
  return issueCertificate(deps, deviceId);
}

/**
 * Certificates for every active device of an account (activation, recovery): failures are
 * logged, never fatal to the decision that called this; the next signature issues lazily.
 */
export async function issueForAccount(deps: Deps, accountId: string): Promise<void> {
  try {
    const devices = await deps.db
      .selectFrom('devices')
      .select('id')
      .where('account_id', '=', accountId)
      .where('status', '=', 'active')
      .execute();
    for (const device of devices) await currentCertificate(deps, device.id);
  } catch (error) {
    deps.logger.warn({ err: error, accountId }, 'signing certificate not issued');
  }
}

/** Revoked, still unexpired certificates: revoked themselves, or whose device was revoked. */
export async function revokedCertificates(deps: Deps): Promise<RevokedEntry[]> {
  const rows = await deps.db
    .selectFrom('citizen_certificates')
    .innerJoin('devices', 'devices.id', 'citizen_certificates.device_id')
    .select([
      'citizen_certificates.serial',
      'citizen_certificates.revoked_at',
      'citizen_certificates.revocation_reason',
      'devices.revoked_at as device_revoked_at',
    ])
    .where('citizen_certificates.not_after', '>', deps.clock.now())
    .where((eb) =>
      eb.or([eb('citizen_certificates.revoked_at', 'is not', null), eb('devices.status', '=', 'revoked')]),
    )
    .execute();
  return rows.map((r) => ({
    serial: r.serial,
    revokedAt: (r.revoked_at ?? r.device_revoked_at ?? deps.clock.now()) as Date,
    reason: r.revoked_at ? 'superseded' : 'cessationOfOperation',
  }));
}

/** The citizen signing CA's CRL (DER), fresh: valid one hour. */
export async function currentCrl(deps: Deps): Promise<Buffer> {
  const keys = await signingKeys(deps);
  const now = deps.clock.now();
  return buildCrl({
    issuer: keys.ca,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + 3600_000),
    number: Math.floor(now.getTime() / 1000),
    revoked: await revokedCertificates(deps),
  });
}

/** Whether a certificate is good now (for the platform's own checks before it signs). */
export async function isCertificateGood(deps: Deps, serial: string): Promise<boolean> {
  const row = await deps.db
    .selectFrom('citizen_certificates')
    .innerJoin('devices', 'devices.id', 'citizen_certificates.device_id')
    .select(sql<boolean>`citizen_certificates.revoked_at is null and devices.status = 'active'`.as('good'))
    .where('citizen_certificates.serial', '=', serial)
    .executeTakeFirst();
  return row?.good === true;
}
