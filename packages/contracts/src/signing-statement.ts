/**
 * The browser-safe half of the signature contract (issue 17): the canonical statement, its bytes,
 * the Markdown subset the app draws, and the app's check of what it signs. No schemas here (zod
 * stays out of the app's bundle); `./signing` re-exports all of it with the request schemas.
 */

export const SIGN_DETAIL_TYPE = 'camdigikey_sign';

/** The canonical statement: exactly what the citizen is shown and what is signed. */
export interface SignStatement {
  type: typeof SIGN_DETAIL_TYPE;
  version: 1;
  /** The signature request's id. */
  id: string;
  relyingParty: { clientId: string; name: string; domain: string };
  text: { km?: string; en?: string };
  format: 'plain' | 'markdown';
  document?: { name: string; sha256: string; pades?: { byteRangeSha256: string } };
  signer: { camdigikeyId: string };
  /** The platform's time (its clock), ISO 8601 UTC, whole seconds. */
  time: string;
  /** 128 random bits, base64url. */
  nonce: string;
  /** The code both screens show (CIBA: the relying party's binding message). */
  verificationCode: string;
}

/** RFC 8785 canonical JSON for the value types a statement holds (strings, integers, objects). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('only safe integers are canonicalised here');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      // JCS sorts by UTF-16 code units, which is what a plain string comparison does
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`cannot canonicalise ${typeof value}`);
}

/** The statement's bytes: UTF-8 of its canonical JSON. */
export const statementBytes = (statement: SignStatement): Uint8Array =>
  new TextEncoder().encode(canonicalJson(statement));

// --- the small, safe Markdown subset -------------------------------------------------------------

export interface InlineRun {
  text: string;
  bold?: true;
  italic?: true;
}
export type TextBlock =
  | { kind: 'heading'; runs: InlineRun[] }
  | { kind: 'paragraph'; lines: InlineRun[][] }
  | { kind: 'bullets'; items: InlineRun[][] }
  | { kind: 'numbered'; items: InlineRun[][] };

/** `**bold**` and `*italic*`/`_italic_`; everything else is literal text (no links, images, HTML). */
export function inlineRuns(line: string): InlineRun[] {
  const runs: InlineRun[] = [];
  const pattern = /\*\*(.+?)\*\*|(?<![\p{L}\p{N}])[*_](?!\s)(.+?)(?<!\s)[*_](?![\p{L}\p{N}])/gu;
  let last = 0;
  for (const match of line.matchAll(pattern)) {
    if (match.index > last) runs.push({ text: line.slice(last, match.index) });
    if (match[1] !== undefined) runs.push({ text: match[1], bold: true });
    else runs.push({ text: match[2] ?? '', italic: true });
    last = match.index + match[0].length;
  }
  if (last < line.length) runs.push({ text: line.slice(last) });
  return runs;
}

/**
 * The blocks of a text: `# ` headings, `- `/`* ` bullets, `1. ` numbered items, paragraphs
 * (blank-line separated, line breaks kept). Plain text is one paragraph per blank-line block.
 */
export function textBlocks(text: string, format: 'plain' | 'markdown'): TextBlock[] {
  const blocks: TextBlock[] = [];
  for (const chunk of text.split(/\n{2,}/)) {
    const lines = chunk.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    if (format === 'plain') {
      blocks.push({ kind: 'paragraph', lines: lines.map((l) => [{ text: l }]) });
      continue;
    }
    let paragraph: InlineRun[][] = [];
    const flush = () => {
      if (paragraph.length) blocks.push({ kind: 'paragraph', lines: paragraph });
      paragraph = [];
    };
    for (const line of lines) {
      const heading = /^#{1,3}\s+(.*)$/.exec(line);
      const bullet = /^\s*[-*]\s+(.*)$/.exec(line);
      const numbered = /^\s*\d{1,3}[.)]\s+(.*)$/.exec(line);
      const previous = blocks[blocks.length - 1];
      if (heading) {
        flush();
        blocks.push({ kind: 'heading', runs: inlineRuns(heading[1] ?? '') });
      } else if (bullet) {
        flush();
        if (previous?.kind === 'bullets' && paragraph.length === 0)
          previous.items.push(inlineRuns(bullet[1] ?? ''));
        else blocks.push({ kind: 'bullets', items: [inlineRuns(bullet[1] ?? '')] });
      } else if (numbered) {
        flush();
        if (previous?.kind === 'numbered') previous.items.push(inlineRuns(numbered[1] ?? ''));
        else blocks.push({ kind: 'numbered', items: [inlineRuns(numbered[1] ?? '')] });
      } else {
        paragraph.push(inlineRuns(line));
      }
    }
    flush();
  }
  return blocks;
}

