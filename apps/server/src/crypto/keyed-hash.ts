/**
 * Keyed hashes: the blind index for document-number look-ups and the stored form of OTP codes.
 * A plain hash of a 9-digit number or a 6-digit code is reversed by enumeration in seconds;
 * an HMAC under a key kept outside the database is not. Comparisons are constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const hmacHex = (key: Uint8Array, ...parts: string[]): string => {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(`${part.length}:${part}|`);
  return mac.digest('hex');
};

export const constantTimeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Canonical form of a document number before indexing: upper case, no spaces or fillers. */
export const canonicalDocumentNumber = (value: string) => value.toUpperCase().replace(/[\s<-]/g, '');

export class BlindIndex {
  constructor(private readonly key: Uint8Array) {}

  /** The same document (type + issuing state + number) always gives the same index. */
  documentNumber(issuingState: string, documentNumber: string): string {
    return hmacHex(this.key, 'document', issuingState.toUpperCase(), canonicalDocumentNumber(documentNumber));
  }

  /** A phone number in E.164 (the form every step stores and looks up). */
  phone(e164: string): string {
    return hmacHex(this.key, 'phone', e164.trim());
  }

  /** An e-mail address, case-insensitive (as the unique index on lower(email) was). */
  email(address: string): string {
    return hmacHex(this.key, 'email', address.trim().toLowerCase());
  }
}

/** Last characters of a document number, for display to officers and the citizen. */
export const documentNumberHint = (documentNumber: string) => {
  const canonical = canonicalDocumentNumber(documentNumber);
  return `${'•'.repeat(Math.max(0, canonical.length - 3))}${canonical.slice(-3)}`;
};
