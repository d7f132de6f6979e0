/**
 * The registration consent. Its text lives in the message catalogue under `consent.<version>`,
 * and each version names the documents the citizen is shown and agrees to (the Terms of Use and
 * the Privacy Policy, each versioned, in Khmer and English: packages/messages/src/legal.ts). A new
 * wording or a new document version gets a new consent version; a citizen who accepted an older
 * one is asked again (consent_version_outdated). The version is recorded with the consent.
 */
import { formatLegalDocuments, LEGAL_DOCUMENTS, type LegalDocument } from '@camdigikey/messages/legal';

export const CONSENT_VERSION = 'registration.v2';
export const CONSENT_PURPOSE = 'registration_identity_verification';

/** The documents of each consent version. */
export const CONSENT_DOCUMENTS: Record<string, LegalDocument[]> = {
  'registration.v2': [LEGAL_DOCUMENTS.terms, LEGAL_DOCUMENTS.privacy],
};

/** The consent node's attributes: the version, its text and its documents. */
export function consentAttributes(version = CONSENT_VERSION): Record<string, string> {
  return {
    consentVersion: version,
    consentTextId: `consent.${version}`,
    documents: formatLegalDocuments(CONSENT_DOCUMENTS[version] ?? []),
  };
}
