/**
 * The documents a citizen agrees to, each versioned: its text is the message `legal.<id>.v<n>`
 * (Khmer and English), its title `legal.<id>.title`. A changed text is a new version (a new
 * message id) and a new consent version on the server (flows/registration/consent.ts), so the
 * version a citizen accepted is always the one recorded with the consent.
 */
export type LegalDocumentId = 'terms' | 'privacy';

export interface LegalDocument {
  id: LegalDocumentId;
  version: string;
  /** The day this version came into force (YYYY-MM-DD). */
  since: string;
}

/** The versions in force. */
export const LEGAL_DOCUMENTS: Record<LegalDocumentId, LegalDocument> = {
  terms: { id: 'terms', version: '1', since: '2026-01-01' },
  privacy: { id: 'privacy', version: '1', since: '2026-01-01' },
};

export const legalTextId = (d: LegalDocument) => `legal.${d.id}.v${d.version}`;
export const legalTitleId = (d: LegalDocument) => `legal.${d.id}.title`;

/** A consent node's `documents` attribute (`terms@1@2026-01-01,…`) read back; unknown entries are skipped. */
export function parseLegalDocuments(attribute: unknown): LegalDocument[] {
  if (typeof attribute !== 'string') return [];
  return attribute.split(',').flatMap((entry) => {
    const [id, version, since] = entry.split('@');
    return (id === 'terms' || id === 'privacy') && version && since ? [{ id, version, since }] : [];
  });
}

export const formatLegalDocuments = (documents: LegalDocument[]) =>
  documents.map((d) => `${d.id}@${d.version}@${d.since}`).join(',');
