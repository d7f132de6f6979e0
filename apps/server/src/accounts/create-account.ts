/**
 * Writes a new account with its first device (and Face ID credential, consent) inside the
 * caller's transaction. Used by registration submission and by the development/test seeding
 * of synthetic citizens, so both produce exactly the same records. The personal data is sealed
 * (personal-data.ts) in the same insert: no row is ever written with it in clear.
 */
import { randomUUID } from 'node:crypto';
import type { AccountStatus, Database } from '@camdigikey/db';
import type { Transaction } from 'kysely';
import { documentNumberHint } from '../crypto/keyed-hash';
import type { Deps } from '../deps';
import { sealContext } from '../flows/registration/flow-data';
import { sealPersonal } from './personal-data';

export interface NewAccount {
  id?: string;
  status: AccountStatus;
  language: 'km' | 'en';
  phoneE164: string;
  email: string;
  khmerSurname: string | null;
  khmerGivenName: string | null;
  latinSurname: string;
  latinGivenName: string;
  gender: 'male' | 'female';
  birthDate: string;
  nationality: string;
  documentType: 'id_card' | 'passport';
  issuingState: string;
  documentNumber: string;
  issueDate: string | null;
  expiryDate: string;
  mrz: string;
  reviewFlags: unknown[];
  pinVerifier: string;
  submittedAt: Date;
  reviewDeadline: Date;
  device: { thumbprint: string; jwk: Record<string, unknown> };
  faceId?: { credentialId: string; publicKey: Uint8Array; counter: number; transports: string[] };
  consent: { purpose: string; version: string; language: string; acceptedAt: Date };
}

export async function insertAccount(trx: Transaction<Database>, deps: Deps, a: NewAccount, now: Date) {
  const accountId = a.id ?? randomUUID();
  const deviceId = randomUUID();
  await trx
    .insertInto('accounts')
    .values({
      id: accountId,
      status: a.status,
      language: a.language,
      ...sealPersonal(deps, accountId, {
        phoneE164: a.phoneE164,
        email: a.email,
        khmerSurname: a.khmerSurname,
        khmerGivenName: a.khmerGivenName,
        latinSurname: a.latinSurname,
        latinGivenName: a.latinGivenName,
        birthDate: a.birthDate,
        nationality: a.nationality,
      }),
      gender: a.gender,
      document_type: a.documentType,
      document_issuing_state: a.issuingState,
      document_number_enc: deps.envelope.sealText(
        a.documentNumber,
        sealContext.accountDocumentNumber(accountId),
      ),
      document_number_bidx: deps.blindIndex.documentNumber(a.issuingState, a.documentNumber),
      document_number_hint: documentNumberHint(a.documentNumber),
      document_issue_date: a.issueDate,
      document_expiry_date: a.expiryDate,
      mrz_enc: deps.envelope.sealText(a.mrz, sealContext.accountMrz(accountId)),
      review_flags: JSON.stringify(a.reviewFlags),
      pin_verifier: a.pinVerifier,
      pin_locked_until: null,
      submitted_at: a.submittedAt,
      review_deadline: a.reviewDeadline,
      decided_at: a.status === 'active' ? now : null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await insertDevice(trx, accountId, deviceId, a.device, a.faceId, now);
  await trx
    .insertInto('consents')
    .values({
      id: randomUUID(),
      account_id: accountId,
      purpose: a.consent.purpose,
      text_version: a.consent.version,
      language: a.consent.language,
      accepted_at: a.consent.acceptedAt,
    })
    .execute();
  return { accountId, deviceId };
}

/** A registered device of an account, with its Face ID credential when the citizen chose one. */
export async function insertDevice(
  trx: Transaction<Database>,
  accountId: string,
  deviceId: string,
  device: NewAccount['device'],
  faceId: NewAccount['faceId'],
  now: Date,
): Promise<void> {
  await trx
    .insertInto('devices')
    .values({
      id: deviceId,
      account_id: accountId,
      thumbprint: device.thumbprint,
      public_jwk: JSON.stringify(device.jwk),
      status: 'active',
      created_at: now,
      last_seen_at: now,
      revoked_at: null,
    })
    .execute();
  if (faceId) {
    await trx
      .insertInto('webauthn_credentials')
      .values({
        id: faceId.credentialId,
        account_id: accountId,
        device_id: deviceId,
        public_key: faceId.publicKey,
        counter: faceId.counter,
        transports: JSON.stringify(faceId.transports),
        created_at: now,
        revoked_at: null,
      })
      .execute();
  }
}
