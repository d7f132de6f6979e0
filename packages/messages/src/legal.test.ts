import { describe, expect, it } from 'vitest';
import { isMessageId } from './index';
import {
  formatLegalDocuments,
  LEGAL_DOCUMENTS,
  legalTextId,
  legalTitleId,
  parseLegalDocuments,
} from './legal';

describe('the legal documents', () => {
  it('have a title and a text in Khmer and English for the version in force', () => {
    for (const d of Object.values(LEGAL_DOCUMENTS)) {
      expect(isMessageId(legalTextId(d)), legalTextId(d)).toBe(true);
      expect(isMessageId(legalTitleId(d)), legalTitleId(d)).toBe(true);
    }
  });

  it('travel in a consent node as one attribute and come back the same', () => {
    const docs = Object.values(LEGAL_DOCUMENTS);
    expect(parseLegalDocuments(formatLegalDocuments(docs))).toEqual(docs);
    expect(parseLegalDocuments('terms@1@2026-01-01,unknown@2@2026-01-01,privacy@')).toEqual([
      LEGAL_DOCUMENTS.terms,
    ]);
    expect(parseLegalDocuments(undefined)).toEqual([]);
  });
});
