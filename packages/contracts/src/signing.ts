/**
 * "Sign with CamDigiKey" (issue 17): what a relying party may ask a citizen to sign, the
 * canonical statement the app shows and the phone signs, and the app's own check of the bytes it
 * is given to sign. Shared by the server, the app (browser: no Node APIs here, only Uint8Array and
 * Web Crypto) and the SDK.
 *
 * What the citizen sees is what is signed: the statement holds the text exactly as shown (Khmer
 * and/or English, plain or a small Markdown subset, ≤ 1,500 characters each), the document's name
 * and SHA-256, the relying party (client id, registered name, domain), the server's time, a nonce
 * and the verification code both screens show. Its bytes are RFC 8785 (JCS) canonical JSON; the
 * phone signs CMS signed attributes whose message digest is their SHA-256, and the app recomputes
 * that digest from the statement it displays before it signs (see {@link checkToBeSigned}).
 */
import { z } from 'zod';

import { SIGN_DETAIL_TYPE } from './signing-statement';

export * from './signing-statement';
export const SIGN_TEXT_MAX = 1500;
export const DOCUMENT_NAME_MAX = 200;

/**
 * Characters a signed text may not hold: control characters (but the line feed), and the
 * invisible direction marks and overrides that can make a text read differently from what it
 * says (Unicode bidi controls, "Trojan Source"). Khmer's zero-width space (U+200B) and ZWJ/ZWNJ
 * stay allowed: Khmer text needs them.
 */
function isForbidden(codePoint: number): boolean {
  return (
    (codePoint < 0x20 && codePoint !== 0x0a) ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x061c ||
    codePoint === 0x200e ||
    codePoint === 0x200f ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069) ||
    codePoint === 0xfeff
  );
}
const hasForbidden = (text: string) => [...text].some((c) => isForbidden(c.codePointAt(0) ?? 0));

const codePoints = (text: string) => [...text].length;

const signText = z
  .string()
  .transform((text) => text.replace(/\r\n?/g, '\n'))
  .refine((text) => text.trim().length > 0, { message: 'empty' })
  .refine((text) => codePoints(text) <= SIGN_TEXT_MAX, { message: `at most ${SIGN_TEXT_MAX} characters` })
  .refine((text) => !hasForbidden(text), { message: 'control or direction characters are not allowed' })
  .refine((text) => text === text.normalize('NFC'), { message: 'the text must be NFC-normalised' });

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hexadecimal SHA-256');

export const documentName = z
  .string()
  .min(1)
  .max(DOCUMENT_NAME_MAX)
  .refine((name) => !hasForbidden(name) && !/[\n/\\]/.test(name), {
    message: 'a file name without paths, control or direction characters',
  });

/** The document part: its name and SHA-256, and for a PDF the digest of its prepared byte ranges. */
export const signDocument = z
  .object({
    name: documentName,
    sha256: hex64,
    /**
     * PAdES: SHA-256 of the prepared PDF's signed byte ranges (the SDK's preparePdf), which the
     * phone signs as a second, PAdES signature. Only for PDF files.
     */
    pades: z.object({ byteRangeSha256: hex64 }).strict().optional(),
  })
  .strict()
  .refine((d) => !d.pades || /\.pdf$/i.test(d.name), { message: 'PAdES is for .pdf files', path: ['pades'] });

/** What a relying party asks (the RFC 9396 detail minus `type`, and the client-API call's body). */
export const signRequestInput = z
  .object({
    text: z
      .object({ km: signText.optional(), en: signText.optional() })
      .strict()
      .refine((t) => t.km !== undefined || t.en !== undefined, { message: 'text in Khmer or English' }),
    format: z.enum(['plain', 'markdown']).default('plain'),
    document: signDocument.optional(),
  })
  .strict();
export type SignRequestInput = z.infer<typeof signRequestInput>;

/** The `authorization_details` entry (RFC 9396) of type `camdigikey_sign`. */
export const signAuthorizationDetail = signRequestInput
  .extend({ type: z.literal(SIGN_DETAIL_TYPE) })
  .strict();