// --- the app's check of what it is asked to sign ----------------------------------------------------

const OIDS = {
  contentType: '06092a864886f70d010903',
  messageDigest: '06092a864886f70d010904',
  signingTime: '06092a864886f70d010905',
  signingCertificateV2: '060b2a864886f70d010910022f',
  data: '06092a864886f70d010701',
} as const;

const hexOf = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

interface Tlv {
  tag: number;
  start: number;
  end: number;
  /** The whole TLV (header and value). */
  raw: Uint8Array;
  value: Uint8Array;
}

function readTlv(bytes: Uint8Array, offset: number): Tlv {
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  if (tag === undefined || length === undefined) throw new SignCheckError('truncated DER');
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3) throw new SignCheckError('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | (bytes[offset + 2 + i] ?? 0);
    header += count;
  }
  const end = offset + header + length;
  if (end > bytes.length) throw new SignCheckError('truncated DER');
  return {
    tag,
    start: offset,
    end,
    raw: bytes.subarray(offset, end),
    value: bytes.subarray(offset + header, end),
  };
}

function childrenOf(value: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = 0; offset < value.length; ) {
    const tlv = readTlv(value, offset);
    out.push(tlv);
    offset = tlv.end;
  }
  return out;
}

export class SignCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignCheckError';
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The app's check before its key signs: `signedAttributes` (DER, a SET of attributes) must hold
 * only content-type (id-data), message-digest equal to `messageDigest` (which the app computed
 * itself from what it shows), signing-certificate-v2 naming the app's own certificate when given,
 * and optionally signing-time. Anything else is refused: the phone never signs bytes whose meaning
 * it cannot see.
 */
export function checkToBeSigned(
  signedAttributes: Uint8Array,
  expected: { messageDigest: Uint8Array; certificateSha256?: Uint8Array },
): void {
  const set = readTlv(signedAttributes, 0);
  if (set.tag !== 0x31 || set.end !== signedAttributes.length)
    throw new SignCheckError('not a SET of attributes');
  const seen = new Set<string>();
  for (const attribute of childrenOf(set.value)) {
    const [type, values] = childrenOf(attribute.value);
    if (attribute.tag !== 0x30 || !type || !values || values.tag !== 0x31)
      throw new SignCheckError('bad attribute');
    const oid = hexOf(type.raw);
    if (seen.has(oid)) throw new SignCheckError('duplicate attribute');
    seen.add(oid);
    const [value, ...more] = childrenOf(values.value);
    if (!value || more.length) throw new SignCheckError('an attribute must have one value');
    if (oid === OIDS.contentType) {
      if (hexOf(value.raw) !== OIDS.data) throw new SignCheckError('unexpected content type');
    } else if (oid === OIDS.messageDigest) {
      if (value.tag !== 0x04 || !sameBytes(value.value, expected.messageDigest)) {
        throw new SignCheckError('the digest is not of what is shown');
      }
    } else if (oid === OIDS.signingCertificateV2) {
      if (expected.certificateSha256) {
        const [certs] = childrenOf(value.value);
        const [first] = certs ? childrenOf(certs.value) : [];
        const hash = first ? childrenOf(first.value).find((t) => t.tag === 0x04) : undefined;
        if (!hash || !sameBytes(hash.value, expected.certificateSha256)) {
          throw new SignCheckError('the certificate named is not this phone’s');
        }
      }
    } else if (oid !== OIDS.signingTime) {
      throw new SignCheckError('an attribute the app does not know');
    }
  }
  if (!seen.has(OIDS.messageDigest) || !seen.has(OIDS.contentType)) {
    throw new SignCheckError('message digest and content type are required');
  }
}

/** SHA-256 with Web Crypto (the browser and Node 20 both have `crypto.subtle`). */
export async function sha256Of(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** Lowercase hex of bytes (document and PAdES digests are carried as hex in the statement). */
export const toHex = hexOf;
export const fromHex = (hex: string): Uint8Array =>
  new Uint8Array((hex.match(/../g) ?? []).map((byte) => Number.parseInt(byte, 16)));

/** The digests the phone's signatures cover, as the app computes them from the statement. */
export async function expectedDigests(
  statement: SignStatement,
): Promise<{ statement: Uint8Array; pades?: Uint8Array }> {
  const pades = statement.document?.pades?.byteRangeSha256;
  return {
    statement: await sha256Of(statementBytes(statement)),
    ...(pades ? { pades: fromHex(pades) } : {}),
  };
}
