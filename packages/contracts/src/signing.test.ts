/**
 * The signature request's contract (issue 17): what a relying party may send, the canonical
 * statement bytes, the Markdown subset the app draws, and the app's refusal to sign bytes whose
 * meaning differs from what it shows. The signed attributes come from the platform's own builder
 * (rp-protocol), so the app's check and the server's construction are tested against each other.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  createRootCa,
  createSigningCa,
  issueCitizenCertificate,
  signedAttributes,
} from '@camdigikey/rp-protocol';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  checkToBeSigned,
  expectedDigests,
  SIGN_TEXT_MAX,
  type SignStatement,
  signAuthorizationDetail,
  signRequestInput,
  statementBytes,
  textBlocks,
} from './signing';

const statement: SignStatement = {
  type: 'camdigikey_sign',
  version: 1,
  id: '0b9b5c1e-51c9-4a4f-8c9e-2b1a3f4d5e6f',
  relyingParty: { clientId: 'cdk_bank', name: 'ACLEDA Bank', domain: 'bank.example.com.kh' },
  text: { km: 'ខ្ញុំ​យល់ព្រម​ខ្ចី​ប្រាក់ ១,០០០ ដុល្លារ។', en: 'I agree to borrow **1,000 USD**.' },
  format: 'markdown',
  document: { name: 'loan-contract.pdf', sha256: 'a'.repeat(64), pades: { byteRangeSha256: 'b'.repeat(64) } },
  signer: { camdigikeyId: '5b0c2f4e-8a51-4d7e-9a3c-0f4b1e2d3c4a' },
  time: '2026-11-30T02:00:00Z',
  nonce: 'q1w2e3r4t5y6u7i8o9p0aa',
  verificationCode: '4821',
};

describe('a signature request from a relying party', () => {
  it('takes Khmer and/or English text, plain or Markdown, and a document hash', () => {
    const parsed = signAuthorizationDetail.parse({
      type: 'camdigikey_sign',
      text: { en: 'Transfer 200 USD\r\nto Sok Dara' },
      document: { name: 'contract.pdf', sha256: 'c'.repeat(64) },
    });
    expect(parsed.format).toBe('plain');
    expect(parsed.text.en).toBe('Transfer 200 USD\nto Sok Dara');
    expect(signRequestInput.safeParse({ text: { km: statement.text.km } }).success).toBe(true);
  });

  it.each([
    ['no text', { text: {} }],
    ['an empty text', { text: { en: '   ' } }],
    ['a text over the limit', { text: { en: 'x'.repeat(SIGN_TEXT_MAX + 1) } }],
    ['a right-to-left override', { text: { en: 'Pay 100\u202e0001 USD' } }],
    ['a control character', { text: { en: 'Pay\u0007 100' } }],
    ['another language', { text: { fr: 'Payer' } }],
    [
      'a path as the file name',
      { text: { en: 'Sign' }, document: { name: '../x.pdf', sha256: 'c'.repeat(64) } },
    ],
    ['an upper-case hash', { text: { en: 'Sign' }, document: { name: 'x.pdf', sha256: 'C'.repeat(64) } }],
    [
      'PAdES for a non-PDF',
      {
        text: { en: 'Sign' },
        document: { name: 'x.docx', sha256: 'c'.repeat(64), pades: { byteRangeSha256: 'd'.repeat(64) } },
      },
    ],
    ['an unknown field', { text: { en: 'Sign' }, amount: 100 }],
  ])('refuses %s', (_name, body) => {
    expect(signRequestInput.safeParse(body).success).toBe(false);
  });

  it('counts characters, not UTF-16 units, and keeps Khmer zero-width spaces', () => {
    const khmer = 'ក\u200b'.repeat(SIGN_TEXT_MAX / 2);
    expect(signRequestInput.safeParse({ text: { km: khmer } }).success).toBe(true);
    expect(signRequestInput.safeParse({ text: { en: '😀'.repeat(SIGN_TEXT_MAX) } }).success).toBe(true);
    expect(signRequestInput.safeParse({ text: { en: '😀'.repeat(SIGN_TEXT_MAX + 1) } }).success).toBe(false);
  });
});

describe('the canonical statement', () => {
  it('is RFC 8785 JSON: sorted keys, no spaces, undefined members left out', () => {
    expect(canonicalJson({ b: 1, a: { d: 'x', c: [true, null] }, e: undefined })).toBe(
      '{"a":{"c":[true,null],"d":"x"},"b":1}',
    );
    expect(canonicalJson({ '\u00e9': 1, z: 2, A: 3 })).toBe('{"A":3,"z":2,"é":1}');
    const text = new TextDecoder().decode(statementBytes(statement));
    expect(text.startsWith('{"document":{"name":"loan-contract.pdf","pades":')).toBe(true);
    expect(JSON.parse(text)).toEqual(statement);
    // the same statement with its members in another order gives the same bytes
    const shuffled = Object.fromEntries(Object.entries(statement).reverse()) as unknown as SignStatement;
    expect(statementBytes(shuffled)).toEqual(statementBytes(statement));
  });
});

describe('the Markdown subset', () => {
  it('draws headings, lists, bold and italic, and leaves everything else literal', () => {
    const blocks = textBlocks(
      '# Loan\n\nAmount: **1,000 USD** at _1.2 %_\n- first\n- second\n\n1. one\n2. two\n\n[link](http://x) <b>raw</b>',
      'markdown',
    );
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'bullets', 'numbered', 'paragraph']);
    expect(blocks[1]).toEqual({
      kind: 'paragraph',
      lines: [
        [
          { text: 'Amount: ' },
          { text: '1,000 USD', bold: true },
          { text: ' at ' },
          { text: '1.2 %', italic: true },
        ],
      ],
    });
    expect(blocks[4]).toEqual({ kind: 'paragraph', lines: [[{ text: '[link](http://x) <b>raw</b>' }]] });
    expect(textBlocks('**not bold** in plain', 'plain')).toEqual([
      { kind: 'paragraph', lines: [[{ text: '**not bold** in plain' }]] },
    ]);
    expect(textBlocks('snake_case_name stays', 'markdown')).toEqual([
      { kind: 'paragraph', lines: [[{ text: 'snake_case_name stays' }]] },
    ]);
  });
});

describe("the app's check before it signs", () => {
  const now = new Date('2026-11-30T02:00:00Z');
  const root = createRootCa({ now });
  const ca = createSigningCa(root, { now });
  const phone = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = issueCitizenCertificate(ca, {
    publicKey: phone.publicKey,
    camdigikeyId: statement.signer.camdigikeyId,
    surname: 'SOK',
    givenName: 'DARA',
    validityDays: 30,
    now,
  }).certificate;
  const certificateSha256 = createHash('sha256').update(certificate.raw).digest();

  it('accepts the server-built attributes over the digest it computes itself', async () => {
    const digests = await expectedDigests(statement);
    expect(Buffer.from(digests.statement)).toEqual(
      createHash('sha256').update(statementBytes(statement)).digest(),
    );
    const forStatement = signedAttributes({
      contentDigest: digests.statement,
      certificate,
      signingTime: now,
    });
    expect(() =>
      checkToBeSigned(forStatement, { messageDigest: digests.statement, certificateSha256 }),
    ).not.toThrow();
    const forPdf = signedAttributes({ contentDigest: digests.pades!, certificate });
    expect(() => checkToBeSigned(forPdf, { messageDigest: digests.pades!, certificateSha256 })).not.toThrow();
  });

  it('refuses another digest, another certificate, another content type or stray bytes', async () => {
    const digests = await expectedDigests(statement);
    const changed = await expectedDigests({ ...statement, text: { en: 'I agree to borrow **9,000 USD**.' } });
    const built = signedAttributes({ contentDigest: changed.statement, certificate, signingTime: now });
    expect(() => checkToBeSigned(built, { messageDigest: digests.statement })).toThrow(/digest/);
    const good = signedAttributes({ contentDigest: digests.statement, certificate });
    expect(() =>
      checkToBeSigned(good, { messageDigest: digests.statement, certificateSha256: new Uint8Array(32) }),
    ).toThrow(/certificate/);
    const tst = signedAttributes({
      contentDigest: digests.statement,
      certificate,
      contentType: '1.2.840.113549.1.9.16.1.4',
    });
    expect(() => checkToBeSigned(tst, { messageDigest: digests.statement })).toThrow(/content type/);
    expect(() =>
      checkToBeSigned(Buffer.concat([good, Buffer.of(0)]), { messageDigest: digests.statement }),
    ).toThrow();
  });
});
