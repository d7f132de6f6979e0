/**
 * What the audit log stores must be exactly what it hashed. PostgreSQL text and jsonb cannot hold
 * every JavaScript string: a lone UTF-16 surrogate is sent as U+FFFD (text) or refused (jsonb), a
 * NUL is refused by both, and a Date in `details` hashes one way (as an object) but is stored as
 * its ISO string. So every value of an entry goes through these helpers BEFORE it is hashed:
 * strings in Unicode NFC with lone surrogates and NUL replaced by U+FFFD, cut by code point (never
 * inside a surrogate pair), and `details` reduced to the plain JSON it will be stored as.
 */

const REPLACEMENT = '\uFFFD';
/** A lone high surrogate or a lone low surrogate. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NUL = String.fromCharCode(0);

/** Longest string kept anywhere in an entry's `details` (code points); longer ones are cut. */
export const AUDIT_DETAIL_MAX_CHARS = 2000;

/** NFC, with every lone surrogate and NUL replaced by U+FFFD: a string PostgreSQL stores as is. */
export function storableText(value: string): string {
  return value.replace(LONE_SURROGATE, REPLACEMENT).replaceAll(NUL, REPLACEMENT).normalize('NFC');
}

/**
 * A storable string of at most `maxChars` code points. Use this (never `.slice`) to bound an
 * audited string: a UTF-16 cut can split an emoji into a lone surrogate.
 */
export function auditText(value: string, maxChars: number): string {
  const clean = storableText(value);
  let out = '';
  let count = 0;
  for (const ch of clean) {
    if (count === maxChars) break;
    out += ch;
    count += 1;
  }
  // A cut inside a combining sequence may leave a prefix that composes further.
  return out.normalize('NFC');
}

/** `auditText` for the optional columns of an entry. */
export const auditTextOrNull = (value: string | null | undefined, maxChars: number): string | null =>
  value === null || value === undefined ? null : auditText(value, maxChars);

/**
 * `details` as the plain JSON it will be stored as (toJSON applied, undefined dropped, non-finite
 * numbers null) with every key and string storable and strings cut to AUDIT_DETAIL_MAX_CHARS.
 */
export function storableDetails(details: Record<string, unknown>): Record<string, unknown> {
  const plain: unknown = JSON.parse(JSON.stringify(details) ?? '{}');
  const out = storableJson(plain);
  return out && typeof out === 'object' && !Array.isArray(out) ? (out as Record<string, unknown>) : {};
}

function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return auditText(value, AUDIT_DETAIL_MAX_CHARS);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[auditText(k, AUDIT_DETAIL_MAX_CHARS)] = storableJson(v);
    return out;
  }
  return value;
}
