/**
 * What a registration flow record keeps between steps. Nothing secret in clear: the PIN only as
 * its Argon2id verifier, the MRZ and document numbers envelope-encrypted, media in `blobs`.
 */
import type { LivenessChallenge } from '../../proofing/liveness-challenge';

export interface RegistrationData {
  phone?: { e164: string; national: string; verified: boolean };
  email?: { address: string; verified: boolean };
  pinVerifier?: string;
  faceId?:
    | { status: 'pending'; challenge: string; userId: string }
    | { status: 'registered'; credentialId: string; publicKey: string; counter: number; transports: string[] }
    | { status: 'skipped' };
  liveness?: {
    challenge: LivenessChallenge;
    recordingBlobId?: string;
    selfieBlobId?: string;
    frameCount?: number;
  };
  document?: {
    documentType: 'id_card' | 'passport';
    format: 'TD1' | 'TD3';
    issuingState: string;
    nationality: string;
    surname: string;
    givenNames: string;
    birthDate: string;
    sex: 'male' | 'female' | 'unspecified';
    expiryDate: string;
    /** Sealed with context `flow:<id>:mrz` / `flow:<id>:mrz-document-number`. */
    mrzSealed: string;
    documentNumberSealed: string;
    photoBlobId: string;
  };
  /** The form of step 4/4 as entered so far; the document number sealed. */
  details?: {
    khmerSurname?: string;
    khmerGivenName?: string;
    latinSurname?: string;
    latinGivenName?: string;
    documentNumberSealed?: string;
    birthDate?: string;
    issueDate?: string;
    expiryDate?: string;
    gender?: 'male' | 'female';
    complete: boolean;
    /** Fields that disagree with the MRZ (names only; values stay encrypted). */
    mrzMismatches: string[];
  };
  consent?: { version: string; acceptedAt: string; language: 'km' | 'en' };
}

export const sealContext = {
  mrz: (flowId: string) => `flow:${flowId}:mrz`,
  mrzDocumentNumber: (flowId: string) => `flow:${flowId}:mrz-document-number`,
  formDocumentNumber: (flowId: string) => `flow:${flowId}:form-document-number`,
  accountDocumentNumber: (accountId: string) => `account:${accountId}:document-number`,
  accountMrz: (accountId: string) => `account:${accountId}:mrz`,
};

/**
 * What a registration flow keeps once its account exists (issue 19, item 8): no phone, e-mail,
 * name, birth date, document or MRZ (the account holds them, sealed), no PIN verifier. What is
 * left says how the flow ended: Face ID chosen or skipped, the liveness challenge and the media
 * ids the account took over, the completed form's mismatch flags (also in the account's review
 * flags) and the consent.
 */
export function submittedFlowData(d: RegistrationData): RegistrationData {
  return {
    ...(d.faceId ? { faceId: d.faceId } : {}),
    ...(d.liveness ? { liveness: d.liveness } : {}),
    ...(d.details
      ? { details: { complete: d.details.complete, mrzMismatches: d.details.mrzMismatches } }
      : {}),
    ...(d.consent ? { consent: d.consent } : {}),
  };
}
