// Minimal MIME parser for test e-mails: headers, RFC 2047 encoded words, transfer encodings, text parts.

/** The parts of a message the test inbox cares about. */
export interface ParsedMessage {
  /** Header values keyed by lowercase name (first occurrence), RFC 2047 decoded. */
  headers: Record<string, string>;
  subject: string;
  /** The first `text/plain` part (or the body of a non-multipart text message), LF line endings. */
  text: string;
  /** The first `text/html` part, if any. */
  html?: string;
}

/** Decodes bytes in a MIME charset, falling back to UTF-8 for unknown labels. */
function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const label = (charset ?? 'utf-8').split('*')[0]!.trim().toLowerCase();
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** Binary-safe view of raw bytes as a JS string (one char per byte). */
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const bytesOf = (binary: string): Uint8Array => new Uint8Array(Buffer.from(binary, 'latin1'));

function decodeQ(value: string, underscoreIsSpace: boolean): Uint8Array {
  const s = underscoreIsSpace ? value.replace(/_/g, ' ') : value;
  return bytesOf(
    s.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
  );
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?ISO-8859-1?Q?…?=`). Whitespace between adjacent
 * encoded words is dropped, and adjacent words of the same charset are joined at byte level before
 * decoding, so multi-byte characters split across words (common with Khmer) survive.
 */
export function decodeMimeWords(value: string): string {
  type Word = { charset: string; bytes: Uint8Array };
  const out: (string | Word)[] = [];
  let last = 0;
  for (const m of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, m.index);
    const prev = out.at(-1);
    if (!(typeof prev === 'object' && /^\s*$/.test(between))) out.push(between);
    const [, charset = 'utf-8', enc = 'B', data = ''] = m;
    const bytes =
      enc.toUpperCase() === 'B' ? new Uint8Array(Buffer.from(data, 'base64')) : decodeQ(data, true);
    const tail = out.at(-1);
    if (typeof tail === 'object' && tail.charset.toLowerCase() === charset.toLowerCase()) {
      tail.bytes = new Uint8Array([...tail.bytes, ...bytes]);
    } else out.push({ charset, bytes });
    last = m.index + m[0].length;
  }
  out.push(value.slice(last));
  return out.map((p) => (typeof p === 'string' ? p : decodeCharset(p.bytes, p.charset))).join('');
}

interface RawPart {
  headers: Record<string, string>;
  body: string;
}

/** Splits a binary string into unfolded headers and body. Header values are RFC 2047 decoded. */
function splitPart(binary: string): RawPart {
  const match = /\r?\n\r?\n/.exec(binary);
  const head = match ? binary.slice(0, match.index) : binary;
  const body = match ? binary.slice(match.index + match[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // Raw 8-bit header bytes are taken as UTF-8 (RFC 6532), then encoded words are decoded.
    const value = decodeMimeWords(decodeCharset(bytesOf(line.slice(colon + 1).trim()), 'utf-8'));
    if (!(name in headers)) headers[name] = value;
  }
  return { headers, body };
}

/** Parses `type/subtype; a=b; c="d"` into a lowercase type and parameters (lowercase names). */
export function parseContentType(value: string | undefined): {
  type: string;
  params: Record<string, string>;
} {
  const [type = 'text/plain', ...rest] = (value ?? 'text/plain').split(';');
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    params[param.slice(0, eq).trim().toLowerCase()] = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase(), params };
}

/** Undoes a Content-Transfer-Encoding, returning raw bytes. */
export function decodeTransferEncoding(body: string, encoding: string | undefined): Uint8Array {
  switch ((encoding ?? '7bit').trim().toLowerCase()) {
    case 'base64':
      return new Uint8Array(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'));
    case 'quoted-printable':
      return decodeQ(body.replace(/[ \t]+(?=\r?\n)/g, '').replace(/=\r?\n/g, ''), false);
    default:
      return bytesOf(body);
  }
}

function multipartChildren(body: string, boundary: string): string[] {
  const parts: string[] = [];
  let current: string[] | null = null;
  for (const line of body.split(/\r?\n/)) {
    const trimmed = line.trimEnd();
    if (trimmed === `--${boundary}--`) break;
    if (trimmed === `--${boundary}`) {
      if (current) parts.push(current.join('\r\n'));
      current = [];
    } else current?.push(line);
  }
  if (current) parts.push(current.join('\r\n'));
  return parts;
}

function collectText(part: RawPart, found: { text?: string; html?: string }): void {
  const { type, params } = parseContentType(part.headers['content-type']);
  if (type.startsWith('multipart/') && params.boundary) {
    for (const child of multipartChildren(part.body, params.boundary)) collectText(splitPart(child), found);
    return;
  }
  if (/^attachment/i.test(part.headers['content-disposition'] ?? '')) return;
  if (type !== 'text/plain' && type !== 'text/html') return;
  const decoded = decodeCharset(
    decodeTransferEncoding(part.body, part.headers['content-transfer-encoding']),
    params.charset,
  );
  const normalized = decoded.replace(/\r\n/g, '\n');
  if (type === 'text/plain' && found.text === undefined) found.text = normalized;
  if (type === 'text/html' && found.html === undefined) found.html = normalized;
}

/** Parses a raw RFC 5322 message (bytes or string). */
export function parseMessage(raw: Uint8Array | string): ParsedMessage {
  const binary = typeof raw === 'string' ? latin1(new TextEncoder().encode(raw)) : latin1(raw);
  const top = splitPart(binary);
  const found: { text?: string; html?: string } = {};
  collectText(top, found);
  const result: ParsedMessage = {
    headers: top.headers,
    subject: top.headers.subject ?? '',
    text: found.text ?? '',
  };
  if (found.html !== undefined) result.html = found.html;
  return result;
}
